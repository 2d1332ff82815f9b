"""Deterministic risk detection in transcripts, and reconciliation of a note with it.

Whatever the model writes, a current risk statement in the transcript ends up in the
note's Risk section as ``{{RED:...}}``. The detector is a lexicon of first-person risk
statements with clause-level negation, hypothetical, third-party and history handling.
Therapist turns are skipped: screening questions ("any thoughts of hurting yourself?")
are not findings, and neither are the patient's denials that answer them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from summarizer.sections import RED_CLOSE, RED_OPEN
from summarizer.text import red_spans
from summarizer.validation import NONE_REPORTED, parse_note, render_note, trim_sections


class RiskSeverity(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    CRITICAL = "critical"


@dataclass(frozen=True)
class RiskFinding:
    category: str
    severity: RiskSeverity
    evidence: str
    start: int
    end: int
    current: bool = True


@dataclass(frozen=True)
class RiskReconciliation:
    note: str
    added: list[RiskFinding]
    unsupported_claims: list[str]
    intervened: bool


# --- lexicon ----------------------------------------------------------------------------------
_PILLS = (r"(?:pills|tablets|meds|medications?|sleeping\s+pills|painkillers|the\s+bottle|a\s+bottle|paracetamol|"
          r"acetaminophen|tylenol|ibuprofen|aspirin|lithium|insulin|antidepressants|benzos|xanax|valium|"
          r"oxy\w*|heroin|fentanyl|morphine|codeine|tramadol|quetiapine|seroquel)")
_NUMBER = (r"(?:\d{2,}|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
           r"eighteen|nineteen|twenty|thirty|forty|fifty|sixty|hundred)")
_RELATIVE = (r"(?:husband|wife|boss|dad|father|mother|mom|mum|stepdad|stepfather|brother|sister|ex|"
             r"boyfriend|girlfriend|partner|neighbou?r|coworker|co-worker|teacher|uncle|son|daughter)")

_PATTERNS: list[tuple[str, RiskSeverity, str]] = [
    # active suicidal ideation / plans
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     rf"\b(?:thought|thinking|think|planned|planning|plan|going|want|wanted|wanting|decided|considered|considering)"
     rf"\b[\w\s']{{0,20}}?\b(?:to take|about taking|of taking|on taking)\s+(?:all|every one of|a bunch of|"
     rf"the rest of|the whole)\b[\w\s]{{0,12}}{_PILLS}"),
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\b(?:kill|killing|end|ending|take|taking)\s+my\s*self\b|\bkill\s+me\s*self\b|\b(?:end|take|ending|taking)"
     r"\s+my\s+(?:own\s+)?life\b|\bend(?:ing)?\s+it\s+all\b|\bhang(?:ing)?\s+myself\b|\bshoot(?:ing)?\s+myself\b"
     r"|\bjump(?:ing)?\s+(?:off|in front of)\b"),
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     r"\b(?:wrote|written|writing)\s+(?:a|my)\s+(?:suicide\s+)?(?:note|goodbye letter)\b|\bsuicide\s+plan\b"
     r"|\b(?:bought|got|have)\s+(?:a\s+)?(?:gun|rope)\b[\w\s]{0,20}\b(?:for|to)\s+(?:myself|end|use)"),
    ("suicidal_ideation_active", RiskSeverity.CRITICAL,
     rf"\b(?:stockpil\w*|hoard(?:ed|ing)\s+(?:my\s+)?{_PILLS}|sav(?:e|ed|ing)\s+(?:up\s+)?(?:my\s+|some\s+|the\s+)?"
     rf"{_PILLS}|putting\s+(?:a\s+few|some|them)\s+aside|got\s+them\s+(?:hidden|in\s+a\s+\w+)\s+under)"),
    ("suicidal_ideation_active", RiskSeverity.HIGH,
     r"\bsuicidal\b(?!\s+ideation\s+denied)|\bactive\s+SI\b|\bsuicide\s+attempt|\battempted\s+suicide\b"
     r"|\btried\s+to\s+kill\s+myself\b|\bwant(?:ed)?\s+to\s+die\b"),
    # passive suicidal ideation
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\bwhat'?s\s+the\s+point\b|\bwhats\s+the\s+point\b|\bpassive\s+(?:SI|suicidal)|\bbetter\s+off\s+(?:dead|"
     r"without\s+me)\b|\b(?:go\s+to\s+sleep|sleep|fall\s+asleep)\s+and\s+(?:not|never)\s+wake\s+up\b|\bnot\s+wake"
     r"\s+up\b|\bwish(?:ed|ing)?\s+(?:i|I)\s+(?:was|were|could\s+be)\s+(?:dead|gone|never\s+born)\b|\bdon'?t\s+want"
     r"\s+to\s+(?:be\s+here|be\s+alive|exist|live)\b|\btired"
     r"\s+of\s+(?:living|being\s+alive)\b|\bdisappear\s+(?:forever|for\s+good)\b|\bcease\s+to\s+exist\b"),
    # self-harm
    ("self_harm", RiskSeverity.HIGH,
     r"\bself[-\s]?harm(?:ing|ed)?\b|\b(?:hurt|hurting|harm|harming|harmed|hurted|injur(?:e|ing|ed))\s+myself\b"
     r"|\b(?:cut|cutting|cuts|burn|burning|burned|burnt|scratch|scratching|scratched|carve|carving|carved)\s+"
     r"(?:myself|my\s+(?:arm|arms|wrist|wrists|leg|legs|thigh|thighs|skin|stomach|hand|hands))\b"
     r"|\b(?:hit|hitting|punch|punching|punched|bang|banging|banged)\s+(?:myself|my\s+head)\b"
     r"|\b(?:started|been|was)\s+cutting\s+again\b|\brelapsed?\s+on\s+cutting\b"),
    # homicidal ideation / violence
    ("homicidal_ideation", RiskSeverity.CRITICAL,
     rf"\b(?:kill|murder|shoot|stab|strangle|choke|killing|murdering|shooting|stabbing|strangling|choking)\s+"
     rf"(?:him|her|them|that\s+guy|my\s+{_RELATIVE}|the\s+{_RELATIVE})\b"
     r"|\bhomicidal\b|\bactive\s+HI\b|\b(?:cav(?:e|ing)|smash(?:ing)?|bash(?:ing)?|kick(?:ing)?)\s+(?:his|her|"
     r"their)\s+(?:head|face|skull)\s+in\b"),
    ("violence", RiskSeverity.HIGH,
     rf"\b(?:hurt|kill|attack|batter|stab|beat\s+up|punch|strangle)\s+(?:him|her|them|that\s+man|that\s+woman|"
     rf"my\s+{_RELATIVE}|the\s+{_RELATIVE})\b(?!\s+(?:feelings|career|chances|reputation))"
     r"|\b(?:put(?:ting)?|throw(?:ing)?|shov(?:e|ing))\s+(?:him|her|them)\s+through\s+(?:a|the|his|her|their)\b"),
    # abuse disclosure
    ("abuse", RiskSeverity.HIGH,
     rf"(?:\b(?:he|she|they|my\s+{_RELATIVE}|him|her)(?:'s|'ve|\s+has|\s+have)?|(?-i:\b(?!(?:The|It|That|This|There|What|Then|Reality|Everything|Something|Nothing|Life|Suddenly)\b)[A-Z][a-z]+))\s+(?:\w+\s+)?(?:hits|hit|beats|beat|punched|punches|slapped|slaps|"
     r"choked|chokes|kicked|kicks|shoved|shoves|pushed|raped|molested|touched|touches|strangled|threw\s+\w+\s+at)"
     r"\s+me\b(?!\s+with\s+(?:narcan|naloxone|the\s+news|a\s+question))|\bgrabbed\s+(?:me|my\s+(?:arm|arms|wrist|neck|throat|hair))\b|\bhands?\s+(?:around|round|on)\s+"
     r"my\s+(?:neck|throat)\b|\b(?:sexually|physically|emotionally)\s+abus|\babus(?:ed|ing|ive)\s+(?:me|us)\b|\b(?:raped|molested)"
     r"\b|\bforced\s+me\s+to\b|\babuse\s+disclos"),
    # overdose
    ("overdose", RiskSeverity.CRITICAL,
     rf"\boverdos(?:e|ed|ing)\b|(?-i:\bOD'?d\b|\bODed\b)|\btook\s+{_NUMBER}\s+(?:\w+\s+){{0,2}}{_PILLS}"
     rf"|\btook\s+[\w\s']{{0,40}}?\bat\s+once\b|\btook\s+(?:a\s+bunch\s+of|all\s+(?:of\s+)?(?:my|the)|too\s+many|"
     rf"a\s+handful\s+of|the\s+whole|way\s+too\s+many|a\s+lot\s+of)\b[\w\s]{{0,12}}{_PILLS}|\bstomach\s+pumped\b"
     r"|\bnarcan\b"),
]
# Phrases whose risk meaning *includes* a negation or conditional ("if I just didn't wake up",
# "I don't trust myself in the car"): the negation/hypothetical filter must not cancel them.
_SELF_NEGATING: list[tuple[str, RiskSeverity, str]] = [
    ("suicidal_ideation_passive", RiskSeverity.MODERATE,
     r"\b(?:rather|easier|better|wouldn'?t\s+(?:matter|mind)|wish|hope|hoping|want)\b[\w\s',]{0,40}?\b(?:didn'?t|"
     r"did\s+not|not|never|wouldn'?t)\s+wake\s+up\b|\b(?:think|thinking|thought)\s+(?:a\s+lot\s+)?about\s+not\s+"
     r"being\s+(?:here|alive|around)\b|\b(?:don'?t|do\s+not|can'?t)\s+see\s+(?:much\s+|the\s+|any\s+)?point\s+"
     r"(?:in\s+)?(?:carrying\s+on|going\s+on|living|being\s+(?:here|alive)|anymore|of\s+(?:it\s+all|living|"
     r"anything))|\bwish\s+i\s+could\s+(?:just\s+)?(?:switch\s+off|disappear|stop\s+existing|not\s+exist|"
     r"go\s+to\s+sleep\s+forever)|\bno\s+reason\s+to\s+(?:live|keep\s+going|go\s+on|be\s+here)\b"),
    ("suicidal_ideation_active", RiskSeverity.HIGH,
     r"\bdon'?t\s+trust\s+myself\s+(?:in\s+the\s+car|alone|not\s+to|with\s+(?:the\s+)?(?:pills|tablets|knife|"
     r"knives|gun|car))"),
]
_COMPILED = [(cat, sev, re.compile(rx, re.IGNORECASE), False) for cat, sev, rx in _PATTERNS] + [
    (cat, sev, re.compile(rx, re.IGNORECASE), True) for cat, sev, rx in _SELF_NEGATING
]

_NEGATORS = re.compile(
    r"\b(?:no|not|never|nope|don'?t|didn'?t|doesn'?t|haven'?t|hasn'?t|won'?t|wouldn'?t|isn'?t|aren'?t|wasn'?t|"
    r"denies|denied|deny|denying|without|none|nor|neither|n't|nothing\s+like|ruled\s+out|absent|negative\s+for)\b"
    r"|n't\b",
    re.IGNORECASE,
)
_HYPOTHETICAL = re.compile(r"\b(?:if|in\s+case|what\s+if|whenever\s+i\s+ever|should\s+i\s+ever|would\s+call|"
                           r"would\s+tell|would\s+reach\s+out|hypothetically)\b", re.IGNORECASE)
_THIRD_PARTY = re.compile(
    r"\b(?:he|she|they|his|her|their|friend|friends|cousin|brother|sister|mom|mum|mother|dad|father|aunt|uncle|"
    r"roommate|classmate|someone|somebody|people|character|movie|show|news|patient|client|neighbou?r|son|daughter"
    r"|husband|wife|partner|boyfriend|girlfriend)\b",
    re.IGNORECASE,
)
# Subject pronouns only: "my cousin overdosed" is the cousin's risk, "I overdosed" the patient's.
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|i'll|me|myself)\b", re.IGNORECASE)
_HISTORY = re.compile(r"\b(?:years\s+ago|used\s+to|when\s+i\s+was\s+(?:a\s+kid|younger|little|a\s+teen|\d+)|"
                      r"in\s+high\s+school|as\s+a\s+teenager|back\s+in\s+(?:college|school)|long\s+time\s+ago|"
                      r"haven'?t\s+(?:done\s+(?:that|it)|since))\b", re.IGNORECASE)
_IDIOMS = re.compile(r"\bkilling\s+(?:it|me)\b|\bkill\s+(?:time|for\s+a)\b|\bwould\s+kill\s+for\b|\bdying\s+to\b"
                     r"|\bdead\s+tired\b|\bkiller\b|\bdie\s+(?:of|from)\s+(?:embarrassment|shame|boredom|laughing|"
                     r"laughter|cringe)\b|\bto\s+die\s+for\b", re.IGNORECASE)

_THERAPIST_LABEL = re.compile(r"^\s*(?:therapist|t|counsell?or|clinician|dr\.?\s*\w*|speaker\s*1|interviewer|"
                              r"psychologist|provider)\s*:", re.IGNORECASE)
_PATIENT_LABEL = re.compile(r"^\s*(?:patient|client|c|p|speaker\s*2|pt)\s*:", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(r"[.!?;\n]+|\s(?:but|though|although|except|however|whereas)\s|,\s*(?=but\b)",
                           re.IGNORECASE)
_WINDOW_WORDS = 7


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
        therapist = _THERAPIST_LABEL.match(line)
        patient = _PATIENT_LABEL.match(line)
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
    for match in _CLAUSE_SPLIT.finditer(text):
        if match.start() > start:
            yield base + start, base + match.start()
        start = match.end()
    if start < len(text):
        yield base + start, base + len(text)


def _qualifies(
    transcript: str, clause_start: int, match_start: int, match_end: int, category: str, self_negating: bool
) -> bool:
    before_words = transcript[clause_start:match_start].split()[-_WINDOW_WORDS:]
    before = " ".join(before_words)
    matched = transcript[match_start:match_end]
    if not self_negating and (_NEGATORS.search(before) or _HYPOTHETICAL.search(before)):
        return False
    if _IDIOMS.search(transcript[max(match_start - 12, 0):match_end + 28]):
        return False
    if not self_negating and re.search(r"\b(?:no|nothing\s+like\s+that)\b", matched, re.IGNORECASE):
        return False
    if category in ("overdose", "suicidal_ideation_active", "suicidal_ideation_passive", "self_harm"):
        near = " ".join(before_words[-3:])
        # "my cousin overdosed", "she tried to kill herself": someone else's risk, not the patient's.
        if _THIRD_PARTY.search(near) and not _FIRST_PERSON.search(near):
            return False
    return True


_SCREENING_QUESTION = re.compile(
    r"\b(?:suicid\w*|kill(?:ing)?\s+yourself|end(?:ing)?\s+your\s+(?:own\s+)?life|take\s+your\s+(?:own\s+)?life|"
    r"not\s+(?:being|be)\s+(?:here|alive)|wish(?:ed)?\s+you\s+were\s+dead|how\s+would\s+you\s+do\s+it|"
    r"have\s+you\s+thought\s+about\s+how|(?:a|any)\s+plan)\b[^?]*\?", re.IGNORECASE)
_SELF_HARM_QUESTION = re.compile(r"\b(?:hurt(?:ing)?|harm(?:ing)?|cut(?:ting)?)\s+yourself\b[^?]*\?", re.IGNORECASE)
_AFFIRMATIVE = re.compile(
    r"^\W*(?:yes|yeah|yep|yup|sometimes|a\s+bit|a\s+little|kind\s+of|sort\s+of|i\s+have|i\s+do|i\s+did|maybe|"
    r"honestly|hanging|pills|tablets|jumping|i'?ve\s+thought|i\s+think\s+so|once\s+or\s+twice|a\s+few\s+times|"
    r"most\s+(?:days|nights)|every\s+day|last\s+(?:night|week))\b", re.IGNORECASE)


def _finding(transcript: str, category: str, severity: RiskSeverity, span: tuple[int, int],
             clause: tuple[int, int]) -> RiskFinding:
    text = transcript[clause[0]:clause[1]]
    # An abuse disclosure needs attention however long ago it happened (safeguarding, reporting duties).
    historical = category != "abuse" and bool(_HISTORY.search(text))
    return RiskFinding(category=category, severity=RiskSeverity.LOW if historical else severity,
                       evidence=" ".join(text.split())[:160], start=span[0], end=span[1], current=not historical)


def _screening_answer(transcript: str, question: _Utterance, answer: _Utterance) -> RiskFinding | None:
    """A therapist's risk screening question answered in the affirmative ("Hanging.", "Yeah, most nights")."""
    asked = transcript[question.start:question.end]
    reply = transcript[answer.start:answer.end].strip()
    if not _AFFIRMATIVE.match(reply) or _NEGATORS.match(reply):
        return None
    span = (answer.start, answer.end)
    if _SCREENING_QUESTION.search(asked):
        return _finding(transcript, "suicidal_ideation_active", RiskSeverity.HIGH, span, span)
    if _SELF_HARM_QUESTION.search(asked):
        return _finding(transcript, "self_harm", RiskSeverity.HIGH, span, span)
    return None


