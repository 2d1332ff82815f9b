"""Parse a note into its sections and check it against the contract, listing every violation;
repair what can be repaired (missing sections, broken markers, length)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from summarizer.sections import (
    NOTE_HARD_MAX_WORDS,
    NOTE_MAX_WORDS,
    NOTE_MIN_WORDS,
    RED_CLOSE,
    RED_OPEN,
    SESSION_NOTE_SECTIONS,
    section_header,
    word_budget,
)
from summarizer.text import count_words, normalise_whitespace

NONE_REPORTED = "None reported."


@dataclass(frozen=True)
class NoteViolation:
    code: str
    message: str
    section: str | None = None


@dataclass
class ParsedNote:
    sections: dict[str, str] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # headers as they appeared, duplicates included
    extra_text: str = ""


@dataclass
class NoteValidation:
    ok: bool
    violations: list[NoteViolation]
    word_count: int
    parsed: ParsedNote


def _header_pattern(sections: Sequence[str]) -> re.Pattern[str]:
    names = "|".join(re.escape(name) for name in sorted(sections, key=len, reverse=True))
    # Bold or plain, any case, optional markdown heading marks; "Risk" must not eat "Risk Assessment".
    return re.compile(rf"(?:^|(?<=\s)|(?<=\*))(?:#+\s*)?\**\s*({names})\s*:\s*\**(?!\w)", re.IGNORECASE)


def parse_note(text: str, sections: Sequence[str] = SESSION_NOTE_SECTIONS) -> ParsedNote:
    canonical = {name.lower(): name for name in sections}
    matches = list(_header_pattern(sections).finditer(text))
    parsed = ParsedNote(extra_text=text[: matches[0].start()].strip() if matches else text.strip())
    for index, match in enumerate(matches):
        name = canonical[match.group(1).lower()]
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        body = re.sub(r"\s+", " ", text[match.end() : end].replace("**", "")).strip()
        parsed.order.append(name)
        if name not in parsed.sections:
            parsed.sections[name] = body
    return parsed


def marker_violations(text: str) -> list[NoteViolation]:
    """Unclosed, nested or stray markers."""
    problems: list[NoteViolation] = []
    depth = 0
    index = 0
    while index < len(text):
        if text.startswith(RED_OPEN, index):
            if depth:
                problems.append(NoteViolation("nested_marker", "A {{RED: marker is opened inside another."))
            depth += 1
            index += len(RED_OPEN)
        elif text.startswith(RED_CLOSE, index):
            if depth == 0:
                problems.append(NoteViolation("stray_marker_close", "A }} closes no {{RED: marker."))
            depth = max(depth - 1, 0)
            index += len(RED_CLOSE)
        else:
            index += 1
    if depth:
        problems.append(NoteViolation("unclosed_marker", "A {{RED: marker is never closed."))
    return problems


def validate_note(
    text: str,
    sections: Sequence[str] = SESSION_NOTE_SECTIONS,
    min_words: int = NOTE_MIN_WORDS,
    max_words: int = NOTE_MAX_WORDS,
) -> NoteValidation:
    parsed = parse_note(text, sections)
    violations: list[NoteViolation] = []
    for name in sections:
        if name not in parsed.sections:
            violations.append(NoteViolation("missing_section", f"Section '{name}' is missing.", name))
        elif not parsed.sections[name].strip(" .-"):
            violations.append(NoteViolation("empty_section", f"Section '{name}' is empty.", name))
    for name in set(parsed.order):
        if parsed.order.count(name) > 1:
            violations.append(NoteViolation("duplicate_section", f"Section '{name}' appears more than once.", name))
    seen = [name for name in dict.fromkeys(parsed.order)]
    expected = [name for name in sections if name in seen]
    if seen != expected:
        violations.append(NoteViolation("out_of_order", f"Sections are out of order: {seen}."))
    if parsed.extra_text:
        violations.append(NoteViolation("text_outside_sections", "Text appears before the first section."))
    violations += marker_violations(text)
    words = count_words(text)
    if words < min_words:
        violations.append(NoteViolation("too_short", f"{words} words; at least {min_words} expected."))
    # A session note is never over the hard cap whatever it was asked for; a course summary's own bound is its cap.
    hard_max = max(NOTE_HARD_MAX_WORDS, max_words)
    if words > hard_max:
        violations.append(NoteViolation("over_hard_max", f"{words} words; never more than {hard_max}."))
    elif words > max_words:
        violations.append(NoteViolation("too_long", f"{words} words; at most {max_words} expected."))
    return NoteValidation(ok=not violations, violations=violations, word_count=words, parsed=parsed)


def render_note(sections: dict[str, str], order: Sequence[str] = SESSION_NOTE_SECTIONS) -> str:
    return "\n".join(f"{section_header(name)} {sections.get(name) or NONE_REPORTED}" for name in order)


def fix_markers(body: str) -> str:
    """Make markers well-formed: flatten nesting, close unclosed ones, drop stray closers."""
    out: list[str] = []
    depth = 0
    index = 0
    while index < len(body):
        if body.startswith(RED_OPEN, index):
            if depth == 0:
                out.append(RED_OPEN)
            depth += 1
            index += len(RED_OPEN)
        elif body.startswith(RED_CLOSE, index):
            if depth == 1:
                out.append(RED_CLOSE)
            depth = max(depth - 1, 0)
            index += len(RED_CLOSE)
        else:
            char = body[index]
            if char not in "{}":
                out.append(char)
            index += 1
    if depth:
        out.append(RED_CLOSE)
    return re.sub(r"\{\{RED:\s*\}\}", "", "".join(out)).strip()


def _truncate_words(body: str, limit: int) -> str:
    """Keep the first ``limit`` words, never cutting inside a marker's syntax."""
    words = body.split()
    if words and words[-1] == "...":
        words.pop()
    if len(words) <= limit:
        return body
    return fix_markers(" ".join(words[:limit]).rstrip(",;:") + " ...")


def repair_note(text: str, sections: Sequence[str] = SESSION_NOTE_SECTIONS) -> str | None:
    """Canonical note from messy model output, or None when no section is recognisable."""
    parsed = parse_note(normalise_whitespace(text), sections)
    if not parsed.sections:
        return None
    bodies = {name: fix_markers(parsed.sections.get(name, "")) for name in sections}
    bodies = {name: body if body.strip(" .-") else NONE_REPORTED for name, body in bodies.items()}
    return render_note(trim_sections(bodies, sections), sections)


def trim_sections(bodies: dict[str, str], sections: Sequence[str], protected: Sequence[str] = ()) -> dict[str, str]:
    """Trim the longest sections (never the ``protected`` ones) until the note fits its word budget."""
    bodies = dict(bodies)
    budget = word_budget(sections)
    header_words = sum(len(f"{name}:".split()) for name in sections)
    while header_words + sum(len(b.split()) for b in bodies.values()) > budget:
        candidates = [name for name in bodies if name not in protected and len(bodies[name].split()) > 4]
        if not candidates:
            break
        longest = max(candidates, key=lambda name: len(bodies[name].split()))
        bodies[longest] = _truncate_words(bodies[longest], len(bodies[longest].split()) - 2)
    return bodies
