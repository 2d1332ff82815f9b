"""Model evaluation: generate notes for a test CSV through the same summarizer code the
workers use, score them, compare several models, and write a report directory.

Scores: ROUGE-1/2/L (rouge-score; on text with section headers and {{RED:}} markup stripped,
and raw), BLEU (nltk, smoothed), section completeness, risk-marker precision/recall against
the reference notes and against the transcript risk detector, word-count compliance (30-70),
fallback rate, latency mean/p50/p95 and tokens/s.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import statistics
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tqdm import tqdm

from summarizer.config import InferenceConfig
from summarizer.engine import LlamaInferenceEngine
from summarizer.notes import NoteOptions, summarize_single_session
from summarizer.risk import detect_risks
from summarizer.sections import NOTE_MAX_WORDS, NOTE_MIN_WORDS, SESSION_NOTE_SECTIONS, section_header
from summarizer.text import count_words, red_spans
from summarizer.validation import validate_note

logger = logging.getLogger(__name__)

ROUGE_L_TARGET = 0.40
_STRUCTURE_CODES = {"missing_section", "out_of_order", "duplicate_section", "empty_section"}


@dataclass(frozen=True)
class ModelSpec:
    name: str
    model_path: str
    lora_path: str | None = None


@dataclass(frozen=True)
class EvalConfig:
    test_csv: Path
    models: tuple[ModelSpec, ...]
    output_dir: Path
    limit: int | None = None
    n_threads: int = 2
    use_grammar: bool = True


@dataclass
class ModelReport:
    name: str
    model_file: str
    adapter_file: str | None
    n: int
    rouge1: float
    rouge2: float
    rougeL: float
    rouge1_raw: float
    rouge2_raw: float
    rougeL_raw: float
    bleu: float
    section_completeness: float
    risk_precision_vs_reference: float | None
    risk_recall_vs_reference: float | None
    risk_precision_vs_detector: float | None
    risk_recall_vs_detector: float | None
    word_compliance: float
    fallback_rate: float
    mean_seconds: float
    p50_seconds: float
    p95_seconds: float
    tokens_per_second: float
    meets_rouge_l_target: bool
    notes: list[str] = field(default_factory=list, repr=False)
    seconds: list[float] = field(default_factory=list, repr=False)
    word_counts: list[int] = field(default_factory=list, repr=False)


def strip_for_scoring(note: str) -> str:
    """Remove section headers and RED markup so ROUGE/BLEU score the clinical content."""
    text = note
    for name in SESSION_NOTE_SECTIONS:
        text = text.replace(section_header(name), " ")
    text = text.replace("{{RED:", " ").replace("}}", " ")
    return re.sub(r"\s+", " ", text).strip()


def load_pairs(path: Path, limit: int | None) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [(r["session_transcription"], r["session_summary"]) for r in csv.DictReader(handle)]
    return rows[:limit] if limit else rows


def _precision_recall(predicted: list[bool], actual: list[bool]) -> tuple[float | None, float | None]:
    tp = sum(p and a for p, a in zip(predicted, actual, strict=True))
    fp = sum(p and not a for p, a in zip(predicted, actual, strict=True))
    fn = sum(a and not p for p, a in zip(predicted, actual, strict=True))
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(round(q / 100 * (len(ordered) - 1))), len(ordered) - 1)]


def score_model(spec: ModelSpec, identity: dict[str, Any], pairs: list[tuple[str, str]],
                notes: list[str], seconds: list[float], tokens: list[int], fallbacks: list[bool]) -> ModelReport:
    from nltk.translate.bleu_score import SmoothingFunction, corpus_bleu
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    stripped = [scorer.score(strip_for_scoring(ref), strip_for_scoring(out))
                for (_, ref), out in zip(pairs, notes, strict=True)]
    raw = [scorer.score(ref, out) for (_, ref), out in zip(pairs, notes, strict=True)]

    def mean_f(scores: list[dict[str, Any]], key: str) -> float:
        return statistics.fmean(s[key].fmeasure for s in scores)

    bleu = corpus_bleu([[strip_for_scoring(ref).split()] for _, ref in pairs],
                       [strip_for_scoring(out).split() for out in notes],
                       smoothing_function=SmoothingFunction().method1)
    complete = [not any(v.code in _STRUCTURE_CODES for v in validate_note(n).violations) for n in notes]
    words = [count_words(n) for n in notes]
    predicted_red = [bool(red_spans(n)) for n in notes]
    p_ref, r_ref = _precision_recall(predicted_red, [bool(red_spans(ref)) for _, ref in pairs])
    p_det, r_det = _precision_recall(predicted_red, [bool(detect_risks(t)) for t, _ in pairs])
    rouge_l = mean_f(stripped, "rougeL")
    return ModelReport(
        name=spec.name, model_file=identity["model_file"], adapter_file=identity.get("adapter_file"), n=len(notes),
        rouge1=mean_f(stripped, "rouge1"), rouge2=mean_f(stripped, "rouge2"), rougeL=rouge_l,
        rouge1_raw=mean_f(raw, "rouge1"), rouge2_raw=mean_f(raw, "rouge2"), rougeL_raw=mean_f(raw, "rougeL"),
        bleu=bleu, section_completeness=statistics.fmean(complete),
        risk_precision_vs_reference=p_ref, risk_recall_vs_reference=r_ref,
        risk_precision_vs_detector=p_det, risk_recall_vs_detector=r_det,
        word_compliance=statistics.fmean(NOTE_MIN_WORDS <= w <= NOTE_MAX_WORDS for w in words),
        fallback_rate=statistics.fmean(fallbacks), mean_seconds=statistics.fmean(seconds),
        p50_seconds=_percentile(seconds, 50), p95_seconds=_percentile(seconds, 95),
        tokens_per_second=sum(tokens) / sum(seconds) if sum(seconds) else 0.0,
        meets_rouge_l_target=rouge_l >= ROUGE_L_TARGET, notes=notes, seconds=seconds, word_counts=words,
    )


class ModelEvaluator:
    def __init__(self, config: EvalConfig) -> None:
        self.config = config

    def evaluate_model(self, spec: ModelSpec, pairs: list[tuple[str, str]]) -> ModelReport:
        engine = LlamaInferenceEngine(InferenceConfig(model_path=spec.model_path, lora_path=spec.lora_path,
                                                      n_threads=self.config.n_threads,
                                                      use_grammar=self.config.use_grammar))
        engine.load()
        notes, seconds, tokens, fallbacks = [], [], [], []
        try:
            for transcript, _ in tqdm(pairs, desc=f"evaluating {spec.name}", unit="note"):
                started = time.perf_counter()
                outcome = summarize_single_session(engine, transcript, NoteOptions(use_grammar=self.config.use_grammar))
                seconds.append(time.perf_counter() - started)
                notes.append(outcome.text)
                tokens.append(outcome.completion_tokens)
                fallbacks.append(outcome.fallback)
            return score_model(spec, engine.identity.as_dict(), pairs, notes, seconds, tokens, fallbacks)
        finally:
            engine.unload()

    def run(self) -> list[ModelReport]:
        pairs = load_pairs(self.config.test_csv, self.config.limit)
        if not pairs:
            raise ValueError(f"No rows in {self.config.test_csv}")
        reports = [self.evaluate_model(spec, pairs) for spec in self.config.models]
        write_report(self.config.output_dir, self.config, pairs, reports)
        return reports


_TABLE_METRICS = ["rougeL", "rouge1", "rouge2", "rougeL_raw", "bleu", "section_completeness", "word_compliance",
                  "risk_precision_vs_reference", "risk_recall_vs_reference", "risk_precision_vs_detector",
                  "risk_recall_vs_detector", "fallback_rate", "p50_seconds", "p95_seconds", "tokens_per_second"]


def _fmt(value: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def write_report(out: Path, config: EvalConfig, pairs: list[tuple[str, str]], reports: list[ModelReport]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    summary = [{k: v for k, v in asdict(r).items() if k not in ("notes", "seconds", "word_counts")} for r in reports]
    (out / "report.json").write_text(json.dumps({
        "test_csv": str(config.test_csv), "n": len(pairs), "rouge_l_target": ROUGE_L_TARGET,
        "created_at": time.strftime("%Y-%m-%d %H:%M:%S"), "models": summary}, indent=2), encoding="utf-8")

    names = [r.name for r in reports]
    bar_metrics = ["rougeL", "rouge1", "rouge2", "bleu", "section_completeness", "word_compliance"]
    fig, axes = plt.subplots(2, 3, figsize=(14, 7))
    for ax, metric in zip(axes.flat, bar_metrics, strict=True):
        ax.bar(names, [getattr(r, metric) for r in reports])
        ax.set_title(metric)
        ax.set_ylim(0, 1)
        if metric == "rougeL":
            ax.axhline(ROUGE_L_TARGET, color="red", linestyle="--", label="target")
            ax.legend()
        ax.tick_params(axis="x", rotation=20)
    fig.tight_layout()
    fig.savefig(out / "metrics.png", dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4))
    ax.boxplot([r.seconds for r in reports], tick_labels=names)
    ax.set_ylabel("seconds per note")
    ax.set_title("Latency distribution")
    fig.savefig(out / "latency.png", dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(8, 4))
    for r in reports:
        ax.hist(r.word_counts, bins=20, alpha=0.5, label=r.name)
    ax.axvspan(NOTE_MIN_WORDS, NOTE_MAX_WORDS, color="green", alpha=0.1, label="30-70 words")
    ax.set_xlabel("words per note")
    ax.legend()
    fig.savefig(out / "word_counts.png", dpi=100)
    plt.close(fig)

    lines = [f"# Evaluation report ({time.strftime('%Y-%m-%d')})", "",
             f"Test set: `{config.test_csv}` ({len(pairs)} notes). Target: ROUGE-L >= {ROUGE_L_TARGET} "
             "(stripped of headers and markup).", "",
             "| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for metric in _TABLE_METRICS:
        lines.append(f"| {metric} | " + " | ".join(_fmt(getattr(r, metric)) for r in reports) + " |")
    lines.append("| meets ROUGE-L target | " + " | ".join("yes" if r.meets_rouge_l_target else "no"
                                                          for r in reports) + " |")
    lines += ["", "![metrics](metrics.png)", "![latency](latency.png)", "![word counts](word_counts.png)", "",
              "## Examples", ""]
    for index in range(min(5, len(pairs))):
        lines += [f"### Example {index + 1}", "", "**Reference**", "", "```", pairs[index][1], "```", ""]
        for r in reports:
            lines += [f"**{r.name}**", "", "```", r.notes[index], "```", ""]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
