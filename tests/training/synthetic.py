"""Small synthetic therapy-session rows for tests (the real corpus may not exist yet)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

_NAMES = ["Maya", "Jon", "Priya", "Sam", "Lena", "Omar", "Ava", "Theo", "Ines", "Kai", "Rosa", "Ben"]
_TOPICS = [
    ("work stress", "anxious", "cognitive restructuring of catastrophic thoughts", "wind-down routine"),
    (
        "grief after losing a parent",
        "sad",
        "grief processing and memory work",
        "write a letter to her father",
    ),
    (
        "panic attacks on the train",
        "fearful",
        "interoceptive exposure and paced breathing",
        "ride one stop daily",
    ),
    ("conflict with a partner", "frustrated", "communication skills rehearsal", "use I-statements twice"),
    (
        "low mood and withdrawal",
        "flat",
        "behavioural activation planning",
        "schedule three pleasant activities",
    ),
    ("insomnia", "tired", "sleep hygiene and stimulus control", "fixed wake time of 7 am"),
]
_RISKS = [None, None, None, "passive suicidal ideation without plan", "self-harm urges last weekend"]


def make_pair(index: int, seed: int = 0, lines: int = 8) -> tuple[str, str]:
    rng = random.Random(seed * 10_007 + index)
    name = rng.choice(_NAMES)
    topic, mood, intervention, plan = rng.choice(_TOPICS)
    risk = rng.choice(_RISKS)
    turns = [f"Therapist: Welcome back, {name}. Session {index}. How was the week with the {topic}?"]
    for turn in range(lines):
        detail = rng.randint(1, 10_000)
        turns.append(
            f"Patient: It has been hard, I felt {mood} most days, especially on day {turn + 1} (#{detail})."
        )
        turns.append(f"Therapist: Let's look at that together using {intervention}.")
    if risk:
        turns.append(f"Patient: I should mention I had {risk}.")
        turns.append("Therapist: Thank you for telling me. Let's make a safety plan together.")
    turns.append(f"Therapist: For next week, please try this: {plan}.")
    risk_line = f"{{{{RED:{risk}}}}}; safety plan made" if risk else "None reported"
    note = (
        f"**Chief Complaint:** {name} reports ongoing {topic} (session {index}).\n"
        f"**Emotional State:** Presents {mood}, engaged and reflective.\n"
        f"**Risk:** {risk_line}.\n"
        f"**Intervention:** Used {intervention}.\n"
        f"**Plan:** Homework: {plan}; review next session."
    )
    return "\n".join(turns), note


def write_corpus(path: Path, rows: int, seed: int = 0, encoding: str = "utf-8", lines: int = 8) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["session_transcription", "session_summary"])
        for i in range(rows):
            writer.writerow(make_pair(i, seed, lines))
    return path
