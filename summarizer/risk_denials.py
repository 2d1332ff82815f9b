"""Risk screening the patient denied: the therapist asked about a risk and the patient said no.

A Risk section that says only "None reported" hides whether anyone asked. When the therapist asked
and the patient denied, the note says so with the patient's own words ("Denies suicidal ideation
when asked ("No, nothing like that")."): a clinician reads that the screen was done and can check
the answer against the transcript, and the statement is grounded in it like any other.

It is written only where it cannot soften a risk:
- never while the transcript has any current finding (the Risk section is then the RED lines);
- never for a family with any finding at all, current or past ("No, not since last year" beside a
  past attempt is that history's story, told by the detector, not a denial);
- only for a reply that denies outright and does not go on to affirm ("No... well, sometimes");
- never when the patient speaks of risk elsewhere (blades, urges, "better off without me"), even in
  words the detector did not read as a finding: its misses are where a quoted "no" would mislead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from summarizer import risk_lexicon as lx
from summarizer import risk_questions as qx
from summarizer.risk_dialogue import affirms, asked_families, question_text
from summarizer.risk_normalise import normalise_for_matching
from summarizer.risk_reconcile import is_denial, quote, sentences
from summarizer.risk_turns import Utterance, dialogue_turns, utterances
from summarizer.risk_types import FAMILIES, RiskFinding
from summarizer.sections import SESSION_NOTE_SECTIONS
from summarizer.validation import parse_note, render_note

# How a denied family reads in the note, in the order the note lists them.
DENIED_FAMILY_WORDS: dict[str, str] = {
    "suicide": "suicidal ideation",
    "self_harm": "self-harm",
    "overdose": "overdose",
    "violence": "thoughts of harming others",
    "abuse": "abuse",
}
# A reply that opens by denying. "I don't know" and "not sure" are no denial.
_DENYING_REPLY = re.compile(
    r"^\W*(?:no|nope|nah|never|none|nothing|god\s+no|of\s+course\s+not|definitely\s+not|absolutely\s+not|"
    r"not\s+(?:really|at\s+all|now|anymore|any\s+more|currently|lately|recently|this\s+week|since)|"
    r"i\s+(?:don'?t|do\s+not|haven'?t|have\s+not|wouldn'?t|would\s+never|never|am\s+not|'?m\s+not)\b"
    r"(?!\s+(?:know|think\s+so\s+but|remember|want\s+to\s+(?:say|talk|answer)))"
    r")\b", re.IGNORECASE)
# A denial that turns ("No. Well, sometimes at night I..."): the detector reads what follows; we write nothing.
_TURNS_BACK = re.compile(r"\b(?:but|although|though|except|well|sometimes|apart\s+from|other\s+than|only\s+when|"
                         r"used\s+to|last\s+(?:week|month|year|night)|before|until)\b", re.IGNORECASE)
# Risk talk elsewhere in the patient's speech, in words the detector may not read as a finding: means and
# acts of self-harm, wishing to vanish, fear of someone. Narrow on purpose: "panic attack", "cut down" and
# "it hit me" are not risk talk, and a guard that fires on every session would document no denial at all.
_RISK_TALK = re.compile(
    r"\b(?:suicid\w*|overdos\w*|self[- ]?harm\w*|(?:kill|hurt|harm|cut|burn)(?:ing|ed|t)?\s+(?:my|him|her)sel(?:f|ves)|"
    r"blades?|razors?|sharpener|lighter|ligature|rope|noose|stockpil\w*|(?:saved|saving)\s+up\s+(?:my\s+)?"
    r"(?:pills|tablets)|urges?\s+(?:to\s+(?:cut|hurt|harm|use)|(?:are|is)\s+back)|better\s+off\s+(?:without|dead)|"
    r"never\s+(?:existed|been\s+born)|vanish\w*|disappear\w*|not\s+wak(?:e|ing)\s+up|end\s+it\s+all|bruis\w*|"
    r"scared\s+of\s+(?:him|her|them)|(?:hit|hurt|grabbed|pushed|choked)\s+me)\b", re.IGNORECASE)
# Only the opening of a long reply is its answer to the question.
_ANSWER_WORDS = 25


@dataclass(frozen=True)
class ScreeningDenial:
    family: str
    evidence: str  # the patient's reply, as said
    start: int  # the reply's span in the transcript
    end: int
    # What was denied, in the note's words: "active suicidal ideation" when only acting on it was asked
    # about ("do you think about ending your life?"), since a "no" to that leaves passive ideation open.
    wording: str = ""


def _denies(reply: str) -> bool:
    opening = " ".join(reply.split()[:_ANSWER_WORDS])
    return bool(_DENYING_REPLY.match(opening) or qx.REPLY_DENIAL.search(opening)) and \
        not _TURNS_BACK.search(opening) and not lx.JEST.search(opening)


def _wording(family: str, asked: str) -> str:
    if family == "suicide" and not qx.PASSIVE_QUESTION.search(asked):
        return "active suicidal ideation"
    return DENIED_FAMILY_WORDS[family]


def _denied_questions(text: str, pairs: Sequence[Utterance]) -> Iterator[tuple[Utterance, str, list[str]]]:
    """(the patient's reply, the question asked, the families it asked about) for each reply that denies a
    risk question outright, in ``text`` (normalised for matching) split into ``pairs`` (its dialogue turns)."""
    for question, answer in zip(pairs, pairs[1:], strict=False):
        if not question.is_therapist or answer.is_therapist:
            continue
        asked = question_text(text, question)
        families = asked_families(asked)
        if not families or affirms(text, answer):
            continue
        if _denies(qx.REPLY_PREAMBLE.sub("", text[answer.start:answer.end].strip(), count=1)):
            yield answer, asked, families


def denying_replies(text: str, pairs: Sequence[Utterance]) -> list[tuple[int, int, frozenset[str]]]:
    """(start, end, families asked) of each patient reply that denies a risk question outright, whatever the
    rest of the session says: the span the classifier must not read as that risk ("No. None. I just want
    my life back" scored as active ideation on its own words). Takes the detector's own normalised text and
    dialogue turns."""
    return [(answer.start, answer.end, frozenset(families)) for answer, _, families in _denied_questions(text, pairs)]


def screening_denials(transcript: str) -> list[ScreeningDenial]:
    """Each risk family the therapist asked about that the patient's next turn denied, in transcript order."""
    text = normalise_for_matching(transcript)
    pairs = dialogue_turns(text, utterances(text))
    # The patient turns that speak of risk, read once: a denial stands only if no other turn does.
    risk_talk = {t.start for t in pairs if not t.is_therapist and _RISK_TALK.search(text[t.start:t.end])}
    denials: list[ScreeningDenial] = []
    for answer, asked, families in _denied_questions(text, pairs):
        if not risk_talk - {answer.start}:
            said = transcript[answer.start:answer.end].strip()
            denials.extend(ScreeningDenial(family, said, answer.start, answer.end, _wording(family, asked))
                           for family in families)
    return denials


def documentable_denials(denials: Sequence[ScreeningDenial], findings: Sequence[RiskFinding]) -> list[ScreeningDenial]:
    """The denials a note may state: none beside a current finding, none for a family the detector found at all."""
    if any(f.current for f in findings):
        return []
    found = {f.family for f in findings}
    return [d for d in denials if d.family not in found]


def denial_lines(denials: Sequence[ScreeningDenial]) -> list[str]:
    """One sentence per reply: the families it denied and the patient's words."""
    by_reply: dict[tuple[int, int], list[ScreeningDenial]] = {}
    for denial in denials:
        by_reply.setdefault((denial.start, denial.end), []).append(denial)
    written: set[str] = set()
    lines: list[str] = []
    for group in by_reply.values():
        wording = {d.family: d.wording or DENIED_FAMILY_WORDS[d.family] for d in group}
        families = [f for f in FAMILIES if f in wording and f not in written]
        if not families:
            continue
        written.update(families)
        named = [wording[f] for f in families]
        listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
        lines.append(f"Denies {listed} when asked (\"{quote(group[0].evidence)}\").")
    return lines


def with_screening_denials(note: str, denials: Sequence[ScreeningDenial], findings: Sequence[RiskFinding],
                           risk_section: str = "Risk") -> tuple[str, list[str]]:
    """The note with its Risk section stating the denied screening questions, and the families it states.

    The model's own bare denials ("None reported.", "No SI.") give way to the quoted ones; anything else
    it wrote in the Risk section stays after them."""
    documented = documentable_denials(denials, findings)
    lines = denial_lines(documented)
    if not lines:
        return note, []
    parsed = parse_note(note, SESSION_NOTE_SECTIONS)
    sections = {name: parsed.sections.get(name, "") for name in SESSION_NOTE_SECTIONS}
    kept = [s for s in sentences(sections.get(risk_section, "")) if not is_denial(s)]
    sections[risk_section] = " ".join([*lines, *kept])
    return render_note(sections, SESSION_NOTE_SECTIONS), [f for f in FAMILIES if f in {d.family for d in documented}]
