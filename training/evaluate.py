"""Model evaluation: generate notes for a test CSV through the same summarizer code the
workers use, score them, compare several models, and write a report directory.

Scores: ROUGE-1/2/L (rouge-score; on text with section headers and {{RED:}} markup stripped,
and raw), BLEU (nltk, smoothed), section completeness, risk-marker precision/recall against
the reference notes and against the transcript risk detector, word-count compliance (30-70),
fallback rate, latency mean/p50/p95 and tokens/s; faithfulness to the transcript (training/faithfulness.py:
unsupported numbers, content words, non-words, entities, risk polarity, key facts).

Besides the models, two calibration rows are scored without a model: "reference" (the CSV's human notes)
and "extractive-fallback" (the product's extractive note). They show what the metrics give for a
faithful-by-construction note and for a clinician's abstractive one.
"""

from __future__ import annotations

import csv
import json
import logging
import math
import re
import statistics
import time
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from tqdm import tqdm

from summarizer.config import InferenceConfig
from summarizer.engine import LlamaInferenceEngine
from summarizer.fallback import extractive_fallback_note
from summarizer.notes import NoteOptions, summarize_single_session
from summarizer.risk import detect_risks
from summarizer.sections import NOTE_MAX_WORDS, NOTE_MIN_WORDS, SESSION_NOTE_SECTIONS, section_header
from summarizer.text import count_words, red_spans
from summarizer.validation import validate_note
from training.faithfulness import (
    FactSet,
    FaithfulnessSummary,
    NoteFaithfulness,
    TranscriptEvidence,
    assess_notes,
    load_fact_set,
    transcript_sha256,
)

logger = logging.getLogger(__name__)

ROUGE_L_TARGET = 0.40
REFERENCE_ROW = "reference"
FALLBACK_ROW = "extractive-fallback"
_STRUCTURE_CODES = {"missing_section", "out_of_order", "duplicate_section", "empty_section"}


@dataclass(frozen=True)
class ModelSpec:
    name: str
    model_path: str
    lora_path: str | None = None
    # Per-variant generation settings for ablations; None: the run's default (EvalConfig).
    use_grammar: bool | None = None
    grammar_retry: bool = False
    ground_statements: bool = True
    plan_evidence: bool = True
    state_denials: bool = True
    # Engine memory options; None: InferenceConfig's defaults (what a worker runs).
    flash_attn: bool | None = None
    kv_cache_type: str | None = None


@dataclass(frozen=True)
class EvalConfig:
    test_csv: Path
    models: tuple[ModelSpec, ...]
    output_dir: Path
    limit: int | None = None
    n_threads: int = 2
    use_grammar: bool = True
    facts_path: Path | None = None  # data/facts/facts.jsonl; None or missing: fact columns left empty


@dataclass
class ModelReport:
    name: str
    model_file: str
    adapter_file: str | None
    n: int
    # None only on calibration rows, where the figure means nothing (the reference against itself, the
    # latency of a note no model wrote).
    rouge1: float | None
    rouge2: float | None
    rougeL: float | None
    rouge1_raw: float | None
    rouge2_raw: float | None
    rougeL_raw: float | None
    bleu: float | None
    section_completeness: float
    risk_precision_vs_reference: float | None
    risk_recall_vs_reference: float | None
    risk_precision_vs_detector: float | None
    risk_recall_vs_detector: float | None
    word_compliance: float
    fallback_rate: float | None
    mean_seconds: float | None
    p50_seconds: float | None
    p95_seconds: float | None
    tokens_per_second: float | None
    meets_rouge_l_target: bool
    kind: str = "model"  # "model" | "calibration"
    # faithfulness to the transcript (training/faithfulness.py)
    unsupported_numbers_total: int = 0
    notes_with_unsupported_number: int = 0
    unsupported_content_rate: float = 0.0
    nonwords_total: int = 0
    notes_with_nonword: int = 0
    unsupported_entities_total: int = 0
    risk_asserted_unsupported: int = 0
    risk_denied_current: int = 0
    fact_recall: float | None = None
    contradiction_rate: float | None = None
    fact_sessions: int = 0
    notes: list[str] = field(default_factory=list, repr=False)
    seconds: list[float] = field(default_factory=list, repr=False)
    word_counts: list[int] = field(default_factory=list, repr=False)
    faithfulness: list[NoteFaithfulness] = field(default_factory=list, repr=False)


FAITHFULNESS_FIELDS = ("unsupported_numbers_total", "notes_with_unsupported_number", "unsupported_content_rate",
                       "nonwords_total", "notes_with_nonword", "unsupported_entities_total",
                       "risk_asserted_unsupported", "risk_denied_current", "fact_recall", "contradiction_rate",
                       "fact_sessions")
