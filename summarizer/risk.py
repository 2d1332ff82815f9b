"""Deterministic risk detection in transcripts.

Whatever the model writes, a current risk statement in the transcript ends up in the note's Risk
section (summarizer/risk_reconcile.py). Two independent signals find them, fused for recall:
- lexicons of first-person risk statements (English in summarizer/risk_lexicon.py, five more
  languages in summarizer/risk_languages.py) with clause-level negation, hypothetical, third-party
  and history handling, plus affirmative answers to the therapist's screening questions;
- a sentence classifier trained on labelled patient utterances (summarizer/risk_classifier.py).
Matching runs on a same-length normalised copy of the transcript (look-alike letters, leetspeak,
quoted markup folded), so every finding's offsets and quote point at the original text.
Therapist turns are skipped: screening questions are not findings, nor are the denials that answer them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from summarizer import risk_languages as langs
from summarizer import risk_lexicon as lx
from summarizer.risk_normalise import normalise_for_matching
from summarizer.risk_reconcile import reconcile_note_with_risks
from summarizer.risk_types import RiskFinding, RiskReconciliation, RiskScreening, RiskSeverity

__all__ = [
    "RiskFinding", "RiskReconciliation", "RiskScreening", "RiskSeverity", "detect_risks", "patient_speech",
    "reconcile_note_with_risks", "screen_language", "summarise_findings", "warm",
]


@dataclass(frozen=True)
class _Utterance:
    is_therapist: bool
    start: int  # first character after the speaker label
    end: int


def _utterances(transcript: str) -> list[_Utterance]:
    """Speaker turns; unlabelled text (e.g. ASR without labels) counts as the patient's."""
    turns: list[_Utterance] = []
    offset = 0
    for line in transcript.splitlines(keepends=True):
        therapist = lx.THERAPIST_LABEL.match(line)
        patient = lx.PATIENT_LABEL.match(line)
        label = therapist or patient
        if label or not turns:
            is_therapist = bool(therapist) if label else False
            turns.append(_Utterance(is_therapist, offset + (label.end() if label else 0), offset + len(line)))
        else:  # a continuation line belongs to the current speaker
            turns[-1] = _Utterance(turns[-1].is_therapist, turns[-1].start, offset + len(line))
        offset += len(line)
    return turns


def _clauses(text: str, base: int) -> Iterator[tuple[int, int]]:
    start = 0
    for match in lx.CLAUSE_SPLIT.finditer(text):
        if match.start() > start:
            yield base + start, base + match.start()
        start = match.end()
    if start < len(text):
        yield base + start, base + len(text)


def _qualifies(
    transcript: str, clause: tuple[int, int], match_start: int, match_end: int, category: str, self_negating: bool
) -> bool:
    clause_start, clause_end = clause
    before_words = transcript[clause_start:match_start].split()[-lx.WINDOW_WORDS:]
    before = " ".join(before_words)
    matched = transcript[match_start:match_end]
    scope = [m.end() for m in lx.SCOPE_BREAK.finditer(before)]
    negation_scope = lx.NOT_NEGATION.sub(" ", before[scope[-1]:] if scope else before)
    if not self_negating and (lx.NEGATORS.search(negation_scope) or lx.HYPOTHETICAL.search(before)):
        return False
    if lx.IDIOMS.search(transcript[max(match_start - 12, 0):match_end + 28]):
        return False
    if not self_negating and re.search(r"\b(?:no|nothing\s+like\s+that)\b", matched, re.IGNORECASE):
        return False
    near = " ".join(before_words[-3:])
    if category in ("overdose", "suicidal_ideation_active", "suicidal_ideation_passive", "self_harm"):
        # "my cousin overdosed", "she tried to kill herself": someone else's risk, not the patient's.
        # But "my son found me", "they said I'd stopped breathing": others acting on the patient's overdose.
        acted_on_patient = category == "overdose" and bool(lx.FIRST_PERSON.search(matched))
        if lx.THIRD_PARTY.search(near) and not lx.FIRST_PERSON.search(near) and not acted_on_patient:
            return False
        # "my sister thinks it'd be easier if I wasn't around": her opinion, not the patient's thought.
        reported = list(lx.REPORTED.finditer(before))
        if category != "overdose" and reported and not lx.FIRST_PERSON.search(before[reported[-1].end():]):
            return False
    if category in ("homicidal_ideation", "violence"):
        # "my mom says she wanted to strangle my dad": someone else's anger, reported.
        if lx.THIRD_PARTY.search(near) and not lx.FIRST_PERSON.search(near):
            return False
        rest_of_turn = transcript[match_end:match_end + 240].split("\n", 1)[0]
        if lx.CONDITIONAL_TAIL.search(before) and lx.RETRACTION.search(rest_of_turn):
            return False
    clause_text = transcript[clause_start:clause_end]
    if category == "self_harm" and lx.ACCIDENT.search(clause_text) and not lx.DELIBERATE.search(clause_text):
        return False
    if category in ("homicidal_ideation", "violence", "abuse") and lx.JEST.search(clause_text):
        return False
    if category == "overdose" and not lx.SUBSTANCE.search(matched) and lx.MEDICAL_EVENT.search(clause_text):
        return False
    if category == "overdose" and lx.OVERDOSE_IDIOM.search(clause_text):
        return False
    # "They said it was an overdose": the bare noun needs the patient as its subject.
    if category == "overdose" and re.fullmatch(r"(?:an\s+)?overdose", matched, re.IGNORECASE) and not \
            lx.FIRST_PERSON.search(transcript[clause_start:match_start]):
        return False
    return True


