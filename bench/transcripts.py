"""Benchmark inputs: the corpus test split if prepared, else the evaluation samples, else the demo."""

from __future__ import annotations

import csv
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def load_transcripts(n: int) -> list[str]:
    texts: list[str] = []
    split = REPO / "data" / "splits" / "test.csv"
    if split.is_file():
        with split.open(encoding="utf-8", newline="") as handle:
            texts = [row["session_transcription"] for row in csv.DictReader(handle)]
    samples = REPO / "data" / "samples" / "eval"
    if samples.is_dir():
        texts += [p.read_text(encoding="utf-8") for p in sorted(samples.glob("*.txt"))]
    if not texts:
        texts = [(REPO / "data" / "samples" / "demo_session.txt").read_text(encoding="utf-8")]
    return [texts[i % len(texts)] for i in range(n)]
