"""Deterministic risk detection in transcripts.

Whatever the model writes, a current risk statement in the transcript ends up in the note's Risk
section (summarizer/risk_reconcile.py). Independent signals find them, fused for recall:
- lexicons of first-person risk statements (English in summarizer/risk_lexicon.py and, for risks
  told as acts without a risk word, summarizer/risk_acts.py; six more languages in
  summarizer/risk_languages.py) with clause-level negation, hypothetical, third-party and history
  handling, and a turn-level past scope (a turn that opens "when I was nineteen" stays there until
  something makes it current);
- risks told across turns (summarizer/risk_dialogue.py): affirmative answers to the therapist's
  screening questions and reflections, follow-ups to a risk just confirmed ("is that something
  you're planning?", "how would you do it?", "how many did you take?"), a method given as the
  answer to "what are you planning?", and plans told in plain words, recognised by their structure
  (summarizer/risk_plans.py);
- a sentence classifier trained on labelled patient utterances (summarizer/risk_classifier.py).
Matching runs on a same-length normalised copy of the transcript (look-alike letters, leetspeak,
quoted markup folded), so every finding's offsets and quote point at the original text.
Therapist turns are skipped: screening questions are not findings, nor are the denials that answer them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from summarizer import risk_acts as acts
from summarizer import risk_languages as langs
from summarizer import risk_lexicon as lx
from summarizer import risk_plans as px
from summarizer import risk_questions as qx
from summarizer.risk_dialogue import affirms, follow_up_answer, plan_findings, screening_answer
from summarizer.risk_echo import first_person
from summarizer.risk_normalise import normalise_for_matching
from summarizer.risk_reconcile import reconcile_note_with_risks
from summarizer.risk_turns import Utterance, dialogue_turns, make_finding, turn_of, utterances
from summarizer.risk_types import CATEGORY_TRAITS, RiskFinding, RiskReconciliation, RiskScreening, RiskSeverity

__all__ = [
    "RiskFinding", "RiskReconciliation", "RiskScreening", "RiskSeverity", "detect_risks", "patient_speech",
    "reconcile_note_with_risks", "screen_language", "summarise_findings", "warm",
]


def _clauses(text: str, base: int) -> Iterator[tuple[int, int]]:
    start = 0
    for match in lx.CLAUSE_SPLIT.finditer(text):
        if match.start() > start:
            yield base + start, base + match.start()
        start = match.end()
    if start < len(text):
        yield base + start, base + len(text)


@dataclass(frozen=True)
class _Match:
    """A lexicon match in its clause, with the words before it that decide whether it is the patient's."""

    text: str  # the normalised transcript
    clause: tuple[int, int]
    start: int
    end: int

    @property
    def matched(self) -> str:
        return self.text[self.start:self.end]

    @property
    def before_words(self) -> list[str]:
        return self.text[self.clause[0]:self.start].split()[-lx.WINDOW_WORDS:]

    @property
    def before(self) -> str:
        return " ".join(self.before_words)

    @property
    def near(self) -> str:
        return " ".join(self.before_words[-3:])

    @property
    def clause_text(self) -> str:
        return self.text[self.clause[0]:self.clause[1]]


def _someone_else(m: _Match) -> bool:
    """"my cousin overdosed", "she tried to kill herself", "my mom says she wanted to strangle my dad":
    someone else's risk or anger, not the patient's."""
    return bool(lx.THIRD_PARTY.search(m.near)) and not lx.FIRST_PERSON.search(m.near)


def _someone_else_unless_done_to_me(m: _Match) -> bool:
    """As ``_someone_else``, but "my son found me", "they said I'd stopped breathing" are others acting on
    the patient's overdose."""
    return _someone_else(m) and not lx.FIRST_PERSON.search(m.matched)


def _reported_opinion(m: _Match) -> bool:
    """"my sister thinks it'd be easier if I wasn't around": her opinion, not the patient's thought."""
    reported = list(lx.REPORTED.finditer(m.before))
    return bool(reported) and not lx.FIRST_PERSON.search(m.before[reported[-1].end():])


