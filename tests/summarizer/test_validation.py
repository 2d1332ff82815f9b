"""The note validator lists every violation; repair always yields the contract."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.sections import (
    MULTI_SESSION_SECTIONS,
    NOTE_HARD_MAX_WORDS,
    NOTE_MAX_WORDS,
    SESSION_NOTE_SECTIONS,
    section_header,
)
from summarizer.text import count_words
from summarizer.validation import marker_violations, parse_note, render_note, repair_note, validate_note

VALID = (
    "**Chief Complaint:** Low mood and poor sleep since losing job three weeks ago.\n"
    "**Emotional State:** Tearful, flat, hopeless at times; engaged in session.\n"
    "**Risk:** {{RED:Passive SI (\"what's the point\"), no plan or intent.}} Safety plan reviewed.\n"
    "**Intervention:** CBT thought record on \"I'm a failure\"; behavioural activation.\n"
    "**Plan:** Daily activity schedule; crisis card given; review next week."
)


def codes(text: str, **kwargs: object) -> set[str]:
    return {v.code for v in validate_note(text, **kwargs).violations}


def test_valid_note_has_no_violations() -> None:
    result = validate_note(VALID)
    assert result.ok and result.violations == [] and 30 <= result.word_count <= 70
    assert list(result.parsed.sections) == list(SESSION_NOTE_SECTIONS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (VALID.replace("**Plan:** Daily activity schedule; crisis card given; review next week.", ""),
         "missing_section"),
        (VALID.replace("**Intervention:**", "**Risk:**", 1), "duplicate_section"),
        ("\n".join(reversed(VALID.split("\n"))), "out_of_order"),
        (VALID.replace("Daily activity schedule; crisis card given; review next week.", ""), "empty_section"),
        (VALID.replace("Safety plan reviewed.", "{{RED:unclosed"), "unclosed_marker"),
        (VALID.replace("{{RED:Passive", "{{RED:{{RED:Passive"), "nested_marker"),
        (VALID.replace("Safety plan reviewed.", "stray }} here"), "stray_marker_close"),
        ("**Chief Complaint:** x\n**Emotional State:** y\n**Risk:** z\n**Intervention:** a\n**Plan:** b",
         "too_short"),
        (VALID.replace("review next week.", "review next week. " + "word " * 40), "too_long"),
        (VALID.replace("review next week.", "review next week. " + "word " * 120), "over_hard_max"),
        ("Here is your note:\n" + VALID, "text_outside_sections"),
    ],
)
def test_each_violation_is_reported(text: str, expected: str) -> None:
    assert expected in codes(text)


def test_every_violation_is_listed_at_once() -> None:
    broken = "Sure!\n**Risk:** {{RED:x\n**Chief Complaint:** y"
    assert {"missing_section", "out_of_order", "unclosed_marker", "too_short", "text_outside_sections"} <= codes(broken)


def test_parser_accepts_plain_and_lowercase_headers() -> None:
    parsed = parse_note("chief complaint: a\nEmotional state: b\nRISK: c\nIntervention: d\n**Plan:** e")
    assert parsed.sections == {"Chief Complaint": "a", "Emotional State": "b", "Risk": "c", "Intervention": "d",
                               "Plan": "e"}


def test_risk_does_not_swallow_risk_assessment() -> None:
    parsed = parse_note("**Risk Assessment:** low", MULTI_SESSION_SECTIONS)
    assert parsed.sections == {"Risk Assessment": "low"}


section_bodies = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=300)
any_text = st.one_of(
    st.text(max_size=600),
    st.lists(st.tuples(st.sampled_from(SESSION_NOTE_SECTIONS), section_bodies), max_size=8).map(
        lambda items: "\n".join(f"{section_header(n)} {b}" for n, b in items)),
)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_repaired_note_always_has_all_sections_in_order(text: str) -> None:
    repaired = repair_note(text)
    if repaired is None:
        assert parse_note(text).sections == {}
        return
    result = validate_note(repaired, max_words=NOTE_HARD_MAX_WORDS, min_words=0)
    structural = {"missing_section", "out_of_order", "duplicate_section", "empty_section", "text_outside_sections",
                  "unclosed_marker", "nested_marker", "stray_marker_close"}
    assert not ({v.code for v in result.violations} & structural), (repaired, result.violations)
    assert list(result.parsed.sections) == list(SESSION_NOTE_SECTIONS)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abc {}RED:", min_size=1, max_size=30), min_size=5, max_size=5),
       st.integers(min_value=0, max_value=400))
def test_repaired_note_never_exceeds_hard_max_words(bodies: list[str], padding: int) -> None:
    note = render_note({n: b + " word" * padding for n, b in zip(SESSION_NOTE_SECTIONS, bodies, strict=True)})
    repaired = repair_note(note)
    assert repaired is not None
    assert count_words(repaired) <= NOTE_HARD_MAX_WORDS
    assert count_words(repaired) <= NOTE_MAX_WORDS + 5 * 2  # trimming keeps every section readable
    assert marker_violations(repaired) == []