def detect_risks(transcript: str) -> list[RiskFinding]:
    """Current and historical first-person risk statements, in transcript order."""
    findings: list[RiskFinding] = []
    seen: set[tuple[str, int]] = set()
    turns = _utterances(transcript)
    for index, turn in enumerate(turns):
        if turn.is_therapist:
            continue
        if index > 0 and turns[index - 1].is_therapist:
            answer = _screening_answer(transcript, turns[index - 1], turn)
            if answer is not None:
                findings.append(answer)
                seen.add((answer.category, turn.start))
        for clause_start, clause_end in _clauses(transcript[turn.start:turn.end], turn.start):
            clause = transcript[clause_start:clause_end]
            for category, severity, pattern, self_negating in _COMPILED:
                if (category, clause_start) in seen:
                    continue
                for match in pattern.finditer(clause):
                    start, end = clause_start + match.start(), clause_start + match.end()
                    if not _qualifies(transcript, clause_start, start, end, category, self_negating):
                        continue
                    seen.add((category, clause_start))
                    findings.append(_finding(transcript, category, severity, (start, end), (clause_start, clause_end)))
                    break
    return sorted(findings, key=lambda f: f.start)


def summarise_findings(findings: Sequence[RiskFinding]) -> list[dict[str, Any]]:
    return [{"category": f.category, "severity": f.severity.value, "evidence": f.evidence, "current": f.current}
            for f in findings]