_DETAIL_FIELDS = ("notes", "seconds", "word_counts", "faithfulness")
_OVERLAP_FIELDS = ("rouge1", "rouge2", "rougeL", "rouge1_raw", "rouge2_raw", "rougeL_raw", "bleu",
                   "risk_precision_vs_reference", "risk_recall_vs_reference")
_LATENCY_FIELDS = ("fallback_rate", "mean_seconds", "p50_seconds", "p95_seconds", "tokens_per_second")


@dataclass
class EvaluationRun:
    models: list[ModelReport]
    calibration: list[ModelReport]
    facts_loaded: bool
    fact_entries: int = 0


@dataclass(frozen=True)
class FaithfulnessContext:
    """Transcript evidence (risk detector included) and the fact set, computed once per run."""

    pairs: list[tuple[str, str]]
    evidence: list[TranscriptEvidence]
    facts: FactSet | None

    @classmethod
    def build(cls, pairs: list[tuple[str, str]], facts: FactSet | None) -> FaithfulnessContext:
        return cls(pairs=pairs, evidence=[TranscriptEvidence.build(t) for t, _ in pairs], facts=facts)

    def score(self, notes: list[str]) -> FaithfulnessSummary:
        return assess_notes(self.evidence, notes, self.facts)


def with_faithfulness(report: ModelReport, summary: FaithfulnessSummary) -> ModelReport:
    return replace(report, **{name: getattr(summary, name) for name in FAITHFULNESS_FIELDS},
                   faithfulness=summary.details)


def load_facts(path: Path | None) -> FactSet | None:
    """The fact set, or None (logged) when none is configured or the file is missing."""
    if path is None:
        return None
    if not path.is_file():
        logger.warning("fact set %s not found: fact recall and contradiction columns left empty", path)
        return None
    return load_fact_set(path)


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


def score_calibration(name: str, pairs: list[tuple[str, str]], notes: list[str],
                      compare_with_reference: bool) -> ModelReport:
    """A row scored like a model's but written without one; latency and fallback rate do not apply, and
    overlap with the reference is dropped where the notes ARE the reference (trivially 1.0)."""
    zeros = [0.0] * len(notes)
    report = score_model(ModelSpec(name, model_path=""), {"model_file": "(no model)"}, pairs, notes, zeros,
                         [0] * len(notes), [False] * len(notes))
    overrides: dict[str, Any] = {"kind": "calibration", "seconds": [], **dict.fromkeys(_LATENCY_FIELDS)}
    if not compare_with_reference:
        overrides |= {**dict.fromkeys(_OVERLAP_FIELDS), "meets_rouge_l_target": False}
    return replace(report, **overrides)


class ModelEvaluator:
    def __init__(self, config: EvalConfig) -> None:
        self.config = config
        self._context: FaithfulnessContext | None = None

    def _faithfulness(self, pairs: list[tuple[str, str]]) -> FaithfulnessContext:
        if self._context is None or self._context.pairs is not pairs:
            self._context = FaithfulnessContext.build(pairs, load_facts(self.config.facts_path))
        return self._context

    def calibration_reports(self, pairs: list[tuple[str, str]]) -> list[ModelReport]:
        """The reference notes and the extractive fallback, scored with no model loaded."""
        context = self._faithfulness(pairs)
        references = [ref for _, ref in pairs]
        fallbacks = [extractive_fallback_note(t, list(ev.findings)) for (t, _), ev in zip(pairs, context.evidence,
                                                                                        strict=True)]
        return [
            with_faithfulness(score_calibration(REFERENCE_ROW, pairs, references, compare_with_reference=False),
                              context.score(references)),
            with_faithfulness(score_calibration(FALLBACK_ROW, pairs, fallbacks, compare_with_reference=True),
                              context.score(fallbacks)),
        ]

    def evaluate_model(self, spec: ModelSpec, pairs: list[tuple[str, str]]) -> ModelReport:
        use_grammar = self.config.use_grammar if spec.use_grammar is None else spec.use_grammar
        options = NoteOptions(use_grammar=use_grammar, grammar_retry=spec.grammar_retry,
                              ground_statements=spec.ground_statements,
                              plan_evidence=spec.plan_evidence, state_denials=spec.state_denials)
        inference = InferenceConfig(model_path=spec.model_path, lora_path=spec.lora_path,
                                    n_threads=self.config.n_threads, use_grammar=use_grammar)
        inference = replace(inference, flash_attn=inference.flash_attn if spec.flash_attn is None else spec.flash_attn,
                            kv_cache_type=spec.kv_cache_type or inference.kv_cache_type)
        engine = LlamaInferenceEngine(inference)
        engine.load()
        notes, seconds, tokens, fallbacks = [], [], [], []
        try:
            for transcript, _ in tqdm(pairs, desc=f"evaluating {spec.name}", unit="note"):
                started = time.perf_counter()
                outcome = summarize_single_session(engine, transcript, options)
                seconds.append(time.perf_counter() - started)
                notes.append(outcome.text)
                tokens.append(outcome.completion_tokens)
                fallbacks.append(outcome.fallback)
            report = score_model(spec, engine.identity.as_dict(), pairs, notes, seconds, tokens, fallbacks)
        finally:
            engine.unload()
        return with_faithfulness(report, self._faithfulness(pairs).score(notes))

    def run_all(self) -> EvaluationRun:
        """Every model, then the two calibration rows; writes the report directory."""
        pairs = load_pairs(self.config.test_csv, self.config.limit)
        if not pairs:
            raise ValueError(f"No rows in {self.config.test_csv}")
        context = self._faithfulness(pairs)
        reports = [self.evaluate_model(spec, pairs) for spec in self.config.models]
        calibration = self.calibration_reports(pairs)
        write_report(self.config.output_dir, self.config, pairs, reports, calibration=calibration,
                     facts=context.facts)
        return EvaluationRun(models=reports, calibration=calibration, facts_loaded=context.facts is not None,
                             fact_entries=len(context.facts.entries) if context.facts else 0)

    def run(self) -> list[ModelReport]:
        """The model reports only (the calibration rows are in the written report and in run_all)."""
        return self.run_all().models