def _retracted_conditional(m: _Match) -> bool:
    """"I'd run him over. ... I'd never do that": a conditional threat taken back in the same turn."""
    rest_of_turn = m.text[m.end:m.end + 240].split("\n", 1)[0]
    return bool(lx.CONDITIONAL_TAIL.search(m.before)) and bool(lx.RETRACTION.search(rest_of_turn))


def _accident(m: _Match) -> bool:
    """"burned my hand on the oven tray": an injury, not self-harm (unless said to be deliberate)."""
    return bool(lx.ACCIDENT.search(m.clause_text)) and not lx.DELIBERATE.search(m.clause_text)


def _medical_event(m: _Match) -> bool:
    """An emergency with no substance named is a medical event ("woke up in hospital after the crash")."""
    return not lx.SUBSTANCE.search(m.matched) and bool(lx.MEDICAL_EVENT.search(m.clause_text))


def _bare_overdose_noun(m: _Match) -> bool:
    """"They said it was an overdose": the bare noun needs the patient as its subject."""
    return bool(re.fullmatch(r"(?:an\s+)?overdose", m.matched, re.IGNORECASE)) and not \
        lx.FIRST_PERSON.search(m.text[m.clause[0]:m.start])


# An image of doing harm that comes unbidden and horrifies ("suddenly I see myself turning round and stabbing
# Hannah ... Sick. Horrified."): an intrusive thought, as in perinatal OCD, not an intent.
_INTRUSIVE_IMAGE = re.compile(r"\b(?:see|saw|seeing|picture|pictured|imagine|imagined|images?\s+of|flash(?:es)?\s+"
                              r"of)\s+myself\b", re.IGNORECASE)
_UNWANTED = re.compile(r"\b(?:horrif\w*|disgust\w*|sick(?:ens)?|terrif\w*|scar(?:es|ed|y)|ashamed|appall\w*|"
                       r"don'?t\s+want|hate\s+(?:these|the|those)\s+(?:thoughts|images)|intrusive|psychopath|"
                       r"monster)\b", re.IGNORECASE)


def _intrusive_image(m: _Match) -> bool:
    return bool(_INTRUSIVE_IMAGE.search(m.before)) and bool(_UNWANTED.search(m.text[m.end:m.end + 400]))


# The checks named in risk_types.CATEGORY_TRAITS: a match that any check of its category finds true is
# not a finding.
_CHECKS: dict[str, Callable[[_Match], bool]] = {
    "someone_else": _someone_else,
    "someone_else_unless_done_to_me": _someone_else_unless_done_to_me,
    "reported_opinion": _reported_opinion,
    "retracted_conditional": _retracted_conditional,
    "accident": _accident,
    "jest": lambda m: bool(lx.JEST.search(m.clause_text)),
    "medical_event": _medical_event,
    "overdose_idiom": lambda m: bool(lx.OVERDOSE_IDIOM.search(m.clause_text)),
    "bare_overdose_noun": _bare_overdose_noun,
    "intrusive_image": _intrusive_image,
}


def _qualifies(m: _Match, category: str, self_negating: bool) -> bool:
    """Not negated, hypothetical or an idiom, and passing every check of its category."""
    scope = [s.end() for s in lx.SCOPE_BREAK.finditer(m.before)]
    negation_scope = lx.NOT_NEGATION.sub(" ", m.before[scope[-1]:] if scope else m.before)
    if not self_negating and (lx.NEGATORS.search(negation_scope) or lx.HYPOTHETICAL.search(m.before)):
        return False
    if lx.IDIOMS.search(m.text[max(m.start - 12, 0):m.end + 28]):
        return False
    if not self_negating and re.search(r"\b(?:no|nothing\s+like\s+that)\b", m.matched, re.IGNORECASE):
        return False
    return not any(_CHECKS[name](m) for name in CATEGORY_TRAITS[category].checks)


