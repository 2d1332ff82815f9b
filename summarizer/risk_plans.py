"""The plan lexicon: a suicide plan told in plain words, recognised by its structure.

Patients often describe a plan without one risk word: "I've tied it, tested it takes my weight ...
next Tuesday when no one's about", "I've decided what I'm doing on the thirtieth ... I'm not
climbing down this time". No phrase carries it; the combination does. A lethal means or place
(``LETHAL``) said together with at least ``MIN_CUES`` of the other marks of a plan (a decision,
a time, a rehearsal or test, finality) in the same or the next patient turn is a plan: active
suicidal ideation, critical. summarizer/risk_dialogue.py applies it.

Each cue on its own is everyday talk ("I've decided", "on Friday", "I tested it", "the rail
bridge"); only a lethal means beside two others is read as a plan.
"""

from __future__ import annotations

import re

from summarizer.risk_questions import METHOD, WHEN

_RX = re.IGNORECASE
# A lethal means: a rope that takes the patient's weight, a method verb, "not climbing down".
MEANS = re.compile(
    rf"\brope\b[^.?!\n]{{0,80}}?\b(?:beam|rafters?|banister|loft\s+hatch|tied|tested|weight)\b"
    rf"|\b(?:takes|took|holds|held|take|hold)\s+my\s+weight\b|\b{METHOD}|\bnot\s+climbing\s+(?:back\s+)?down\b"
    # a vehicle into something solid at speed: "if the van goes into that at seventy", "foot flat down at the wall"
    r"|\b(?:goes|go|going|went|drive|driving|drove|put|steer\w*|plough\w*)\s+(?:it\s+|the\s+\w+\s+)?into\s+(?:that|it|"
    r"the|a)(?:\s+\w+)?\s+at\s+(?:\d{2,}|fifty|sixty|seventy|eighty|ninety|a\s+hundred|full\s+speed|top\s+speed)\b"
    r"|\bfoot\s+flat\s+(?:down|to\s+the\s+floor)\b"
    # stones in the pockets, walking out into water
    r"|\b(?:stones|rocks|weights)\s+in\s+my\s+(?:coat\s+)?pockets\b|\bkeep\s+walking\s+(?:out\s+)?(?:till|until)\b",
    _RX)
# A lethal place: a height, a railway. A place is a plan only with finality said too ("I've decided,
# Friday, I checked the times" is also a trainspotter's day out).
PLACE = re.compile(
    r"\b(?:top\s+(?:deck|floor|level|storey)|roof)\s+of\s+(?:the\s+)?(?:\w+\s+)?(?:car\s+park|multi-?storey|building|"
    r"block|tower|flats)\b|\blevel\s+\w+\s+of\s+the\s+(?:multi-?storey|car\s+park)\b|\bmulti-?storey\b"
    r"|\b(?:rail(?:way)?|train|motorway)\s+bridge\b|\bthe\s+(?:cliffs?|cliff\s+edge|viaduct|flyover)\b"
    r"|\b(?:train|freight|express|fright)\b[^.?!\n]{0,40}?\b(?:comes?|coming|passes|goes)\s+through\b"
    r"|\bthe\s+(?:tracks|railway\s+line|train\s+line|weir|quarry|reservoir)\b", _RX)
