"""GBNF grammars that force the note's section skeleton at decode time.

With the grammar, section completeness and order hold by construction: the model
can only choose the words inside each section, never skip or reorder headers.
Risk markers are part of the grammar too, so a ``{{RED:`` is always closed.
"""

from __future__ import annotations

from collections.abc import Sequence

from summarizer.sections import SESSION_NOTE_SECTIONS, section_header

# One section: at most MAX_WORDS_PER_SECTION words, each plain or inside a well-formed RED
# marker; no newline, braces or asterisks outside a marker (they would break the markup).
# Bounding *words* (not characters) keeps the grammar small: character-level bounded
# repetition ({1,48}) expands into many states and measured 6x slower decoding here,
# word-level bounds cost ~1.8x. Five sections x 13 words stay near the 70-word target
# and in practice fit max_tokens, so every section is reached; a word is capped at 20
# characters so a run without spaces ("I'm...I'm...") cannot eat the token budget.
MAX_WORDS_PER_SECTION = 13

_LINE_RULES = rf"""
line ::= " " item (" " item){{0,{MAX_WORDS_PER_SECTION - 1}}}
item ::= word | red
word ::= [^\n{{}}* ]{{1,20}}
red ::= "{{{{RED:" word (" " word){{0,{MAX_WORDS_PER_SECTION - 2}}} "}}}}"
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