def _foreign_findings(original: str, text: str, clause: tuple[int, int]) -> list[RiskFinding]:
    """Matches of the non-English lexicons in one clause, unless negated, conditional or someone else's."""
    found: list[RiskFinding] = []
    clause_text = text[clause[0]:clause[1]]
    for lang, category, severity, pattern in langs.COMPILED:
        for match in pattern.finditer(clause_text):
            before = " ".join(clause_text[:match.start()].split()[-5:])
            if langs.NEGATORS[lang].search(before) or langs.NOT_CURRENT[lang].search(clause_text[:match.start()]):
                continue
            start, end = clause[0] + match.start(), clause[0] + match.end()
            found.append(make_finding(original, category, severity, (start, end), clause, f"lexicon:{lang}"))
            break
    return found


def _clause_findings(
    original: str, text: str, clause: tuple[int, int], rejected: list[tuple[int, int]]
) -> list[RiskFinding]:
    """The most severe qualifying lexicon match of each category in one clause. Matches that do not
    qualify (negated, hypothetical, someone else's, an idiom) go to ``rejected``."""
    best: dict[str, RiskFinding] = {}
    clause_text = text[clause[0]:clause[1]]
    for category, severity, pattern, self_negating in (*lx.COMPILED, *acts.COMPILED):
        held = best.get(category)
        if held is not None and held.severity.rank >= severity.rank:
            continue
        for match in pattern.finditer(clause_text):
            start, end = clause[0] + match.start(), clause[0] + match.end()
            if _qualifies(_Match(text, clause, start, end), category, self_negating):
                best[category] = make_finding(original, category, severity, (start, end), clause)
                break
            rejected.append((start, end))
    for finding in _foreign_findings(original, text, clause):
        held = best.get(finding.category)
        if held is None or finding.severity.rank > held.severity.rank:
            best[finding.category] = finding
    return list(best.values())


def _has_plan_or_means(text: str) -> bool:
    """A plan, date or means named and not denied ("I don't have a plan" is no plan)."""
    for match in langs.PLAN_OR_MEANS.finditer(text):
        before = " ".join(text[:match.start()].split()[-4:])
        if not lx.NEGATORS.search(before):
            return True
    return False


def _settle_past_abuse(findings: list[RiskFinding], text: str, turns: list[Utterance]) -> list[RiskFinding]:
    """Abuse the patient says is over, in the same turn and with nothing recent, is history, not current."""
    settled = []
    for finding in findings:
        turn = turn_of(finding, turns)
        if finding.traits.can_resolve and finding.current and turn is not None:
            said = text[turn.start:turn.end]
            if lx.ABUSE_RESOLVED.search(said) and not lx.RECENT.search(said):
                finding = replace(finding, severity=RiskSeverity.LOW, current=False)
        settled.append(finding)
    return settled


def _settle_told_as_past(findings: list[RiskFinding], text: str, turns: list[Utterance]) -> list[RiskFinding]:
    """A turn that opens in the past ("When I was nineteen I tried to end my life. I took a load of tablets.") keeps
    its later sentences there until something makes them current again ("again", "last week", "I want", "now").
    Only an explicit past marker starts the scope, so a present statement is never moved into the past."""
    settled = []
    for finding in findings:
        turn = turn_of(finding, turns)
        if finding.current and not finding.traits.lasting and finding.source != "screening" and turn is not None:
            sentence_end = min((i for i in (text.find(m, finding.end, turn.end) for m in ".?!\n") if i >= 0),
                               default=turn.end)
            markers = list(lx.PAST_SCOPE.finditer(text, turn.start, finding.start))
            if markers and not lx.CURRENT.search(text, markers[-1].end(), sentence_end):
                finding = replace(finding, severity=RiskSeverity.LOW, current=False)
        settled.append(finding)
    return settled


def _attempt(finding: RiskFinding, findings: Sequence[RiskFinding], turns: Sequence[Utterance]) -> bool:
    """Suicidal ideation (passive words too: "I wanted to be gone") in the same patient turn as a current
    overdose, or in the patient's next turn (the answer to "what were you hoping would happen?"), is a suicide
    attempt."""
    patient = [t for t in turns if not t.is_therapist]
    turn = turn_of(finding, patient)
    if not finding.traits.suicidal or turn is None:
        return False
    index = patient.index(turn)
    told = {t for t in patient[max(index - 1, 0):index + 1]}
    return any(f.traits.attempt and f.current and turn_of(f, patient) in told for f in findings)


