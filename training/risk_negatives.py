"""Build the risk classifier's in-context negatives from the training corpus.

Hand-written risk sentences alone teach the classifier what risk sounds like, not what ordinary
session talk sounds like ("I did it", "the wedding's in June"): scored on whole patient turns it
then flags small talk. Patient turns of the corpus sessions whose metadata says there is no risk
("none") are exactly that ordinary talk, so they become ``none`` rows. Sessions with risk, or with
denied risk, are left out: their turns are unlabelled at the turn level.

Run: .venv/bin/python -m training.risk_negatives   (writes data/risk_sentences/corpus_negatives.csv)
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "data" / "corpus"
OUTPUT = REPO / "data" / "risk_sentences" / "corpus_negatives.csv"
_PATIENT_LABEL = re.compile(r"^\s*(?:patient|client|c|p|speaker\s*2)\s*:?\s*", re.IGNORECASE)
_MIN_WORDS = 4


def patient_turns(transcript: str) -> list[str]:
    """Labelled patient lines (ASR sessions without labels give none)."""
    turns = []
    for line in transcript.splitlines():
        label = _PATIENT_LABEL.match(line)
        if label and len(line[label.end():].split()) >= _MIN_WORDS:
            turns.append(" ".join(line[label.end():].split()))
    return turns


def build() -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    for meta_path in sorted(CORPUS.glob("part_*_meta.csv")):
        sessions_path = meta_path.with_name(meta_path.name.replace("_meta", ""))
        with meta_path.open(encoding="utf-8", newline="") as meta_file, \
                sessions_path.open(encoding="utf-8", newline="") as sessions_file:
            for meta, session in zip(csv.DictReader(meta_file), csv.DictReader(sessions_file), strict=True):
                if meta["risk"] == "none":
                    rows.extend((turn, "none", "en") for turn in patient_turns(session["session_transcription"]))
    return rows


def main() -> None:
    rows = build()
    with OUTPUT.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["text", "label", "lang"])
        writer.writerows(rows)
    print(f"wrote {len(rows)} rows to {OUTPUT}")


if __name__ == "__main__":
    main()
