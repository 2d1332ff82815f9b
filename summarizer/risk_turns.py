"""Speaker turns and findings: the pieces the risk detector's parts share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from summarizer import risk_lexicon as lx
from summarizer import risk_questions as qx
from summarizer.risk_types import CATEGORY_TRAITS, RiskFinding, RiskSeverity


@dataclass(frozen=True)
class Utterance:
    is_therapist: bool
    start: int  # first character after the speaker label
    end: int
    labelled: bool = True


def utterances(transcript: str) -> list[Utterance]:
    """Speaker turns; unlabelled text (e.g. ASR without labels) counts as the patient's."""
    turns: list[Utterance] = []
    offset = 0
    lines = transcript.splitlines(keepends=True)
    bare = all(sum(1 for line in lines if rx.match(line)) >= qx.BARE_LABELS_MIN_LINES
               for rx in (qx.BARE_THERAPIST_LABEL, qx.BARE_PATIENT_LABEL))
    # A dialogue whose therapist has a role label and whose patient speaks under their name ("Gavin: ..."), or
    # two people both named ("Ms. Rahman: ... / Zoe: ..."), the one asking the questions being the therapist.
    role_labelled = any(qx.THERAPIST_LABEL.match(line) for line in lines)
    asker = None if role_labelled else _questioner(lines)
    for line in lines:
        therapist = qx.THERAPIST_LABEL.match(line) or (bare and qx.BARE_THERAPIST_LABEL.match(line)) or None
        patient = qx.PATIENT_LABEL.match(line) or (bare and qx.BARE_PATIENT_LABEL.match(line)) or None
        named = None if therapist or patient else qx.NAMED_SPEAKER_LABEL.match(line)
        if named and asker is not None and named.group(0).strip() == asker:
            therapist = named
        elif named and (role_labelled or asker is not None):
            patient = named
        label = therapist or patient
        if label or not turns:
            is_therapist = bool(therapist) if label else False
            turns.append(Utterance(is_therapist, offset + (label.end() if label else 0), offset + len(line),
                                   labelled=bool(label)))
        else:  # a continuation line belongs to the current speaker
            last = turns[-1]
            turns[-1] = Utterance(last.is_therapist, last.start, offset + len(line), last.labelled)
        offset += len(line)
    return turns


def _questioner(lines: Sequence[str]) -> str | None:
    """In a transcript of exactly two named speakers (two lines each at least), the label of the one whose
    turns ask more questions; None when it is not that or they ask as many."""
    questions: dict[str, list[int]] = {}
    for line in lines:
        named = qx.NAMED_SPEAKER_LABEL.match(line)
        if named:
            questions.setdefault(named.group(0).strip(), []).append(line.count("?"))
    if len(questions) != 2 or any(len(asked) < 2 for asked in questions.values()):
        return None
    (first, first_rate), (second, second_rate) = ((name, sum(asked) / len(asked)) for name, asked in questions.items())
    if first_rate == second_rate:
        return None
    return first if first_rate > second_rate else second


def unlabelled_lines(transcript: str, turns: Sequence[Utterance]) -> list[Utterance]:
    """The lines of a transcript with no speaker labels at all, each read as one turn: a line that
    addresses the patient as "you" is the therapist's. Used only to pair a question with its answer;
    every line is still read as the patient's for risk statements (missing one costs more than
    reading a therapist's line)."""
    if len(turns) != 1 or turns[0].labelled:
        return []
    lines: list[Utterance] = []
    offset = 0
    for line in transcript.splitlines(keepends=True):
        if line.strip():
            lines.append(Utterance(bool(qx.ADDRESSES_PATIENT.search(line)), offset, offset + len(line), False))
        offset += len(line)
    return lines


def dialogue_turns(transcript: str, turns: Sequence[Utterance]) -> list[Utterance]:
    """The turns to pair a question with its answer: the speaker turns, or for a transcript without labels its
    lines (``unlabelled_lines``)."""
    return unlabelled_lines(transcript, turns) or list(turns)


def turn_of(finding: RiskFinding, turns: Sequence[Utterance]) -> Utterance | None:
    return next((t for t in turns if t.start <= finding.start < max(t.end, t.start + 1)), None)


def make_finding(transcript: str, category: str, severity: RiskSeverity, span: tuple[int, int],
                 clause: tuple[int, int], source: str = "lexicon", context: str | None = None) -> RiskFinding:
    """A finding quoting ``clause``; in the past when the clause (or ``context``) says so, unless the
    category lasts (abuse)."""
    text = transcript[clause[0]:clause[1]]
    historical = not CATEGORY_TRAITS[category].lasting and bool(lx.HISTORY.search(context or text))
    return RiskFinding(category=category, severity=RiskSeverity.LOW if historical else severity,
                       evidence=" ".join(text.split())[:160], start=span[0], end=span[1], current=not historical,
                       source=source)