_TABLE_METRICS = ["rougeL", "rouge1", "rouge2", "rougeL_raw", "bleu", "section_completeness", "word_compliance",
                  "risk_precision_vs_reference", "risk_recall_vs_reference", "risk_precision_vs_detector",
                  "risk_recall_vs_detector", "fallback_rate", "p50_seconds", "p95_seconds", "tokens_per_second"]
# (column header, ModelReport field) of the Faithfulness table
_FAITHFULNESS_COLUMNS = [
    ("unsupported numbers", "unsupported_numbers_total"),
    ("notes with unsupported number", "notes_with_unsupported_number"),
    ("unsupported content rate", "unsupported_content_rate"), ("non-words", "nonwords_total"),
    ("notes with non-word", "notes_with_nonword"), ("unsupported entities", "unsupported_entities_total"),
    ("risk asserted unsupported", "risk_asserted_unsupported"), ("risk denied current", "risk_denied_current"),
    ("fact recall", "fact_recall"), ("contradiction rate", "contradiction_rate"), ("fact sessions", "fact_sessions"),
]


def _fmt(value: Any, report: ModelReport | None = None) -> str:
    if value is None:
        # A calibration row has no figure where it means nothing; a model's None is "not measurable".
        return "—" if report is not None and report.kind == "calibration" else "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def _summary(report: ModelReport) -> dict[str, Any]:
    return {f.name: getattr(report, f.name) for f in fields(report) if f.name not in _DETAIL_FIELDS}


def _per_note(pairs: list[tuple[str, str]], report: ModelReport) -> list[dict[str, Any]]:
    # The note itself too, so a miss can be read next to its figures (the test split is synthetic, not PHI).
    notes = report.notes if len(report.notes) == len(pairs) else [None] * len(pairs)
    return [{"index": index, "transcript_sha256": transcript_sha256(transcript), **detail.as_dict(), "note": note}
            for index, ((transcript, _), detail, note) in enumerate(zip(pairs, report.faithfulness, notes,
                                                                        strict=True))]


def _bar_value(value: float | None) -> float:
    return math.nan if value is None else value