def _finding(transcript: str, category: str, severity: RiskSeverity, span: tuple[int, int],
             clause: tuple[int, int], source: str = "lexicon") -> RiskFinding:
    text = transcript[clause[0]:clause[1]]
    # An abuse disclosure needs attention however long ago it happened (safeguarding, reporting duties).
    historical = category != "abuse" and bool(lx.HISTORY.search(text))
    return RiskFinding(category=category, severity=RiskSeverity.LOW if historical else severity,
                       evidence=" ".join(text.split())[:160], start=span[0], end=span[1], current=not historical,
                       source=source)


def _asks(question: re.Pattern[str], asked: str) -> bool:
    """Some sentence of the therapist's turn is a screening question, not a request to commit to safety."""
    for match in question.finditer(asked):
        sentence_start = max(asked.rfind(mark, 0, match.start()) for mark in ".?!\n") + 1
        if not lx.SAFETY_REQUEST.search(asked[sentence_start:match.end()]):
            return True
    return False


def _screening_answer(
    original: str, transcript: str, question: _Utterance, answer: _Utterance
) -> RiskFinding | None:
    """A therapist's risk screening question answered in the affirmative ("Hanging.", "Yeah, most nights")."""
    asked = transcript[question.start:question.end]
    if not re.search(r"[.?!]", asked):
        asked = asked.rstrip() + "?"  # ASR output has no punctuation: the whole turn is the question
    reply = lx.REPLY_PREAMBLE.sub("", transcript[answer.start:answer.end].strip(), count=1)
    if not lx.AFFIRMATIVE.match(reply) or lx.NEGATORS.match(reply) or lx.YES_BUT_NO.match(reply):
        return None
    if lx.REPLY_DENIAL.search(" ".join(reply.split()[:20])):
        return None
    span = (answer.start, answer.end)
    if _asks(lx.SCREENING_QUESTION, asked):
        if lx.PASSIVE_QUESTION.search(asked) and not lx.ACTIVE_QUESTION.search(asked):
            return _finding(original, "suicidal_ideation_passive", RiskSeverity.MODERATE, span, span, "screening")
        severity = RiskSeverity.CRITICAL if _asks(lx.PLAN_QUESTION, asked) else RiskSeverity.HIGH
        return _finding(original, "suicidal_ideation_active", severity, span, span, "screening")
    if _asks(lx.SELF_HARM_QUESTION, asked):
        return _finding(original, "self_harm", RiskSeverity.HIGH, span, span, "screening")
    if _asks(lx.ABUSE_QUESTION, asked):
        return _finding(original, "abuse", RiskSeverity.HIGH, span, span, "screening")
    if _asks(lx.HOMICIDE_QUESTION, asked):
        return _finding(original, "homicidal_ideation", RiskSeverity.HIGH, span, span, "screening")
    return None


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
            found.append(_finding(original, category, severity, (start, end), clause, f"lexicon:{lang}"))
            break
    return found


def _clause_findings(
    original: str, text: str, clause: tuple[int, int], rejected: list[tuple[int, int]]
) -> list[RiskFinding]:
    """The most severe qualifying lexicon match of each category in one clause. Matches that do not
    qualify (negated, hypothetical, someone else's, an idiom) go to ``rejected``."""
    best: dict[str, RiskFinding] = {}
    clause_text = text[clause[0]:clause[1]]
    for category, severity, pattern, self_negating in lx.COMPILED:
        held = best.get(category)
        if held is not None and held.severity.rank >= severity.rank:
            continue
        for match in pattern.finditer(clause_text):
            start, end = clause[0] + match.start(), clause[0] + match.end()
            if _qualifies(text, clause, start, end, category, self_negating):
                best[category] = _finding(original, category, severity, (start, end), clause)
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


# Ideation escalates to critical when the patient names a plan, date or means in the same or next turn.
_ESCALATES = {"suicidal_ideation_active": "suicidal_ideation_active", "violence": "violence",
              "homicidal_ideation": "homicidal_ideation"}


