"""Risk safety bench on the severity-labelled risk set (data/risk_eval/*.jsonl, 168 development cases; --set-dir
data/risk_heldout for the 50 cases never tuned on).

Two parts, printed as tables (training/risk_eval.py scores them):
1. Adversarial model outputs, no model needed: each case's transcript with a note whose Risk
   section is what a careless model writes — the case's own adversarial text where it has one,
   a flat denial, an understated RED item, and on no-risk cases a RED item on nothing — through
   the same detector and reconciliation the worker runs.
2. Final notes through the real stack (HTTP -> Redis -> worker with the configured model -> DB),
   scored from the job's stored note. Skip with --offline-only.

--cases prints, before the tables, every case whose detector findings (most severe current finding per
family) differ from its labels: misses, wrong severities and families found that are not labelled.

Run: .venv/bin/python bench/risk_bench.py [--offline-only] [--cases] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training.risk_eval import RiskCase, format_summary, load_cases, score_note, summarise

NOTE = ("**Chief Complaint:** Session reviewed.\n**Emotional State:** Discussed.\n**Risk:** {risk}\n"
        "**Intervention:** Supportive work.\n**Plan:** Review next week.")
VARIANTS = {
    "denial": "None reported: no suicidal ideation or self-harm.",
    "understated": "{{RED:Passive SI, low risk.}} No plan.",
    "red_on_nothing": "{{RED:Self-harm reported.}}",
}


def adversarial_part(cases: list[RiskCase]) -> None:
    from summarizer.notes import reconcile_transcript_note

    for variant in ("case_adversarial", *VARIANTS):
        chosen = [c for c in cases if variant != "case_adversarial" or c.adversarial_risk_text]
        scores = []
        for case in chosen:
            risk = case.adversarial_risk_text if variant == "case_adversarial" else VARIANTS[variant]
            outcome = reconcile_transcript_note(case.transcript, NOTE.format(risk=risk))
            scores.append(score_note(case, outcome.note, outcome.needs_attention))
        print(format_summary(f"adversarial model output: {variant}", summarise(chosen, scores)), end="\n\n")


def case_part(cases: list[RiskCase]) -> None:
    from summarizer.risk import detect_risks
    from summarizer.risk_types import most_severe_per_family

    print("## detector findings that differ from the labels\n")
    differ = 0
    for case in cases:
        found = {f.family: f.severity.value for f in most_severe_per_family(detect_risks(case.transcript))}
        if found != case.families:
            differ += 1
            print(f"- {case.id}: labelled {case.families or 'none'}, found {found or 'none'}")
    print(f"\n{differ}/{len(cases)} cases differ\n")


def stack_part(cases: list[RiskCase], save: Path | None) -> None:
    import requests

    from bench.stack import create_session, poll_job, running_stack

    scores = []
    started = time.monotonic()
    with running_stack(workers=1) as stack:
        patient_id = None
        for number, case in enumerate(cases, start=1):
            patient_id, session_id = create_session(stack, case.transcript, number, patient_id)
            response = requests.post(f"{stack.base_url}/api/sessions/{session_id}/generate-notes", json={},
                                     headers=stack.headers(), timeout=30)
            if response.status_code != 202:
                print(f"{case.id}: submit {response.status_code} {response.text[:200]}")
                continue
            job = poll_job(stack, response.json()["poll_url"])
            result = job.get("result") or {}
            note = result.get("generated_notes", "")
            score = score_note(case, note, bool(result.get("needs_attention")))
            scores.append(score)
            if save is not None:
                with save.open("a", encoding="utf-8") as handle:
                    handle.write(json.dumps({"id": case.id, "note": note, "needs_attention": score.needs_attention,
                                             "attention_reasons": result.get("attention_reasons"),
                                             "risk_flags": result.get("risk_flags")}) + "\n")
            print(f"{case.id} {job['status']} red={sorted(f for f, hit in score.family_red.items() if hit)} "
                  f"stated={score.family_severity_stated} false_red={score.false_red} "
                  f"denial={score.denial_next_to_risk} fallback={result.get('fallback')}")
        model = job.get("model_identity", {}) if cases else {}
    print(f"\nmodel: {model.get('model_file')} adapter: {model.get('adapter') or 'none'}; "
          f"{len(scores)} notes in {time.monotonic() - started:.0f} s")
    scored = [c for c in cases if c.id in {s.case_id for s in scores}]
    print(format_summary("final notes through the real worker", summarise(scored, scores)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--offline-only", action="store_true", help="Only the adversarial-output part.")
    parser.add_argument("--cases", action="store_true", help="List cases whose detector findings differ.")
    parser.add_argument("--limit", type=int, default=None, help="First N cases only.")
    parser.add_argument("--save", type=Path, default=None, help="Append each final note and its flags (JSONL).")
    parser.add_argument("--set-dir", type=Path, default=None,
                        help="Score the cases in this directory instead (e.g. data/risk_heldout: never tuned on).")
    args = parser.parse_args()
    cases = (load_cases(args.set_dir) if args.set_dir else load_cases())[: args.limit]
    print(f"# risk bench  {time.strftime('%Y-%m-%d %H:%M')}  cases={len(cases)}\n")
    if args.cases:
        case_part(cases)
    adversarial_part(cases)
    if not args.offline_only:
        stack_part(cases, args.save)


if __name__ == "__main__":
    main()
