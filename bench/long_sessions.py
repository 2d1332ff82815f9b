"""Real-length sessions: positional fact recall, faithfulness and speed on data/long_eval (>= 5,000 words each).

Every transcript goes through the shipped single-session path (summarize_single_session with the
registry's default model and adapter, grounding on) twice in one run: with the long-transcript strategy
that ships ("condensed": chosen sentences from every chunk, summarizer/long_sessions.py) and with the old
head-and-tail truncation as the baseline. Facts carry the third of the transcript they are said in, so
"recall per third" shows whether the middle of a session reaches the note.

Run (one at a time, on an idle machine):
  .venv/bin/python bench/long_sessions.py [--limit N] [--strategies condensed,truncated]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import summarizer.notes as notes_module  # noqa: E402 - after the sys.path line
from summarizer.config import InferenceConfig  # noqa: E402
from summarizer.engine import LlamaInferenceEngine  # noqa: E402
from summarizer.long_sessions import FittedTranscript, fit_transcript  # noqa: E402
from summarizer.model_registry import default_models_dir, model_path_from_env, select_model  # noqa: E402
from summarizer.notes import TRUNCATION_MARKER, NoteOptions, summarize_single_session  # noqa: E402
from training.faithfulness import TranscriptEvidence, nonwords, unsupported_numbers  # noqa: E402

THIRDS = ("beginning", "middle", "end")


def load_set(folder: Path, limit: int | None) -> list[dict[str, Any]]:
    rows = [json.loads(line) for path in sorted(folder.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return rows[:limit] if limit else rows


def head_and_tail(engine: LlamaInferenceEngine) -> Callable[..., FittedTranscript]:
    """The baseline: what the worker did before (keep the head and tail, drop the middle)."""

    def fit(transcript: str, budget: int, count_tokens: Callable[[str], int],
            risk_evidence: Sequence[str] = ()) -> FittedTranscript:
        text, cut = engine.truncate_to_tokens(transcript, budget, TRUNCATION_MARKER)
        return FittedTranscript(text, "truncated" if cut else "whole", count_tokens(transcript), budget)

    return fit


def matches(patterns: list[str], text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def score(row: dict[str, Any], note: str) -> dict[str, Any]:
    plain = note.replace("**", "").replace("{{RED:", "").replace("}}", "")
    per_third = {t: [matches(f["patterns"], plain) for f in row["facts"] if f["third"] == t] for t in THIRDS}
    risk_facts = [f for f in row["facts"] if f["text"].upper().startswith("RISK:")]
    evidence = TranscriptEvidence.build(row["transcript"])
    return {
        "per_third": {t: (sum(v), len(v)) for t, v in per_third.items()},
        "wrong": sum(matches(w["patterns"], plain) for w in row["wrong_claims"]),
        "wrong_total": len(row["wrong_claims"]),
        "risk": (sum(matches(f["patterns"], plain) for f in risk_facts), len(risk_facts)),
        "nonwords": len(nonwords(evidence, note)),
        "unsupported_numbers": len(unsupported_numbers(evidence, note)),
    }


def run_note(name: str, engine: LlamaInferenceEngine, row: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    notes_module.fit_transcript = fit_transcript if name == "condensed" else head_and_tail(engine)
    try:
        started = time.perf_counter()
        outcome = summarize_single_session(engine, row["transcript"], NoteOptions())
        seconds = time.perf_counter() - started
    finally:
        notes_module.fit_transcript = fit_transcript
    print(f"  {name:9s} {row['id']}: {len(row['transcript'].split())} words, {seconds:.1f} s, "
          f"prompt {outcome.prompt_tokens} tokens, coverage {outcome.coverage.get('strategy')}, "
          f"fallback {outcome.fallback}", flush=True)
    return seconds, score(row, outcome.text)


def recall(scores: list[dict[str, Any]], third: str) -> float:
    hit = sum(s["per_third"][third][0] for s in scores)
    total = sum(s["per_third"][third][1] for s in scores)
    return hit / total if total else 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set-dir", type=Path, default=REPO / "data" / "long_eval")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--strategies", default="condensed,truncated")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    rows = load_set(args.set_dir, args.limit)
    models_dir = default_models_dir()
    model_path, explicit = model_path_from_env(models_dir)
    selection = select_model(models_dir, model_path, explicit_model=explicit)
    engine = LlamaInferenceEngine(InferenceConfig(model_path=selection.model_path, lora_path=selection.lora_path,
                                                  n_threads=args.threads))
    engine.load()
    words = [len(r["transcript"].split()) for r in rows]
    print(f"# long sessions  {time.strftime('%Y-%m-%d %H:%M')}  n={len(rows)}  words {min(words)}-{max(words)} "
          f"(median {statistics.median(words):.0f})  model={Path(selection.model_path).name} "
          f"adapter={Path(selection.lora_path).name if selection.lora_path else None}  n_ctx={engine.config.n_ctx}")
    strategies = args.strategies.split(",")
    # Warm up (first-call costs of the model, the risk classifier, the grounding) before anything is timed.
    summarize_single_session(engine, rows[0]["transcript"], NoteOptions())
    results: dict[str, dict[str, list[Any]]] = {name: {"seconds": [], "scores": []} for name in strategies}
    for row in rows:  # strategies alternate per transcript, so machine drift hits both alike
        for name in strategies:
            seconds, scored = run_note(name, engine, row)
            results[name]["seconds"].append(seconds)
            results[name]["scores"].append(scored)
    engine.unload()
    print("\n| strategy | recall beginning | middle | end | overall | risk facts | wrong claims | non-words "
          "| unsupported numbers | p50 s | p95 s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, result in results.items():
        s = result["scores"]
        hit = sum(x["per_third"][t][0] for x in s for t in THIRDS)
        total = sum(x["per_third"][t][1] for x in s for t in THIRDS)
        risk_hit, risk_total = sum(x["risk"][0] for x in s), sum(x["risk"][1] for x in s)
        print(f"| {name} | {recall(s, 'beginning'):.2f} | {recall(s, 'middle'):.2f} | {recall(s, 'end'):.2f} | "
              f"{hit / total:.2f} | {risk_hit}/{risk_total} | {sum(x['wrong'] for x in s)}/"
              f"{sum(x['wrong_total'] for x in s)} | {sum(x['nonwords'] for x in s)} | "
              f"{sum(x['unsupported_numbers'] for x in s)} | {statistics.median(result['seconds']):.1f} | "
              f"{percentile(result['seconds'], 0.95):.1f} |")
    if {"condensed", "truncated"} <= results.keys():
        c, t = results["condensed"]["scores"], results["truncated"]["scores"]
        print(f"\nmiddle-third recall: condensed {recall(c, 'middle'):.2f} vs truncated {recall(t, 'middle'):.2f}; "
              f"gap to the first third: condensed {recall(c, 'beginning') - recall(c, 'middle'):+.2f}, "
              f"truncated {recall(t, 'beginning') - recall(t, 'middle'):+.2f}")
        p50 = {name: statistics.median(results[name]["seconds"]) for name in ("condensed", "truncated")}
        print(f"p50 ratio condensed/truncated: {p50['condensed'] / p50['truncated']:.2f}")
    print(f"peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