# --- reconciliation ---------------------------------------------------------------------------
_FAMILY = {
    "suicidal_ideation_active": "suicide",
    "suicidal_ideation_passive": "suicide",
    "self_harm": "self_harm",
    "homicidal_ideation": "violence",
    "violence": "violence",
    "abuse": "abuse",
    "overdose": "overdose",
}
_FAMILY_WORDS = {
    "suicide": r"\bSI\b|suicid|wake\s+up|what'?s\s+the\s+point|better\s+off|kill(?:ing)?\s+(?:him|her)?self|end(?:ing)?"
               r"\s+(?:it|(?:his|her|their|my)\s+life)|take\s+(?:his|her|their|my)\s+life|want(?:s|ed)?\s+to\s+die"
               r"|\bpills\b|death\s+wish|not\s+(?:be\s+)?(?:here|alive)|hopeless|life\s+(?:isn'?t|not)\s+worth",
    "self_harm": r"self[-\s]?harm|\bcut|\bburn|hurt(?:ing)?\s+(?:him|her|them|my)sel|\bNSSI\b|scratch",
    "violence": r"\bHI\b|homicid|violen|kill|hurt\s+(?:him|her|them|others|someone)|harm\s+(?:to\s+)?others|attack",
    "abuse": r"abus|assault|\bhit|\bbeat|rape|molest|\bDV\b|domestic|violence\s+at\s+home|unsafe\s+at\s+home",
    "overdose": r"overdos|\bOD\b|pills|narcan",
}
_FAMILY_PHRASE = {
    "suicidal_ideation_active": "Active suicidal ideation reported",
    "suicidal_ideation_passive": "Passive suicidal ideation reported",
    "self_harm": "Self-harm reported",
    "homicidal_ideation": "Homicidal ideation reported",
    "violence": "Thoughts of violence toward others reported",
    "abuse": "Abuse disclosed",
    "overdose": "Overdose reported",
}
_NEGATIVE_RISK_TEXT = re.compile(r"^\s*(?:none(?:\s+reported)?|denies[^.]*|no\s+(?:risk|SI)[^.]*|n/?a)\.?\s*$",
                                 re.IGNORECASE)


