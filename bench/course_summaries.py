"""Multi-session (course-of-treatment) summaries on data/multi_session_eval: cross-session fact recall,
wrong claims, non-words, cut-off sections and seconds, through summarize_sessions (the worker's path).

Two inputs per history, in one run:
  stored     each session's reference note stands for the clinician's signed note (no model runs: the
             summary is composed from the notes and the transcripts)
  generated  no stored notes: the model writes every session's note first (grounded, risk-checked), and the
             summary is composed from those
Run (idle machine): .venv/bin/python bench/course_summaries.py [--limit N] [--modes stored,generated]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from summarizer.config import InferenceConfig  # noqa: E402 - after the sys.path line
from summarizer.engine import LlamaInferenceEngine  # noqa: E402
from summarizer.model_registry import default_models_dir, model_path_from_env, select_model  # noqa: E402
from summarizer.notes import NoteOptions, SessionInput, summarize_sessions  # noqa: E402
from summarizer.sections import MULTI_SESSION_SECTIONS  # noqa: E402
from summarizer.validation import parse_note  # noqa: E402
from training.faithfulness import TranscriptEvidence, nonwords  # noqa: E402


def matches(patterns: list[str], text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def cut_off_sections(summary: str) -> int:
    """Sections missing, empty, or ending mid-sentence (no closing punctuation)."""
    sections = parse_note(summary, MULTI_SESSION_SECTIONS).sections
    return sum(1 for name in MULTI_SESSION_SECTIONS
               if not sections.get(name) or not re.search(r"[.!?)}\]\"']\s*$", sections[name]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set-dir", type=Path, default=REPO / "data" / "multi_session_eval")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--modes", default="stored,generated")
    args = parser.parse_args()
    rows = [json.loads(line) for path in sorted(args.set_dir.glob("*.jsonl"))
            for line in path.read_text(encoding="utf-8").splitlines() if line.strip()][: args.limit]
    models_dir = default_models_dir()
    model_path, explicit = model_path_from_env(models_dir)
    selection = select_model(models_dir, model_path, explicit_model=explicit)
    engine = LlamaInferenceEngine(InferenceConfig(model_path=selection.model_path, lora_path=selection.lora_path))
    engine.load()
    print(f"# course summaries  {time.strftime('%Y-%m-%d %H:%M')}  histories={len(rows)}  "
          f"sessions={sum(len(r['sessions']) for r in rows)}  model={Path(selection.model_path).name}")
    table = []
    for mode in args.modes.split(","):
        hit = total = wrong = wrong_total = bad_words = cut = red_expected = red_found = 0
        seconds: list[float] = []
        for row in rows:
            inputs = [SessionInput(s["number"], s["date"], s["transcript"],
                                   s["reference_note"] if mode == "stored" else "") for s in row["sessions"]]
            started = time.perf_counter()
            outcome = summarize_sessions(engine, inputs, NoteOptions())
            seconds.append(time.perf_counter() - started)
            plain = outcome.text.replace("**", "").replace("{{RED:", "").replace("}}", "")
            found = [f["id"] for f in row["cross_facts"] if matches(f["patterns"], plain)]
            hit, total = hit + len(found), total + len(row["cross_facts"])
            wrong += sum(matches(w["patterns"], plain) for w in row["wrong_claims"])
            wrong_total += len(row["wrong_claims"])
            # What the summary may quote: the transcripts, and in "stored" mode the clinicians' notes too.
            evidence = TranscriptEvidence.build("\n".join(s.transcript + "\n" + s.notes for s in inputs))
            bad_words += len(nonwords(evidence, outcome.text))
            cut += cut_off_sections(outcome.text)
            # The latest session's note flags a current risk: the summary must too.
            if "{{RED:" in row["sessions"][-1]["reference_note"]:
                red_expected += 1
                red_found += "{{RED:" in outcome.text
            print(f"  {mode:9s} {row['id']}: {len(row['sessions'])} sessions, {seconds[-1]:.1f} s, cross facts "
                  f"{len(found)}/{len(row['cross_facts'])}, sources {sorted(set(outcome.sources))}", flush=True)
        p95 = sorted(seconds)[min(len(seconds) - 1, round(0.95 * (len(seconds) - 1)))]
        table.append((mode, hit / total, wrong, wrong_total, bad_words, cut, red_found, red_expected,
                      statistics.median(seconds), p95))
    engine.unload()
    print("\n| notes | cross-session recall | wrong claims | non-words | cut-off sections | latest risk in RED "
          "| p50 s | p95 s |\n|---|---|---|---|---|---|---|---|")
    for mode, recall, wrong, wrong_total, bad_words, cut, red_found, red_expected, p50, p95 in table:
        print(f"| {mode} | {recall:.2f} | {wrong}/{wrong_total} ({wrong / wrong_total:.1%}) | {bad_words} | {cut} | "
              f"{red_found}/{red_expected} | {p50:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