# The marks of a plan besides the means.
CUES: dict[str, re.Pattern[str]] = {
    "decision": re.compile(
        r"\b(?:i'?ve|ive|i\s+have|i)\s+(?:already\s+)?decided\b|\bmade\s+my\s+mind\s+up\b|\bmy\s+mind'?s\s+made\s+up\b"
        r"|\bi\s+know\s+what\s+(?:i'?m|im)\s+(?:doing|going\s+to\s+do)\b|\b(?:it'?s|its)\s+(?:all\s+)?(?:settled|"
        r"sorted|decided|planned)\b|\b(?:worked|figured)\s+(?:it\s+)?(?:all\s+)?out\b|\bpicked\s+(?:the|a)\s+(?:day|dat"
        r"e|"
        r"spot|place|night)\b", _RX),
    "time": re.compile(
        rf"\b{WHEN}|\bthe\s+night\s+(?:the|my|before|after)\b|\bwhen\s+(?:no\s+one|nobody)\s*(?:is|'s|s)?\s+"
        r"(?:about|around|home|in)\b|\bno\s+one\s+(?:about|around)\b|\bwhen\s+(?:(?:our|my|the)\s+)?\w+\s+(?:is|'s)\s+"
        r"(?:at|away|out)\b|\bsame\s+every\s+\w+day\b", _RX),
    # Preparing for after: letters written, affairs sorted, things given away.
    "preparation": re.compile(
        r"\b(?:sorted|sorting)\s+(?:out\s+)?(?:my|the)\s+(?:affairs|will|papers|paperwork|letters)\b|\b(?:wrote|written"
        r"|"
        r"writing)\s+(?:the|my|some)\s+letters\b|\bgiv(?:en|ing|e)\s+away\s+(?:my|the|all)\b|\bsaid\s+(?:my\s+)?"
        r"goodbyes?\b|\brehomed\s+the\s+(?:dog|cat)\b", _RX),
    "rehearsal": re.compile(
        r"\b(?:tested|testing\s+it|test\s+it|practi[sc](?:e|ed|ing)|rehears\w*|dry\s+run|getting\s+used\s+to\s+it|try"
        r"\s+it\s+out|checked\s+the\s+(?:times|timetable|train\s+times|tide)|to\s+see\s+(?:where|how|if)\s+(?:you|i)"
        r"\s+(?:can|could)\s+(?:get|climb|reach)|pulled\s+(?:off|away|out)\s+at\s+the\s+last\s+(?:second|minute|moment)|"
        r"(?:drove|driven|driving)\s+(?:straight\s+)?at\s+(?:it|the\s+\w+)|timed\s+the\s+(?:gaps|trains|lorries|traffic)|"
        r"walked\s+in\s+up\s+to\s+my\s+(?:waist|chest|neck)|to\s+see\s+how\s+(?:cold|deep|fast)|where\s+the\s+cameras\s+(?:don'?t|can'?t)\s+(?:reach|see)|walked\s+up"
        r"\s+there|went\s+up\s+(?:there|to)|takes\s+my\s+weight|wanted\s+to\s+know\s+i\s+could)\b", _RX),
    "finality": re.compile(
        r"\bnot\s+(?:climbing|coming)\s+(?:back\s+)?(?:down|back)\b|\bwon'?t\s+be\s+(?:coming\s+back|here|around)\b"
        r"|\b(?:wasn'?t|wasnt|not)\s+(?:planning|intending|expecting)\s+(?:on\s+)?to\s+wake\s+up\b|\b(?:don'?t|dont|"
        r"can'?t|cant)\s+see\s+(?:another|any\s+other)\s+way(?:\s+out)?\b|\bno\s+other\s+way\s+out\b|\bit\s+(?:would|'d"
        r")"
        r"\s+be\s+quick\b|\bwouldn'?t\s+have\s+time\s+to\s+stop\b"
        # the abort given up: "next time I don't think I'll pull off", "next time I won't be stepping back"
        r"|\bnext\s+time\b[^.?!\n]{0,40}?\b(?:won'?t|wont|will\s+not|not\s+going\s+to|(?:don'?t|dont)\s+think\s+i'?ll)"
        r"\s+(?:be\s+)?(?:pull\w*\s+(?:off|away|out|back)|stop\w*|step\w*\s+back|brak\w*|turn\w*\s+back|climb\w*\s+"
        r"(?:back\s+)?down|swerv\w*|get\w*\s+out|com\w*\s+back)\b", _RX),
    # Made to look like something else: an accident, a dosing error, for the insurance.
    "disguise": re.compile(
        r"\b(?:look|looks|looking|seem|seems|pass)\s+(?:like|as)\s+an?\s+(?:accident|mistake|error)\b|\b(?:it'?s|it\s+is|"
        r"it'?d\s+be|it\s+would\s+be)\s+an\s+accident\b|\b(?:life\s+)?(?:insurance|policy)\s+(?:pays?|paid|would\s+pay|"
        r"'?d\s+pay)\s+out\b|\bno\s+one\s+would\s+(?:think\s+twice|know|suspect|question)\b|\b(?:they'?d|they\s+would|"
        r"everyone\s+would)\s+think\s+i\s+(?:got|made|had|fell|slipped|crashed)\b|\bno\s+skid\s+marks\b", _RX),
}
# Cues that carry their own negation ("not climbing down"): the negation check must not cancel them.
SELF_NEGATING_CUES = frozenset({"finality"})
MIN_CUES = 2
# Not a plan: sport and play with the same words, and stories about someone else.
NOT_A_PLAN = re.compile(
    r"\b(?:climbing\s+(?:wall|gym|centre|center|trip|session|route)|rock\s+climbing|the\s+crag|abseil\w*|belay\w*|"
    r"harness|boulder\w*|swing|hammock|pull-?ups?|punch\s*bag|washing\s+line|tow\s*rope|zip\s*-?\s*line|bungee|"
    r"skydiv\w*|parachut\w*|diving\s+board|(?:top|high|spring)\s*board|pool|trampoline|lido|swimming|tombstoning|photog"
    r"raph\w*|trainspott\w*|film|movie|novel|"
    r"episode|series|documentary|character|video\s+game|the\s+game|scene)\b", _RX)
