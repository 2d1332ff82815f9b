"""Note formats: the five-section note rendered as SOAP, DAP or BIRP.

The model writes, and the risk layer, grounding and validation check, one internal structured note (the
five sections of ``SESSION_NOTE_SECTIONS``). A format only re-lays those checked sections under its own
headers, so every format carries the same statements, the same ``{{RED:...}}`` items and the same
evidence: there is one note, never four prompts drifting apart.

Every format keeps the Risk section's text under an explicit ``Risk:`` label, so a reader (and a check)
finds the risk statement in the same words whatever the format.
"""

from __future__ import annotations

from dataclasses import dataclass

from summarizer.sections import SESSION_NOTE_SECTIONS, section_header
from summarizer.validation import NONE_REPORTED, parse_note

DEFAULT_FORMAT = "default"


@dataclass(frozen=True)
class FormatPart:
    """One internal section placed in a format section, with the label it is shown under (or none)."""

    source: str
    label: str = ""


@dataclass(frozen=True)
class NoteFormat:
    name: str
    title: str
    # (format section header, the internal sections it is built from, in order)
    sections: tuple[tuple[str, tuple[FormatPart, ...]], ...]

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(header for header, _ in self.sections)


_FIVE_SECTIONS = NoteFormat(
    DEFAULT_FORMAT, "Five sections (Chief Complaint, Emotional State, Risk, Intervention, Plan)",
    tuple((name, (FormatPart(name),)) for name in SESSION_NOTE_SECTIONS),
)

NOTE_FORMATS: dict[str, NoteFormat] = {
    DEFAULT_FORMAT: _FIVE_SECTIONS,
    "soap": NoteFormat("soap", "SOAP (Subjective, Objective, Assessment, Plan)", (
        ("Subjective", (FormatPart("Chief Complaint"),)),
        ("Objective", (FormatPart("Emotional State"),)),
        ("Assessment", (FormatPart("Risk", "Risk"),)),
        ("Plan", (FormatPart("Intervention", "Intervention"), FormatPart("Plan", "Next steps"))),
    )),
    "dap": NoteFormat("dap", "DAP (Data, Assessment, Plan)", (
        ("Data", (FormatPart("Chief Complaint"), FormatPart("Emotional State", "Presentation"),
                  FormatPart("Intervention", "Intervention"))),
        ("Assessment", (FormatPart("Risk", "Risk"),)),
        ("Plan", (FormatPart("Plan"),)),
    )),
    # The internal note has no separate "response" field: the Emotional State section (how the patient
    # presented and reacted in the session) is what BIRP's Response reports.
    "birp": NoteFormat("birp", "BIRP (Behavior, Intervention, Response, Plan)", (
        ("Behavior", (FormatPart("Chief Complaint"), FormatPart("Risk", "Risk"))),
        ("Intervention", (FormatPart("Intervention"),)),
        ("Response", (FormatPart("Emotional State"),)),
        ("Plan", (FormatPart("Plan"),)),
    )),
}
FORMAT_NAMES: tuple[str, ...] = tuple(NOTE_FORMATS)


class UnknownFormatError(ValueError):
    pass


def note_format(name: str) -> NoteFormat:
    try:
        return NOTE_FORMATS[name]
    except KeyError:
        raise UnknownFormatError(f"Unknown note format {name!r}; valid formats: {', '.join(FORMAT_NAMES)}.") from None


def _sentence(text: str) -> str:
    text = text.strip()
    # A closing quote or bracket after a full stop ends the sentence too: no '."."'.
    return text if not text or text.rstrip("\"')]}")[-1:] in (".", "!", "?") or text[-1] in ".!?}" else f"{text}."


def render_in_format(note: str, name: str) -> str:
    """The five-section ``note`` laid out in format ``name`` (the default format returns it unchanged)."""
    fmt = note_format(name)
    if fmt.name == DEFAULT_FORMAT:
        return note
    sections = parse_note(note, SESSION_NOTE_SECTIONS).sections
    lines = []
    for header, parts in fmt.sections:
        pieces = []
        for part in parts:
            body = _sentence(sections.get(part.source) or NONE_REPORTED)
            pieces.append(f"{part.label}: {body}" if part.label else body)
        lines.append(f"{section_header(header)} {' '.join(pieces)}")
    return "\n".join(lines)
