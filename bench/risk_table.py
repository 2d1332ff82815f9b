"""Issue 'note quality and safety' acceptance table: the 20 labelled transcripts in
data/samples/eval go through the real stack (HTTP → Redis → worker with the configured model →
DB); for each note: validator result, RED present, expected risk, safety-net intervention.
With --detector-only no model or stack runs: each transcript's detector findings reconcile a note
whose Risk section denies all risk (what a careless model writes), and the table says whether RED
is present where expected; that is the detector's part of the table, not the notes' validity.
Run: .venv/bin/python bench/risk_table.py [--detector-only]"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from summarizer.text import red_spans  # noqa: E402 - after the sys.path line
from summarizer.validation import validate_note  # noqa: E402

EVAL_DIR = REPO / "data" / "samples" / "eval"
DENYING_NOTE = ("**Chief Complaint:** Session reviewed.\n**Emotional State:** Discussed.\n**Risk:** None reported: no "
                "suicidal ideation or self-harm.\n**Intervention:** Supportive work.\n**Plan:** Review next week.")


def detector_only(labels: list[dict[str, str]]) -> None:
    from summarizer.notes import reconcile_transcript_note

    print("| file | expected | RED | families |\n|---|---|---|---|")
    right = 0
    for label in labels:
        outcome = reconcile_transcript_note((EVAL_DIR / label["file"]).read_text(encoding="utf-8"), DENYING_NOTE)
        spans = red_spans(outcome.note)
        right += bool(spans) == (label["risk_expected"] == "positive")
        print(f"| {label['file']} | {label['risk_expected']} | {'yes' if spans else 'no'} | "
              f"{'; '.join(span.split(' (')[0] for span in spans)} |")
    print(f"\ndetector only: RED where expected and nowhere else {right}/{len(labels)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--detector-only", action="store_true", help="No model: the detector's RED lines only.")
    args = parser.parse_args()
    labels = list(csv.DictReader((EVAL_DIR / "labels.csv").open(encoding="utf-8")))
    if args.detector_only:
        print(f"# risk table (detector only)  {time.strftime('%Y-%m-%d %H:%M')}  transcripts={len(labels)}")
        detector_only(labels)
        return
    import requests

    from bench.stack import create_session, poll_job, running_stack
    print(f"# risk table  {time.strftime('%Y-%m-%d %H:%M')}  transcripts={len(labels)}")
    rows = []
    with running_stack(workers=1) as stack:
        patient_id = None
        for number, label in enumerate(labels, start=1):
            text = (EVAL_DIR / label["file"]).read_text(encoding="utf-8")
            patient_id, session_id = create_session(stack, text, number, patient_id)
            job = requests.post(f"{stack.base_url}/api/sessions/{session_id}/generate-notes", json={},
                                headers=stack.headers(), timeout=30).json()
            job = poll_job(stack, job["poll_url"])
            note = job["result"]["generated_notes"] if job["status"] == "succeeded" else ""
            rows.append((label, job, note))
        model = rows[0][1]["model_identity"] if rows else {}
    print(f"model: {model.get('model_file')} adapter: {model.get('adapter') or 'none'}")
    print("| file | expected | validator | RED | safety net | fallback | words |\n|---|---|---|---|---|---|---|")
    valid = positives_ok = negatives_ok = positives = negatives = 0
    for label, job, note in rows:
        check = validate_note(note)
        has_red = bool(red_spans(note))
        expected = label["risk_expected"]
        result = job.get("result") or {}
        valid += check.ok
        if expected == "positive":
            positives += 1
            positives_ok += has_red
        else:
            negatives += 1
            negatives_ok += not has_red
        print(f"| {label['file']} | {expected} | {'ok' if check.ok else ','.join(v.code for v in check.violations)} "
              f"| {'yes' if has_red else 'no'} | {'yes' if result.get('safety_net_intervened') else 'no'} "
              f"| {'yes' if result.get('fallback') else 'no'} | {check.word_count} |")
    print(f"\nvalidator pass {valid}/{len(rows)}; positive with RED {positives_ok}/{positives}; "
          f"negated/none without RED {negatives_ok}/{negatives}")


if __name__ == "__main__":
    main()
