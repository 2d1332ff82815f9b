#!/usr/bin/env python3
"""Check the key-fact set (stdlib only).

Loads facts.jsonl, the test split (data/splits/test.csv) and new_sessions.csv, verifies each
transcript_sha256 against the CSV row it names, compiles every pattern, and scores the REFERENCE
note (session_summary) of each session:

  recall  = facts matched / facts listed   (a fact matches if ANY of its patterns matches)
  wrong   = wrong claims matched by the reference note (must be 0)

Patterns are Python regexes matched with re.IGNORECASE against the note after markup stripping:
"**" removed, "{{RED:" and "}}" replaced with "" (section headers such as "Plan:" remain).

The same functions can score any generated note: strip_markup(), score_note().

Usage:
  python data/facts/check_facts.py [--facts PATH] [--test PATH] [--new PATH] [-v] [--cross]
    -v       list the unmatched facts / matched wrong claims per session
    --cross  also report how often a session's facts match OTHER sessions' reference notes
             (a specificity diagnostic; not part of the pass/fail check)
Exit status: 0 if all hashes match, all patterns compile, overall recall >= 0.85, every session's
recall >= 0.8 and no reference note matches a wrong claim; 1 otherwise.
"""
import argparse
import csv
import hashlib
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_FACTS = HERE / "facts.jsonl"
DEFAULT_TEST = HERE.parent / "splits" / "test.csv"
DEFAULT_NEW = HERE / "new_sessions.csv"

MIN_OVERALL = 0.85
MIN_SESSION = 0.80


def strip_markup(note: str) -> str:
    return note.replace("**", "").replace("{{RED:", "").replace("}}", "")


def load_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def compile_entry(entry):
    """Return ([(id, [compiled])] for facts, same for wrong claims); raises re.error on a bad pattern."""
    def comp(items):
        return [(it["id"], it["text"], [re.compile(p, re.IGNORECASE) for p in it["patterns"]]) for it in items]
    return comp(entry["facts"]), comp(entry["wrong_claims"])


def matches(pats, text):
    return any(p.search(text) for p in pats)


def score_note(note, facts, wrongs):
    """facts/wrongs as returned by compile_entry; returns (hit fact ids, missed fact ids, matched wrong ids)."""
    text = strip_markup(note)
    hit = [fid for fid, _, pats in facts if matches(pats, text)]
    missed = [fid for fid, _, pats in facts if not matches(pats, text)]
    wrong = [wid for wid, _, pats in wrongs if matches(pats, text)]
    return hit, missed, wrong


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--facts", default=str(DEFAULT_FACTS))
    ap.add_argument("--test", default=str(DEFAULT_TEST))
    ap.add_argument("--new", default=str(DEFAULT_NEW))
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--cross", action="store_true")
    args = ap.parse_args(argv)

    sources = {"test_split": load_csv(args.test), "new_sessions": load_csv(args.new)}
    with open(args.facts, encoding="utf-8") as f:
        entries = [json.loads(line) for line in f if line.strip()]

    ok = True
    problems = []
    scored = []  # (entry, note, facts, wrongs, hit, missed, wrong)
    n_patterns = 0
    for e in entries:
        rows = sources.get(e["source"])
        if rows is None or not (0 <= e["row"] < len(rows)):
            problems.append(f"{e['id']}: no row {e['row']} in source {e['source']}")
            ok = False
            continue
        row = rows[e["row"]]
        sha = hashlib.sha256(row["session_transcription"].encode("utf-8")).hexdigest()
        if sha != e["transcript_sha256"]:
            problems.append(f"{e['id']}: transcript_sha256 mismatch (row changed or split regenerated)")
            ok = False
            continue
        try:
            facts, wrongs = compile_entry(e)
        except re.error as exc:
            problems.append(f"{e['id']}: pattern does not compile: {exc}")
            ok = False
            continue
        n_patterns += sum(len(p) for _, _, p in facts + wrongs)
        note = row["session_summary"]
        hit, missed, wrong = score_note(note, facts, wrongs)
        scored.append((e, note, facts, wrongs, hit, missed, wrong))

    print(f"{'id':<9} {'recall':>7} {'facts':>6} {'wrong':>6}")
    tot_hit = tot_facts = tot_wrong = 0
    per_session = []
    by_source = {}
    for e, _note, facts, wrongs, hit, missed, wrong in scored:
        r = len(hit) / len(facts) if facts else 0.0
        per_session.append((r, e["id"]))
        tot_hit += len(hit)
        tot_facts += len(facts)
        tot_wrong += len(wrong)
        s = by_source.setdefault(e["source"], [0, 0, 0, 0])
        s[0] += len(hit)
        s[1] += len(facts)
        s[2] += len(wrong)
        s[3] += 1
        flag = "" if (r >= MIN_SESSION and not wrong) else "  <-- FAIL"
        print(f"{e['id']:<9} {r:>7.2f} {len(hit):>3}/{len(facts):<2} {len(wrong):>6}{flag}")
        if args.verbose:
            texts = {fid: t for fid, t, _ in facts + wrongs}
            for fid in missed:
                print(f"    missed {fid}: {texts[fid]}")
            for wid in wrong:
                print(f"    WRONG  {wid}: {texts[wid]}")
        if r < MIN_SESSION or wrong:
            ok = False

    overall = tot_hit / tot_facts if tot_facts else 0.0
    n_wc = sum(len(w) for _, _, _, w, _, _, _ in scored)
    print()
    for src, (h, n, w, c) in by_source.items():
        print(f"{src}: {c} sessions, recall {h}/{n} = {h / n:.3f}, wrong-claim matches {w}")
    print(f"overall: {len(scored)} sessions, {tot_facts} facts, {n_wc} wrong claims, {n_patterns} patterns")
    print(f"overall reference recall: {tot_hit}/{tot_facts} = {overall:.3f}")
    if per_session:
        mn = min(per_session)
        print(f"per-session minimum recall: {mn[0]:.3f} ({mn[1]})")
    print(f"wrong-claim patterns matched by reference notes: {tot_wrong}")

    if args.cross:
        print("\ncross-session diagnostic (recall of session A's facts on other sessions' reference notes):")
        vals = []
        for e, _, facts, _, _, _, _ in scored:
            others = [strip_markup(n) for e2, n, *_ in scored if e2["id"] != e["id"]]
            rs = [sum(matches(p, t) for _, _, p in facts) / len(facts) for t in others]
            vals.append((max(rs), sum(rs) / len(rs), e["id"]))
        print(f"  mean over sessions of mean cross-recall: {sum(v[1] for v in vals) / len(vals):.3f}")
        for mx, mean, sid in sorted(vals, reverse=True)[:10]:
            print(f"  {sid}: max {mx:.2f}, mean {mean:.2f}")

    if overall < MIN_OVERALL:
        ok = False
    for p in problems:
        print("PROBLEM:", p)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