def _turn_of(finding: RiskFinding, turns: Sequence[_Utterance]) -> _Utterance | None:
    return next((t for t in turns if t.start <= finding.start < max(t.end, t.start + 1)), None)


def _settle_past_abuse(findings: list[RiskFinding], text: str, turns: list[_Utterance]) -> list[RiskFinding]:
    """Abuse the patient says is over, in the same turn and with nothing recent, is history, not current."""
    settled = []
    for finding in findings:
        turn = _turn_of(finding, turns)
        if finding.category == "abuse" and finding.current and turn is not None:
            said = text[turn.start:turn.end]
            if lx.ABUSE_RESOLVED.search(said) and not lx.RECENT.search(said):
                finding = replace(finding, severity=RiskSeverity.LOW, current=False)
        settled.append(finding)
    return settled


def _escalate(findings: list[RiskFinding], text: str, turns: list[_Utterance]) -> list[RiskFinding]:
    patient_turns = [t for t in turns if not t.is_therapist]
    escalated = []
    for finding in findings:
        if finding.current and finding.category in _ESCALATES and finding.severity == RiskSeverity.HIGH:
            index = next((i for i, t in enumerate(patient_turns) if t.start <= finding.start < max(t.end, t.start + 1)),
                         None)
            if index is not None:
                window = "\n".join(text[t.start:t.end] for t in patient_turns[index:index + 2])
                said_before = " ".join(text[patient_turns[index].start:finding.start].split()[-6:])
                # "I'm going to walk in and shoot her" is intent, not only ideation.
                intent = finding.category != "suicidal_ideation_active" and bool(langs.INTENT.search(said_before))
                # Ideation in the same turn as an overdose is a suicide attempt.
                attempt = finding.category == "suicidal_ideation_active" and any(
                    f.category == "overdose" and f.current and _turn_of(f, turns) == _turn_of(finding, turns)
                    for f in findings)
                if intent or attempt or _has_plan_or_means(window):
                    finding = replace(finding, severity=RiskSeverity.CRITICAL)
        escalated.append(finding)
    return escalated


def detect_risks(transcript: str) -> list[RiskFinding]:
    """Current and historical first-person risk statements, in transcript order."""
    from summarizer.risk_classifier import classifier_findings

    text = normalise_for_matching(transcript)
    findings: list[RiskFinding] = []
    rejected: list[tuple[int, int]] = []
    turns = _utterances(text)
    for index, turn in enumerate(turns):
        if turn.is_therapist:
            continue
        screened: set[str] = set()
        if index > 0 and turns[index - 1].is_therapist:
            answer = _screening_answer(transcript, text, turns[index - 1], turn)
            if answer is not None:
                findings.append(answer)
                screened.add(answer.category)
        for category, severity, pattern in lx.TURN_PATTERNS:
            match = pattern.search(text, turn.start, turn.end)
            if match and not lx.JEST.search(text[turn.start:turn.end]):
                findings.append(_finding(transcript, category, severity, match.span(), match.span()))
        for clause in _clauses(text[turn.start:turn.end], turn.start):
            findings.extend(f for f in _clause_findings(transcript, text, clause, rejected)
                            if f.category not in screened or f.severity.rank > RiskSeverity.HIGH.rank)
    patient_spans = [(t.start, t.end) for t in turns if not t.is_therapist]
    findings.extend(classifier_findings(transcript, text, patient_spans, findings, rejected))
    findings = _settle_past_abuse(_escalate(findings, text, turns), text, turns)
    return sorted(findings, key=lambda f: (f.start, f.category))


def warm() -> None:
    """Load what the first detection would otherwise pay for: the classifier and the language profiles."""
    from summarizer.risk_classifier import warm as warm_classifier

    warm_classifier()
    screen_language("Patient: I have been feeling a lot better this week and I slept well most nights.")


def patient_speech(transcript: str) -> str:
    """The patient's turns (unlabelled text counts as the patient's), without speaker labels."""
    return "\n".join(transcript[t.start:t.end].strip() for t in _utterances(transcript) if not t.is_therapist)


def screen_language(transcript: str) -> RiskScreening:
    """Whether the risk layer covers the language the patient speaks."""
    guess = langs.guess_language(patient_speech(transcript))
    if guess.language == "und" or guess.language in langs.COVERED_LANGUAGES:
        return RiskScreening(performed=True, language=guess.language, languages=guess.languages)
    name = langs.language_name(guess.language)
    return RiskScreening(
        performed=False, language=guess.language, languages=guess.languages,
        reason=f"the transcript is in {name}, which the risk detector does not cover",
    )


def summarise_findings(findings: Sequence[RiskFinding]) -> list[dict[str, Any]]:
    return [{"category": f.category, "severity": f.severity.value, "evidence": f.evidence, "current": f.current,
             "source": f.source} for f in findings]
