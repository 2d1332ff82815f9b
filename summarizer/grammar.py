"""GBNF grammars that force the note's section skeleton at decode time.

With the grammar, section completeness and order hold by construction: the model
can only choose the words inside each section, never skip or reorder headers.
Risk markers are part of the grammar too, so a ``{{RED:`` is always closed.
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.sections import SESSION_NOTE_SECTIONS, section_header

# One section's text: plain characters or well-formed RED markers, no newline,
# no braces or asterisks outside a marker (they would break the markup).
_LINE_RULES = r"""
line ::= " "? segment{1,12}
segment ::= plain | red
plain ::= [^\n{}*]{1,48}
red ::= "{{RED:" [^\n{}*]{1,100} "}}"
"""


def _gbnf_literal(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def section_grammar(sections: Sequence[str] = SESSION_NOTE_SECTIONS) -> str:
    """GBNF source for a note made of ``sections`` in order, one line each."""
    parts: list[str] = []
    for index, name in enumerate(sections):
        prefix = "" if index == 0 else "\n"
        parts.append(_gbnf_literal(f"{prefix}{section_header(name)}"))
        parts.append("line")
    return "root ::= " + " ".join(parts) + "\n" + _LINE_RULES
