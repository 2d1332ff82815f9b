"""Risks told across turns: answers to the therapist's questions, and plans told in plain words.

- A question that names a risk (a screening question, or the therapist's reflection "So you're
  planning to not be alive after next Tuesday?", "Did Jamie do that to your eye?") answered in
  the affirmative is the patient's risk; the question's content sets category and severity.
- A follow-up about a risk just confirmed ("Is that something you're planning to do?", "Have you
  thought about when?", "Do you know how you'd do it?") answered yes, with a time or with a means
  makes it a plan; "How many did you take?" answered with a handful or more is an overdose.
- "What are you planning to do?" answered with a method ("Go off it when it's coming through")
  is a plan.
- A lethal means or place beside other marks of a plan (summarizer/risk_plans.py) is a plan.
The lexicons are summarizer/risk_questions.py and summarizer/risk_plans.py.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from summarizer import risk_languages as langs
from summarizer import risk_lexicon as lx
from summarizer import risk_plans as px
from summarizer import risk_questions as qx
from summarizer.risk_turns import Utterance, make_finding
from summarizer.risk_types import CATEGORY_TRAITS, FAMILY, RiskFinding, RiskSeverity

# Questions about one category each: a "yes" is that risk at that severity. Suicide questions come
# first and are read more finely (passive, active, plan) in ``_suicide_severity``.
_SINGLE_RISK_QUESTIONS: tuple[tuple[re.Pattern[str], str, RiskSeverity], ...] = (
    (qx.SELF_HARM_QUESTION, "self_harm", RiskSeverity.HIGH),
    (qx.ABUSE_QUESTION, "abuse", RiskSeverity.HIGH),
    (qx.HOMICIDE_PLAN_QUESTION, "homicidal_ideation", RiskSeverity.CRITICAL),
    (qx.HOMICIDE_QUESTION, "homicidal_ideation", RiskSeverity.HIGH),
    *langs.SCREENING_QUESTIONS,
)


def _asks(question: re.Pattern[str], asked: str) -> bool:
    """Some sentence of the therapist's turn is a screening question, not a request to commit to safety, and
    not a reflection of an absence ("so it wasn't about wanting to die?", where "yeah" agrees there is none)."""
    for match in question.finditer(asked):
        sentence_start = max(asked.rfind(mark, 0, match.start()) for mark in ".?!\n") + 1
        just_before = " ".join(asked[sentence_start:match.start()].split()[-4:])
        if not qx.SAFETY_REQUEST.search(asked[sentence_start:match.end()]) and not lx.NEGATORS.search(just_before):
            return True
    return False


def _asked_risk(asked: str) -> tuple[str, RiskSeverity] | None:
    """What risk a therapist's turn asks about, and how severe a "yes" to it is."""
    if _asks(qx.SCREENING_QUESTION, asked):
        if qx.PASSIVE_QUESTION.search(asked) and not qx.ACTIVE_QUESTION.search(asked):
            return "suicidal_ideation_passive", RiskSeverity.MODERATE
        return "suicidal_ideation_active", RiskSeverity.CRITICAL if _asks(qx.PLAN_QUESTION, asked) else \
            RiskSeverity.HIGH
    for question, category, severity in _SINGLE_RISK_QUESTIONS:
        if _asks(question, asked):
            return category, severity
    return None


def asked_families(asked: str) -> list[str]:
    """Every risk family a therapist's turn asks about ("Any thoughts of suicide or of hurting yourself?" asks two),
    for reading a "no" to it (summarizer/risk_denials.py)."""
    suicide = _asks(qx.SCREENING_QUESTION, asked) or _asks(qx.PASSIVE_SCREENING_QUESTION, asked)
    families = ["suicide"] if suicide else []
    for question, category, _ in _SINGLE_RISK_QUESTIONS:
        family = FAMILY[category]
        if family not in families and _asks(question, asked):
            families.append(family)
    return families


def question_text(text: str, question: Utterance) -> str:
    """The therapist's turn as a question: ASR output has no punctuation, so a turn without any is one question."""
    asked = text[question.start:question.end]
    return asked if re.search(r"[.?!]", asked) else asked.rstrip() + "?"


def _reply(text: str, answer: Utterance) -> tuple[str, str]:
    """The answer as said, and without its fillers and stage directions."""
    said = text[answer.start:answer.end].strip()
    return said, qx.REPLY_PREAMBLE.sub("", said, count=1)


def affirms(text: str, answer: Utterance) -> bool:
    """The patient's turn answers the question before it with a yes."""
    return _affirms(*_reply(text, answer))


def _affirms(said: str, reply: str) -> bool:
    # "Mm hmm." is an answer, not a filler before one: the whole reply may be the "yes". So is a "yes" after a
    # sentence of hedging ("When you say it like that it sounds mad. But yeah.").
    if qx.DECIDED_REPLY.match(reply):
        return True
    if not (qx.AFFIRMATIVE.match(reply) or qx.AFFIRMATIVE.match(said) or qx.HEDGED_YES.search(reply)):
        return False
    if lx.NEGATORS.match(reply) or qx.YES_BUT_NO.match(reply):
        return False
    return not qx.REPLY_DENIAL.search(" ".join(reply.split()[:20]))


