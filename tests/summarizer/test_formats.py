"""Note formats are one checked note laid out differently: nothing added, nothing lost, risk kept."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.formats import FORMAT_NAMES, NOTE_FORMATS, UnknownFormatError, render_in_format
from summarizer.notes import NoteOptions, summarize_single_session
from summarizer.sections import RED_CLOSE, RED_OPEN, SESSION_NOTE_SECTIONS
from summarizer.validation import parse_note, render_note
from tests.conftest import SAMPLE_TRANSCRIPT

# Section text as the model writes it: words, numbers, punctuation, sometimes a {{RED:...}} item. No
# header-like "Word:" tokens (a section body never contains another section's header).
_WORD = st.from_regex(r"[A-Za-z][a-z]{0,9}|[0-9]{1,3}(?:/10)?", fullmatch=True)
_SENTENCE = st.lists(_WORD, min_size=1, max_size=12).map(lambda words: " ".join(words) + ".")
_BODY = st.one_of(
    _SENTENCE,
    st.tuples(_SENTENCE, _SENTENCE).map(lambda pair: f"{RED_OPEN}{pair[0]}{RED_CLOSE} {pair[1]}"),
)
_NOTE_SECTIONS = st.fixed_dictionaries({name: _BODY for name in SESSION_NOTE_SECTIONS})


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z0-9/]+", text)


@settings(max_examples=150, deadline=None)
@given(sections=_NOTE_SECTIONS, name=st.sampled_from(FORMAT_NAMES))
def test_every_format_carries_every_section_and_every_red_item(sections: dict[str, str], name: str) -> None:
    note = render_note(sections)
    rendered = render_in_format(note, name)
    fmt = NOTE_FORMATS[name]
    # The format's headers, each once, in its order.
    assert parse_note(rendered, fmt.headers).order == list(fmt.headers)
    # Every internal section's text is there verbatim (sections end with a full stop already).
    for body in sections.values():
        assert body in rendered
    # No statement invented: the words are the note's words plus the format's headers and labels.
    extra = set(_words(rendered)) - set(_words(note))
    labels = {w for header, parts in fmt.sections for w in _words(header)} | {
        w for _, parts in fmt.sections for part in parts for w in _words(part.label)}
    assert extra <= labels
    assert rendered.count(RED_OPEN) == note.count(RED_OPEN)


@settings(max_examples=100, deadline=None)
@given(sections=_NOTE_SECTIONS, name=st.sampled_from(FORMAT_NAMES))
def test_the_risk_text_is_found_under_a_risk_label_in_every_format(sections: dict[str, str], name: str) -> None:
    rendered = render_in_format(render_note(sections), name)
    # Read back with the five-section parser, the Risk text is where a reader of any format looks for it.
    assert parse_note(rendered).sections["Risk"].startswith(sections["Risk"])


def test_the_default_format_is_the_note_itself() -> None:
    note = render_note({name: f"{name} text." for name in SESSION_NOTE_SECTIONS})
    assert render_in_format(note, "default") == note


def test_soap_maps_the_sections_as_documented() -> None:
    note = render_note({"Chief Complaint": "Low mood.", "Emotional State": "Flat.", "Risk": "Denies SI.",
                        "Intervention": "Behavioural activation.", "Plan": "Walk daily."})
    assert render_in_format(note, "soap") == (
        "**Subjective:** Low mood.\n**Objective:** Flat.\n**Assessment:** Risk: Denies SI.\n"
        "**Plan:** Intervention: Behavioural activation. Next steps: Walk daily."
    )


def test_an_unknown_format_names_the_valid_ones() -> None:
    with pytest.raises(UnknownFormatError, match="valid formats: default, soap, dap, birp"):
        render_in_format("**Risk:** None.", "narrative")


@pytest.mark.parametrize("name", ["soap", "birp"])
def test_the_real_model_note_in_a_format_is_the_checked_note_relaid(real_engine, name: str) -> None:
    default = summarize_single_session(real_engine, SAMPLE_TRANSCRIPT, NoteOptions())
    formatted = summarize_single_session(real_engine, SAMPLE_TRANSCRIPT, NoteOptions(note_format=name))
    assert formatted.note_format == name
    assert parse_note(formatted.text, NOTE_FORMATS[name].headers).order == list(NOTE_FORMATS[name].headers)
    # The structured note is the five-section note every check ran on; the text is it, re-laid.
    assert parse_note(formatted.structured_note).order == list(SESSION_NOTE_SECTIONS)
    assert formatted.text == render_in_format(formatted.structured_note, name)
    # Risk handling does not depend on the format.
    assert formatted.risk_flags == default.risk_flags
    assert formatted.violations == default.violations