def _families_in(text: str) -> set[str]:
    return {family for family, rx in _FAMILY_WORDS.items() if re.search(rx, text, re.IGNORECASE)}


def _quote(evidence: str, limit: int = 60) -> str:
    cleaned = re.sub(r"[{}*\"]", "", evidence).strip()
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3].rsplit(" ", 1)[0] + "..."


def reconcile_note_with_risks(
    note: str, findings: Sequence[RiskFinding], risk_section: str = "Risk"
) -> RiskReconciliation:
    """Add every current transcript risk the note's RED markers miss; report unsupported RED claims."""
    from summarizer.sections import MULTI_SESSION_SECTIONS, SESSION_NOTE_SECTIONS

    order = MULTI_SESSION_SECTIONS if risk_section != "Risk" else SESSION_NOTE_SECTIONS
    covered = set().union(*(_families_in(span) for span in red_spans(note))) if red_spans(note) else set()
    current = [f for f in findings if f.current]
    supported = {_FAMILY[f.category] for f in findings}
    unsupported = [span for span in red_spans(note) if not (_families_in(span) & supported)]
    missing: list[RiskFinding] = []
    missing_families: set[str] = set()
    for finding in current:
        family = _FAMILY[finding.category]
        if family not in covered and family not in missing_families:
            missing.append(finding)
            missing_families.add(family)
    if not missing:
        return RiskReconciliation(note=note, added=[], unsupported_claims=unsupported, intervened=False)
    parsed = parse_note(note, order)
    sections = {name: parsed.sections.get(name, "") for name in order}
    existing = sections.get(risk_section, "")
    if _NEGATIVE_RISK_TEXT.match(existing or NONE_REPORTED):
        existing = ""  # the transcript contradicts "None reported" / "Denies SI/HI"
    additions = " ".join(
        f"{RED_OPEN}{_FAMILY_PHRASE[f.category]} (\"{_quote(f.evidence)}\").{RED_CLOSE}" for f in missing
    )
    sections[risk_section] = f"{additions} {existing}".strip()
    # The added risk text must not push the note past its word budget: trim the other sections.
    sections = trim_sections(sections, order, protected=(risk_section,))
    return RiskReconciliation(note=render_note(sections, order), added=missing, unsupported_claims=unsupported,
                              intervened=True)