def screening_answer(original: str, text: str, question: Utterance, answer: Utterance) -> RiskFinding | None:
    """A therapist's risk question answered in the affirmative ("Hanging.", "Yeah, most nights", "Yes. With
    his fist."), or a plan question answered with a method."""
    asked = question_text(text, question)
    said, reply = _reply(text, answer)
    span = (answer.start, answer.end)
    asked_risk = _asked_risk(asked)
    # "So you're planning to jump from the diving board on Saturday?" is no suicide question.
    if asked_risk is not None and CATEGORY_TRAITS[asked_risk[0]].suicidal and px.NOT_A_PLAN.search(asked):
        asked_risk = None
    if asked_risk is not None and _affirms(said, reply):
        return make_finding(original, *asked_risk, span, span, "screening")
    # "What are you planning to do?" about a lethal place or means just named, answered with a method.
    method = qx.METHOD_REPLY.match(reply)
    if qx.OPEN_PLAN_QUESTION.search(asked) and _MEANS_OR_PLACE.search(asked) and method and \
            not lx.NEGATORS.search(method.group(0)) and not px.NOT_A_PLAN.search(asked + " " + reply):
        return make_finding(original, "suicidal_ideation_active", RiskSeverity.CRITICAL, span, span, "screening")
    return None


def follow_up_answer(original: str, text: str, question: Utterance, answer: Utterance,
                     confirmed: RiskFinding | None) -> RiskFinding | None:
    """The risk just confirmed, asked after again: "Is that something you're planning to do?" answered yes, or
    "Have you thought about when?" answered with a time, gives it a plan (critical); "How many did you take?"
    answered with a handful or more is an overdose."""
    asked = text[question.start:question.end]
    said, reply = _reply(text, answer)
    span = (answer.start, answer.end)
    # The count is of something taken: an ingestion told before the question, or a substance named in the reply.
    told = text[max(question.start - 600, 0):question.start] + " " + said
    if qx.QUANTITY_QUESTION.search(asked) and qx.QUANTITY_REPLY.search(" ".join(reply.split()[:25])) and \
            not lx.NEGATORS.match(reply) and (lx.INGESTION.search(told) or lx.SUBSTANCE.search(said)) and \
            not qx.NOT_PILLS.search(asked):
        return make_finding(original, "overdose", RiskSeverity.CRITICAL, span, span, "screening")
    if confirmed is None or not confirmed.current or confirmed.severity == RiskSeverity.CRITICAL or \
            not (confirmed.traits.suicidal or confirmed.traits.intent_escalates):
        return None
    # "Do you know how you'd do it?" answered with a means is a plan too.
    asked_how = bool(qx.PLAN_QUESTION.search(asked) or qx.HOW_QUESTION.search(asked))
    if not (qx.FOLLOW_UP_PLAN_QUESTION.search(asked) or asked_how):
        return None
    named_means = asked_how and bool(qx.MEANS_REPLY.search(" ".join(reply.split()[:12])))
    if _affirms(said, reply) or (not lx.NEGATORS.match(reply) and (qx.TIME_REPLY.search(reply) or named_means)):
        category = "suicidal_ideation_active" if confirmed.traits.suicidal else confirmed.category
        return make_finding(original, category, RiskSeverity.CRITICAL, span, span, "screening")
    return None


def _cue_said(pattern: re.Pattern[str], said: str, self_negating: bool) -> bool:
    for match in pattern.finditer(said):
        if self_negating or not lx.NEGATORS.search(" ".join(said[:match.start()].split()[-4:])):
            return True
    return False


def _sentence(text: str, start: int, end: int, position: int) -> tuple[int, int]:
    before = max(text.rfind(mark, start, position) for mark in ".?!\n")
    after = min((i for i in (text.find(mark, position, end) for mark in ".?!\n") if i >= 0), default=end)
    return max(before + 1, start), after


_MEANS_OR_PLACE = re.compile(f"{px.MEANS.pattern}|{px.PLACE.pattern}", re.IGNORECASE)


def plan_findings(original: str, text: str, turns: Sequence[Utterance]) -> list[RiskFinding]:
    """A lethal means or place with at least ``px.MIN_CUES`` other marks of a plan in the same, previous or
    next patient turn: a plan (critical), one finding per turn."""
    patient = [t for t in turns if not t.is_therapist]
    found: list[RiskFinding] = []
    for index, turn in enumerate(patient):
        window = "\n".join(text[t.start:t.end] for t in patient[max(index - 1, 0):index + 2])
        if px.NOT_A_PLAN.search(window) or lx.JEST.search(window) or not lx.FIRST_PERSON.search(window):
            continue
        cues = {name for name, pattern in px.CUES.items()
                if _cue_said(pattern, window, name in px.SELF_NEGATING_CUES)}
        if len(cues) < px.MIN_CUES:
            continue
        # A place needs finality besides; a means any two marks.
        lethal = px.MEANS if len(cues) < px.MIN_CUES + 1 or "finality" not in cues else _MEANS_OR_PLACE
        for match in lethal.finditer(text, turn.start, turn.end):
            clause = _sentence(text, turn.start, turn.end, match.start())
            before = text[clause[0]:match.start()]
            near = " ".join(before.split()[-4:])
            if lx.NEGATORS.search(near) and not match.group(0).lower().startswith("not"):
                continue
            # A plan is often told as a condition ("if the van goes into that wall at eighty ..."): with more marks
            # of a plan than the minimum, the "if" is the plan's shape, not a hypothetical.
            hypothetical = lx.HYPOTHETICAL.search(before) and len(cues) <= px.MIN_CUES
            if hypothetical or (lx.THIRD_PARTY.search(near) and not lx.FIRST_PERSON.search(near)):
                continue
            found.append(make_finding(original, "suicidal_ideation_active", RiskSeverity.CRITICAL, match.span(),
                                      clause, "plan", context=window))
            break
    return found
