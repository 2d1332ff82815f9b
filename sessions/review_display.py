"""The review screen's highlighted transcript and note: escaped HTML built from character spans.

The transcript is shown with two kinds of marks: the transcript words each note statement rests on (the
job's evidence spans, offsets into the stored transcript) and the words the risk detector flagged. The
note is shown with its ``{{RED:...}}`` items highlighted and each statement linked to its evidence, so
hovering or focusing a statement lights its words in the transcript (static/review/review.js).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from summarizer.sections import RED_CLOSE, RED_OPEN

_RED_ITEM = re.compile(re.escape(RED_OPEN) + r".*?" + re.escape(RED_CLOSE), re.DOTALL)
_HEADER = re.compile(r"^\s*\*\*([^*\n]{1,40}):\*\*\s*")


@dataclass(frozen=True)
class Mark:
    """A highlighted range of a text: its CSS class and, for evidence, the statement it belongs to."""

    start: int
    end: int
    css_class: str
    statement: int | None = None


def _segments(text: str, marks: Sequence[Mark]) -> Iterable[tuple[str, list[Mark]]]:
    """``text`` cut at every mark boundary, each piece with the marks covering it, in order."""
    cuts = sorted({0, len(text), *(m.start for m in marks), *(m.end for m in marks)})
    for start, end in zip(cuts, cuts[1:], strict=False):
        if start < end:
            yield text[start:end], [m for m in marks if m.start <= start and end <= m.end]


def _render(text: str, marks: Sequence[Mark], *, drop_markup: bool = False) -> str:
    html = []
    for piece, covering in _segments(text, marks):
        shown = piece.replace(RED_OPEN, "").replace(RED_CLOSE, "") if drop_markup else piece
        if not shown:
            continue
        if not covering:
            html.append(escape(shown))
            continue
        classes = " ".join(sorted({m.css_class for m in covering}))
        statements = " ".join(str(m.statement) for m in covering if m.statement is not None)
        attrs = format_html(' data-statements="{}"', statements) if statements else ""
        html.append(f'<span class="{escape(classes)}"{attrs}>{escape(shown)}</span>')
    return "".join(html)


def _find_loosely(haystack: str, needle: str) -> tuple[int, int] | None:
    """Where ``needle`` occurs in ``haystack`` allowing any whitespace/punctuation between its words."""
    words = re.findall(r"\w+", needle)
    if not words:
        return None
    match = re.search(r"\W+".join(re.escape(w) for w in words), haystack, re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def transcript_marks(transcript: str, evidence: Sequence[dict[str, Any]],
                     risk_flags: Sequence[dict[str, Any]]) -> list[Mark]:
    marks = [Mark(a, b, "evidence", index) for index, item in enumerate(evidence) if item.get("supported", True)
             for a, b in item.get("spans", []) if 0 <= a < b <= len(transcript)]
    for flag in risk_flags:
        found = _find_loosely(transcript, str(flag.get("evidence") or ""))
        if found:
            marks.append(Mark(*found, "risk-finding"))
    return marks


def marked_transcript(transcript: str, evidence: Sequence[dict[str, Any]],
                      risk_flags: Sequence[dict[str, Any]]) -> SafeString:
    # Safe: _render escapes every piece of the text itself.
    return mark_safe(_render(transcript, transcript_marks(transcript, evidence, risk_flags)))


def note_sections(notes: str, evidence: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One entry per note line: its header and its body as HTML, RED items and statements marked."""
    sections = []
    for line in notes.splitlines():
        if not line.strip():
            continue
        header_match = _HEADER.match(line)
        header = header_match.group(1) if header_match else ""
        body = line[header_match.end():] if header_match else line
        marks = [Mark(m.start(), m.end(), "red") for m in _RED_ITEM.finditer(body)]
        for index, item in enumerate(evidence):
            found = _find_loosely(body, str(item.get("text") or ""))
            if found and item.get("supported", True):
                marks.append(Mark(*found, "statement", index))
        html = mark_safe(_render(body, marks, drop_markup=True))  # safe: _render escapes every piece
        sections.append({"header": header, "html": html})
    return sections


def removed_statements(evidence: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Statements the grounding removed as unsupported, with why (shown so nothing disappears silently)."""
    return [item for item in evidence if not item.get("supported", True)]
