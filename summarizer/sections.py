"""The note contract: section names, order and length bounds.

Single-session notes and multi-session summaries have fixed sections in a fixed
order; everything that builds, constrains, parses or scores notes reads them from here.
"""

from __future__ import annotations

from collections.abc import Sequence

SESSION_NOTE_SECTIONS: tuple[str, ...] = (
    "Chief Complaint",
    "Emotional State",
    "Risk",
    "Intervention",
    "Plan",
)

MULTI_SESSION_SECTIONS: tuple[str, ...] = (
    "Latest Session",
    "Chief Complaint",
    "Emotional State",
    "Risk Assessment",
    "Intervention",
    "Progress",
    "Plan",
)

NOTE_MIN_WORDS = 30
NOTE_MAX_WORDS = 70
NOTE_HARD_MAX_WORDS = 150
# A course summary names every session: longer than a one-session note, still bounded.
SUMMARY_MAX_WORDS = 400


def word_budget(sections: Sequence[str]) -> int:
    """The most words a note of these sections may have: a session note's, or a course summary's."""
    return NOTE_MAX_WORDS if tuple(sections) == SESSION_NOTE_SECTIONS else SUMMARY_MAX_WORDS

RED_OPEN = "{{RED:"
RED_CLOSE = "}}"


def section_header(name: str) -> str:
    """The markdown header a section starts with, e.g. ``**Risk:**``."""
    return f"**{name}:**"
