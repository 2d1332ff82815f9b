"""Text utilities shared by inference, validation, training and evaluation."""

from __future__ import annotations

import re
from collections.abc import Collection

from summarizer.sections import RED_CLOSE, RED_OPEN

_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_MANY_NEWLINES = re.compile(r"\n{3,}")
_RED = re.compile(r"\{\{RED:([^{}]*)\}\}")
_BOLD_HEADER = re.compile(r"\*\*([^*\n]+?):\*\*")


def normalise_whitespace(text: str) -> str:
    """Unify line endings and odd spaces, collapse runs, strip lines; keep paragraph breaks.

    Idempotent, and it never touches the characters of a ``{{RED:...}}`` marker other
    than collapsing whitespace inside it.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    text = text.replace("\u200b", "").replace("\ufeff", "")
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return _MANY_NEWLINES.sub("\n\n", "\n".join(lines)).strip()


def red_spans(text: str) -> list[str]:
    """Contents of the well-formed ``{{RED:...}}`` markers in ``text``."""
    return [match.group(1) for match in _RED.finditer(text)]


def unwrap_red_markers(text: str, spans: Collection[str]) -> str:
    """``text`` with the ``{{RED:...}}`` wrappers around ``spans`` removed; their words stay."""
    return _RED.sub(lambda m: m.group(1) if m.group(1) in spans else m.group(0), text)


def strip_markup(note: str) -> str:
    """The note's words without ``**Header:**`` bold or RED wrappers (headers stay as words)."""
    text = _RED.sub(lambda m: m.group(1), note)
    text = _BOLD_HEADER.sub(lambda m: f"{m.group(1)}:", text)
    return text.replace(RED_OPEN, "").replace(RED_CLOSE, "").replace("**", "")


def count_words(note: str) -> int:
    return len(strip_markup(note).split())


_MARKUP_IN_TRANSCRIPT = re.compile(r"[{}]|\*\*")


def escape_markup(text: str) -> str:
    """Transcript text as the model sees it: quoted note markup ("{{RED: ...}}", "**Risk:**") turned
    into plain brackets, so a patient's words are never read as, or copied into, our markup."""
    return _MARKUP_IN_TRANSCRIPT.sub(lambda m: {"{": "(", "}": ")"}.get(m.group(0), "*"), text)


SPEAKER_LABEL = re.compile(r"^\s*(?:[A-Za-z][A-Za-z .']{0,24}?|speaker\s*\d+)\s*:", re.IGNORECASE | re.MULTILINE)
_WORD = re.compile(r"[^\W\d_]{2,}|\d+")
# Fewer spoken words than this is no session to summarise (empty, whitespace, "Patient: hi").
MIN_SPEECH_WORDS = 10


def speech_word_count(transcript: str) -> int:
    """Words said in the transcript, speaker labels not counted."""
    return len(_WORD.findall(SPEAKER_LABEL.sub(" ", transcript or "")))