def _faithfulness_lines(rows: list[ModelReport], facts: FactSet | None, config: EvalConfig) -> list[str]:
    if facts is not None:
        matched = max((r.fact_sessions for r in rows), default=0)
        facts_line = f"Fact set: `{facts.path}` ({len(facts.entries)} sessions; {matched} of the test rows matched)."
    elif config.facts_path is not None:
        facts_line = f"Fact set `{config.facts_path}` not found: fact columns left empty."
    else:
        facts_line = "No fact set given: fact columns left empty."
    lines = ["## Faithfulness", "",
             "Each note against its own transcript (no reference needed); `reference` and `extractive-fallback` "
             "are calibration rows written without a model. Unsupported numbers/entities: values, names, "
             "relations, medications and doses the transcript never says; content rate: share of the note's "
             "content words (stemmed, stopwords and a short clinical vocabulary out) absent from the transcript; "
             "non-words: tokens in neither the transcript nor the dictionary, HTML entities and mojibake "
             "(target 0); risk asserted unsupported / denied current: notes whose Risk section asserts a risk "
             "the detector does not find as current, or denies one it does. Per-note details are in "
             "`report.json`.", "", facts_line, "",
             "| row | " + " | ".join(header for header, _ in _FAITHFULNESS_COLUMNS) + " |",
             "|---|" + "---|" * len(_FAITHFULNESS_COLUMNS)]
    for r in rows:
        lines.append(f"| {r.name} | " + " | ".join(_fmt(getattr(r, name), r) for _, name in _FAITHFULNESS_COLUMNS)
                     + " |")
    return lines + ["", "![faithfulness](faithfulness.png)", ""]


def _plot_faithfulness(plt: Any, out: Path, rows: list[ModelReport]) -> None:
    names = [r.name for r in rows]
    panels = [("notes with an unsupported number", [r.notes_with_unsupported_number / r.n for r in rows]),
              ("unsupported content rate", [r.unsupported_content_rate for r in rows]),
              ("notes with a non-word", [r.notes_with_nonword / r.n for r in rows])]
    fig, axes = plt.subplots(1, len(panels), figsize=(15, 4))
    for ax, (title, values) in zip(axes, panels, strict=True):
        ax.bar(names, values, color=["tab:gray" if r.kind == "calibration" else "tab:blue" for r in rows])
        ax.set_title(title)
        ax.set_ylim(0, 1)
        ax.tick_params(axis="x", rotation=20)
    fig.suptitle("Faithfulness to the transcript (grey: calibration rows, no model)")
    fig.tight_layout()
    fig.savefig(out / "faithfulness.png", dpi=100)
    plt.close(fig)


def write_report(out: Path, config: EvalConfig, pairs: list[tuple[str, str]], reports: list[ModelReport],
                 calibration: list[ModelReport] | None = None, facts: FactSet | None = None) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    calibration = calibration or []
    rows = [*reports, *calibration]
    facts_file = facts.path if facts else config.facts_path
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps({
        "test_csv": str(config.test_csv), "n": len(pairs), "rouge_l_target": ROUGE_L_TARGET,
        "created_at": time.strftime("%Y-%m-%d %H:%M:%S"), "models": [_summary(r) for r in reports],
        "calibration": [_summary(r) for r in calibration],
        "faithfulness": {
            "facts_file": str(facts_file) if facts_file else None,
            "facts_loaded": facts is not None, "fact_entries": len(facts.entries) if facts else 0,
            "per_note": {r.name: _per_note(pairs, r) for r in rows if r.faithfulness},
        }}, indent=2), encoding="utf-8")

    names = [r.name for r in rows]
    bar_metrics = ["rougeL", "rouge1", "rouge2", "bleu", "section_completeness", "word_compliance"]
    fig, axes = plt.subplots(2, 3, figsize=(14, 7))
    for ax, metric in zip(axes.flat, bar_metrics, strict=True):
        ax.bar(names, [_bar_value(getattr(r, metric)) for r in rows])
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
    if reports:  # calibration rows have no latency
        ax.boxplot([r.seconds for r in reports], tick_labels=[r.name for r in reports])
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

    _plot_faithfulness(plt, out, rows)

    lines = [f"# Evaluation report ({time.strftime('%Y-%m-%d')})", "",
             f"Test set: `{config.test_csv}` ({len(pairs)} notes). Target: ROUGE-L >= {ROUGE_L_TARGET} "
             "(stripped of headers and markup).", "",
             "| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for metric in _TABLE_METRICS:
        lines.append(f"| {metric} | " + " | ".join(_fmt(getattr(r, metric), r) for r in rows) + " |")
    lines.append("| meets ROUGE-L target | " + " | ".join(
        "—" if r.rougeL is None else "yes" if r.meets_rouge_l_target else "no" for r in rows) + " |")
    lines += ["", "![metrics](metrics.png)", "![latency](latency.png)", "![word counts](word_counts.png)", ""]
    lines += _faithfulness_lines(rows, facts, config)
    lines += ["## Examples", ""]
    for index in range(min(5, len(pairs))):
        lines += [f"### Example {index + 1}", "", "**Reference**", "", "```", pairs[index][1], "```", ""]
        for r in rows:
            if r.name != REFERENCE_ROW:
                lines += [f"**{r.name}**", "", "```", r.notes[index], "```", ""]
    (out / "report.md").write_text("\n".join(lines), encoding="utf-8")