def _escalate(findings: list[RiskFinding], text: str, turns: list[Utterance]) -> list[RiskFinding]:
    """Ideation becomes critical with a plan, date or means in the same or next turn, with intent said just
    before harm to others, or beside an overdose (an attempt)."""
    patient_turns = [t for t in turns if not t.is_therapist]
    escalated = []
    for finding in findings:
        if finding.current and finding.severity.rank < RiskSeverity.CRITICAL.rank and \
                _attempt(finding, findings, turns):
            finding = replace(finding, category="suicidal_ideation_active", severity=RiskSeverity.CRITICAL)
        elif finding.current and finding.traits.escalates and finding.severity == RiskSeverity.HIGH:
            index = next((i for i, t in enumerate(patient_turns) if t.start <= finding.start < max(t.end, t.start + 1)),
                         None)
            if index is not None:
                window = "\n".join(text[t.start:t.end] for t in patient_turns[index:index + 2])
                said_before = " ".join(text[patient_turns[index].start:finding.start].split()[-6:])
                # "I'm going to walk in and shoot her" is intent, not only ideation.
                intent = finding.traits.intent_escalates and bool(langs.INTENT.search(said_before))
                if intent or _has_plan_or_means(window):
                    finding = replace(finding, severity=RiskSeverity.CRITICAL)
        escalated.append(finding)
    return escalated


_PLANNED = re.compile(r"\b(?:plan|planning|planned|going\s+to|gonna|intend|intending|decided)\b", re.IGNORECASE)


def _echoed_answer(original: str, text: str, question: Utterance, answer: Utterance) -> RiskFinding | None:
    """The risk a therapist's own question or reflection names, in any phrasing the lexicon reads in a
    statement, confirmed by the patient's yes (summarizer/risk_echo.py)."""
    statement = first_person(text[question.start:question.end])
    said = text[answer.start:answer.end].strip()
    # "Are you saying you plan to go there and attack Derek?" / "Thursday." : a plan answered with its day.
    dated = bool(_PLANNED.search(statement) and qx.TIME_REPLY.search(" ".join(said.split()[:4]))
                 and not lx.NEGATORS.match(said))
    if not statement or not (dated or affirms(text, answer)):
        return None
    clause = (0, len(statement))
    # "Have you been thinking about jumping off the top board?" names a leisure plan, as screening_answer knows.
    leisure = bool(px.NOT_A_PLAN.search(f"{statement} {said}"))
    named = [f for f in _clause_findings(statement, statement, clause, [])
             if f.current and not (leisure and f.traits.suicidal)]
    if not named:
        return None
    asked = max(named, key=lambda f: f.severity.rank)
    severity = RiskSeverity.CRITICAL if dated and asked.traits.escalates else asked.severity
    span = (answer.start, answer.end)
    # Said in the past ("Yeah, years ago") is history, as the patient's own words would be.
    return make_finding(original, asked.category, severity, span, span, "screening",
                        context=f"{statement} {said}")


def _answers(original: str, text: str, turns: list[Utterance]) -> dict[int, RiskFinding]:
    """Affirmative answers to the therapist's risk questions, by the answering turn's start. A transcript
    without speaker labels is paired line by line (a line addressing "you" asks, the next answers)."""
    pairs = dialogue_turns(text, turns)
    found: dict[int, RiskFinding] = {}
    # The risk the last exchange confirmed, which a follow-up question ("is that something you're planning?") asks
    # after.
    confirmed: RiskFinding | None = None
    for question, answer in zip(pairs, pairs[1:], strict=False):
        if question.is_therapist and not answer.is_therapist:
            finding = screening_answer(original, text, question, answer)
            follow_up = follow_up_answer(original, text, question, answer, confirmed if finding is None else None)
            finding = follow_up or finding or _echoed_answer(original, text, question, answer)
            if finding is not None:
                found[answer.start] = finding
            # A risk stays confirmed through the follow-ups about it ("Have you decided how?" / "And when?").
            confirmed = finding or confirmed
    return found


