#!/usr/bin/env python3
"""Check the long-session and multi-session evaluation sets (stdlib only).

Long set (data/long_eval/*.jsonl), one session per line:
  id, style, presenting_problem, transcript, facts[{id, text, third, patterns}], wrong_claims[{id, text, patterns}],
  reference_note
Multi-session set (data/multi_session_eval/*.jsonl), one patient history per line:
  id, patient, presenting_problem, sessions[{number, date, transcript, reference_note}],
  session_facts[{id, session, text, patterns}], cross_facts[{id, text, sessions, patterns}],
  wrong_claims[{id, text, patterns}], reference_summary

Patterns are Python regexes matched with re.IGNORECASE against a note after markup stripping (as in
data/facts/check_facts.py). Checks: shape, word counts (long transcripts >= 5,000 words), each long fact's
"third" is where its evidence sits (at least one pattern matches that third of the transcript), every
pattern compiles, the reference note/summary matches >= 80% of its facts and none of its wrong claims.

Usage: python3 data/long_eval/check_sets.py [-v]
Exit status 0 when every check passes.
"""
import json
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent
THIRDS = ("beginning", "middle", "end")
SECTIONS = ("Chief Complaint", "Emotional State", "Risk", "Intervention", "Plan")


def strip_markup(note: str) -> str:
    return note.replace("**", "").replace("{{RED:", "").replace("}}", "")


def matches(patterns: list[str], text: str) -> bool:
    return any(re.search(p, text, re.IGNORECASE) for p in patterns)


def words(text: str) -> int:
    return len(text.split())


def thirds(transcript: str) -> list[str]:
    """Split by words into three equal parts (the same cut the positional-recall bench uses)."""
    tokens = transcript.split()
    n = len(tokens)
    cuts = [0, n // 3, 2 * n // 3, n]
    return [" ".join(tokens[cuts[i]:cuts[i + 1]]) for i in range(3)]


def check_patterns(items: list[dict], where: str, errors: list[str]) -> None:
    for item in items:
        if not item.get("patterns"):
            errors.append(f"{where} {item.get('id')}: no patterns")
        for p in item.get("patterns", []):
            try:
                re.compile(p)
            except re.error as exc:
                errors.append(f"{where} {item.get('id')}: bad pattern {p!r}: {exc}")


def check_note_shape(note: str, where: str, errors: list[str]) -> None:
    for name in SECTIONS:
        if f"**{name}:**" not in note:
            errors.append(f"{where}: reference note lacks **{name}:**")


def score(reference: str, facts: list[dict], wrong: list[dict], where: str, errors: list[str], verbose: bool) -> float:
    plain = strip_markup(reference)
    hit = [f for f in facts if matches(f["patterns"], plain)]
    recall = len(hit) / len(facts) if facts else 0.0
    if recall < 0.8:
        errors.append(f"{where}: reference recall {recall:.2f} < 0.8")
    for w in wrong:
        if matches(w["patterns"], plain):
            errors.append(f"{where}: reference matches wrong claim {w['id']}")
    if verbose:
        for f in facts:
            if f not in hit:
                print(f"  {where}: reference misses {f['id']} {f['text']!r}")
    return recall


def check_long(row: dict, errors: list[str], verbose: bool) -> None:
    where = row.get("id", "?")
    for key in ("id", "style", "presenting_problem", "transcript", "facts", "wrong_claims", "reference_note"):
        if key not in row:
            errors.append(f"{where}: missing {key}")
            return
    if words(row["transcript"]) < 5000:
        errors.append(f"{where}: transcript has {words(row['transcript'])} words (< 5000)")
    parts = thirds(row["transcript"])
    per_third = {t: 0 for t in THIRDS}
    check_patterns(row["facts"] + row["wrong_claims"], where, errors)
    for fact in row["facts"]:
        third = fact.get("third")
        if third not in THIRDS:
            errors.append(f"{where} {fact['id']}: third {third!r} not one of {THIRDS}")
            continue
        per_third[third] += 1
        if not matches(fact["patterns"], parts[THIRDS.index(third)]):
            errors.append(f"{where} {fact['id']}: no pattern matches the {third} third of the transcript")
    for t, n in per_third.items():
        if n < 3:
            errors.append(f"{where}: only {n} facts in the {t} third (need >= 3)")
    check_note_shape(row["reference_note"], where, errors)
    score(row["reference_note"], row["facts"], row["wrong_claims"], where, errors, verbose)


def check_history(row: dict, errors: list[str], verbose: bool) -> None:
    where = row.get("id", "?")
    for key in ("id", "patient", "presenting_problem", "sessions", "session_facts", "cross_facts", "wrong_claims",
                "reference_summary"):
        if key not in row:
            errors.append(f"{where}: missing {key}")
            return
    sessions = row["sessions"]
    if not 3 <= len(sessions) <= 8:
        errors.append(f"{where}: {len(sessions)} sessions (need 3-8)")
    numbers = [s["number"] for s in sessions]
    if numbers != list(range(1, len(sessions) + 1)):
        errors.append(f"{where}: session numbers {numbers} are not 1..n")
    dates = [s["date"] for s in sessions]
    if dates != sorted(dates):
        errors.append(f"{where}: dates are not in order")
    for s in sessions:
        if words(s["transcript"]) < 250:
            errors.append(f"{where} session {s['number']}: transcript under 250 words")
        check_note_shape(s["reference_note"], f"{where} session {s['number']}", errors)
    check_patterns(row["session_facts"] + row["cross_facts"] + row["wrong_claims"], where, errors)
    by_number = {s["number"]: s for s in sessions}
    for fact in row["session_facts"]:
        s = by_number.get(fact.get("session"))
        if s is None:
            errors.append(f"{where} {fact['id']}: unknown session {fact.get('session')}")
        elif not matches(fact["patterns"], s["transcript"]):
            errors.append(f"{where} {fact['id']}: no pattern matches session {s['number']}'s transcript")
    if len(row["cross_facts"]) < 3:
        errors.append(f"{where}: fewer than 3 cross-session facts")
    for fact in row["cross_facts"]:
        if len(fact.get("sessions", [])) < 2:
            errors.append(f"{where} {fact['id']}: a cross-session fact must name >= 2 sessions")
    score(row["reference_summary"], row["cross_facts"], row["wrong_claims"], where, errors, verbose)


def load(folder: str) -> list[dict]:
    rows = []
    for path in sorted((DATA / folder).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def main() -> int:
    verbose = "-v" in sys.argv
    errors: list[str] = []
    long_rows, histories = load("long_eval"), load("multi_session_eval")
    for row in long_rows:
        check_long(row, errors, verbose)
    for row in histories:
        check_history(row, errors, verbose)
    ids = [r["id"] for r in long_rows + histories]
    if len(ids) != len(set(ids)):
        errors.append("duplicate ids")
    for e in errors:
        print("ERROR", e)
    print(f"long sessions: {len(long_rows)} (words min {min((words(r['transcript']) for r in long_rows), default=0)}), "
          f"histories: {len(histories)} ({sum(len(h['sessions']) for h in histories)} sessions), errors: {len(errors)}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
