"""Whitespace normalisation, {{RED:}} preservation, truncation to the context, input validation."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from summarizer.text import normalise_whitespace, red_spans
from training.preprocess import InvalidExampleError, PreprocessConfig, Preprocessor, has_malformed_red

_WS = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u2003", "\n\n\n", " \n "])
_WORD = st.text(
    alphabet=st.characters(categories=["L", "N", "P"], exclude_characters="{}"), min_size=1, max_size=8
)
_TEXT = st.lists(st.one_of(_WORD, _WS), min_size=0, max_size=40).map("".join)
_RISK = st.lists(_WORD, min_size=1, max_size=4).map(" ".join)


@st.composite
def notes_with_markers(draw: Any) -> tuple[str, list[str]]:
    parts, risks = [], []
    for _ in range(draw(st.integers(0, 3))):
        parts.append(draw(_TEXT))
        risk = draw(_RISK)
        risks.append(risk)
        parts.append("{{RED:" + draw(_WS) + risk + draw(_WS) + "}}")
    parts.append(draw(_TEXT))
    return "**Risk:** " + "".join(parts), risks


@settings(max_examples=200, deadline=None)
@given(text=_TEXT)
def test_normalise_whitespace_properties(text: str) -> None:
    out = normalise_whitespace(text)
    assert normalise_whitespace(out) == out  # idempotent
    assert "\r" not in out and "\t" not in out and "  " not in out and "\n\n\n" not in out
    assert out == out.strip()
    assert out.split() == text.replace("\u00a0", " ").replace("\u2003", " ").split()  # words untouched


@settings(max_examples=150, deadline=None)
@given(note=notes_with_markers())
def test_red_markers_survive_normalisation(note: tuple[str, list[str]]) -> None:
    text, risks = note
    spans = red_spans(normalise_whitespace(text))
    assert [" ".join(s.split()) for s in spans] == [" ".join(r.split()) for r in risks]
    assert not has_malformed_red(normalise_whitespace(text))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(note=notes_with_markers(), words=st.integers(20, 900), max_len=st.sampled_from([256, 512, 1024]))
def test_prepare_keeps_note_and_markers_and_fits(
    smol_tokenizer: Any, note: tuple[str, list[str]], words: int, max_len: int
) -> None:
    text, risks = note
    transcript = " ".join(f"Patient: word{i} about sleep and work." for i in range(words))
    pre = Preprocessor(smol_tokenizer, PreprocessConfig(max_seq_len=max_len))
    try:
        example = pre.prepare(transcript, text)
    except InvalidExampleError as exc:
        assert exc.reason.startswith(("note too long", "empty note"))
        return
    completion = example.completion[0]["content"]
    assert completion == normalise_whitespace(text)  # the note is never truncated
    assert [" ".join(s.split()) for s in red_spans(completion)] == [" ".join(r.split()) for r in risks]
    assert example.total_tokens <= max_len
    assert len(pre.chat_ids(example.prompt + example.completion)) == example.total_tokens
    user = example.prompt[1]["content"]
    if example.transcript_truncated:
        assert pre.config.truncation_marker in user
        assert "word0 " in user and f"word{words - 1} " in user  # head and tail both kept
    else:
        assert normalise_whitespace(transcript) in user


def test_truncation_matches_inference_marker(smol_tokenizer: Any) -> None:
    from summarizer.notes import TRUNCATION_MARKER

    pre = Preprocessor(smol_tokenizer, PreprocessConfig(max_seq_len=300))
    example = pre.prepare("Patient: " + "I could not sleep. " * 400, "**Plan:** Sleep hygiene.")
    assert example.transcript_truncated and TRUNCATION_MARKER in example.prompt[1]["content"]


@pytest.mark.parametrize(
    ("transcript", "note", "reason"),
    [
        ("", "note", "empty transcript"),
        ("  \n\t ", "note", "empty transcript"),
        ("Patient: hi", "   ", "empty note"),
        (None, "note", "non-string input"),
        ("Patient: hi", 42, "non-string input"),
        ("Patient: hi", "**Risk:** {{RED:unclosed", "malformed RED marker"),
        ("Patient: hi", "**Risk:** stray }} brace", "malformed RED marker"),
    ],
)
def test_invalid_inputs(smol_tokenizer: Any, transcript: Any, note: Any, reason: str) -> None:
    with pytest.raises(InvalidExampleError) as info:
        Preprocessor(smol_tokenizer).prepare(transcript, note)
    assert info.value.reason.startswith(reason)


def test_prepare_many_counts_skips(smol_tokenizer: Any) -> None:
    pre = Preprocessor(smol_tokenizer, PreprocessConfig(max_seq_len=400))
    pairs = [
        ("Patient: fine.", "**Plan:** Continue."),
        ("", "x"),
        ("Patient: ok", "word " * 2000),
        ("Patient: " + "long " * 2000, "**Plan:** Review."),
    ]
    prepared, report = pre.prepare_many(pairs)
    assert report.kept == len(prepared) == 2 and report.truncated == 1
    assert [i for i, _ in report.skipped] == [1, 2]
    assert report.skip_reasons() == {"empty transcript": 1, "note too long": 1}


def test_tokenizer_without_template_is_refused(smol_tokenizer: Any) -> None:
    import copy

    bare = copy.deepcopy(smol_tokenizer)
    bare.chat_template = None
    with pytest.raises(ValueError, match="chat template"):
        Preprocessor(bare)
