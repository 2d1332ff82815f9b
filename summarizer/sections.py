"""The note contract: section names, order and length bounds.

Single-session notes and multi-session summaries have fixed sections in a fixed
order; everything that builds, constrains, parses or scores notes reads them from here.
"""

from __future__ import annotations

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

RED_OPEN = "{{RED:"
RED_CLOSE = "}}"


def section_header(name: str) -> str:
    """The markdown header a section starts with, e.g. ``**Risk:**``."""
    return f"**{name}:**"