def detect_risks(transcript: str) -> list[RiskFinding]:
    """Current and historical first-person risk statements, in transcript order."""
    from summarizer.risk_classifier import classifier_findings
    from summarizer.risk_denials import denying_replies

    text = normalise_for_matching(transcript)
    findings: list[RiskFinding] = []
    rejected: list[tuple[int, int]] = []
    turns = utterances(text)
    answers = _answers(transcript, text, turns)
    findings.extend(answers.values())
    for turn in turns:
        if turn.is_therapist:
            continue
        answer = answers.get(turn.start)
        # A screening answer stands for the lexicon's own reading of that turn at or below its severity.
        screened = {answer.category} if answer is not None else set()
        for category, severity, pattern in (*lx.TURN_PATTERNS, *acts.TURN_PATTERNS):
            match = pattern.search(text, turn.start, turn.end)
            if match and not lx.JEST.search(text[turn.start:turn.end]):
                findings.append(make_finding(transcript, category, severity, match.span(), match.span()))
        for clause in _clauses(text[turn.start:turn.end], turn.start):
            findings.extend(f for f in _clause_findings(transcript, text, clause, rejected)
                            if f.category not in screened or f.severity.rank > RiskSeverity.HIGH.rank)
    findings.extend(plan_findings(transcript, text, turns))
    # Escalated before the classifier reads the session (it defers to a plan against someone else), and
    # again after, for what the classifier adds.
    findings = _escalate(findings, text, turns)
    patient_spans = [(t.start, t.end) for t in turns if not t.is_therapist]
    denied = denying_replies(text, dialogue_turns(text, turns))
    findings.extend(f for f in classifier_findings(transcript, text, patient_spans, findings, rejected)
                    if not any(start <= f.start < end and f.family in families for start, end, families in denied))
    findings = _settle_past_abuse(_escalate(findings, text, turns), text, turns)
    findings = _settle_told_as_past(findings, text, turns)
    return sorted(findings, key=lambda f: (f.start, f.category))


def warm() -> None:
    """Load what the first detection would otherwise pay for: the classifier and the language profiles."""
    from summarizer.risk_classifier import warm as warm_classifier

    warm_classifier()
    screen_language("Patient: I have been feeling a lot better this week and I slept well most nights.")


def patient_speech(transcript: str) -> str:
    """The patient's turns (unlabelled text counts as the patient's), without speaker labels."""
    return "\n".join(transcript[t.start:t.end].strip() for t in utterances(transcript) if not t.is_therapist)


def screen_language(transcript: str) -> RiskScreening:
    """Whether the risk layer covers the language the patient speaks."""
    guess = langs.guess_language(patient_speech(transcript))
    if guess.language == "und":
        # Too short to tell is read with every lexicon; long enough to tell, yet with no covered language among
        # its likely ones (romanised Hindi reads as Indonesian at 60%), it is one the lexicons cannot have read.
        readable = not guess.languages or bool(set(guess.languages) & set(langs.COVERED_LANGUAGES))
        reason = "" if readable else "the transcript's language could not be identified as one the risk detector covers"
        return RiskScreening(performed=readable, language="und", languages=guess.languages, reason=reason)
    if guess.language in langs.COVERED_LANGUAGES:
        return RiskScreening(performed=True, language=guess.language, languages=guess.languages)
    name = langs.language_name(guess.language)
    return RiskScreening(
        performed=False, language=guess.language, languages=guess.languages,
        reason=f"the transcript is in {name}, which the risk detector does not cover",
    )


def summarise_findings(findings: Sequence[RiskFinding]) -> list[dict[str, Any]]:
    return [{"category": f.category, "severity": f.severity.value, "evidence": f.evidence, "current": f.current,
             "source": f.source} for f in findings]
