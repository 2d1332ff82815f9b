"""Reconciling a note's Risk section with what the transcript shows.

The Risk section must tell the truth about every current risk at its real severity, whatever the
model wrote. After reconciliation:
- every current family (suicide, overdose, self-harm, violence, abuse) has one ``{{RED:...}}`` line
  stating its most severe current finding, its severity word and the patient's words, most severe
  first; the model's own RED items for those families are replaced by it;
- while any current finding exists, no text in the Risk section denies or minimises risk (the
  phrases in ``DENIAL_PHRASES``), and no text understates a high or critical family with a lower
  severity word; what was taken out is listed in ``removed_risk_text``;
- a risk the model wrote that the detector cannot confirm is never silently deleted: it stays in
  the note as "Unconfirmed (clinician to review): ..." without RED, and the note needs attention;
- a transcript the detector cannot read (unsupported language) gets a banner saying that risk
  screening was not performed, and the model's own RED items stay as written;
- a RED marker outside the Risk section loses its wrapper (its words stay);
- with no current finding, a Risk section that asserts nothing is left exactly as it was.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from summarizer.risk_types import (
    RiskFinding,
    RiskReconciliation,
    RiskScreening,
    RiskSeverity,
    most_severe_per_family,
)
from summarizer.sections import MULTI_SESSION_SECTIONS, RED_CLOSE, RED_OPEN, SESSION_NOTE_SECTIONS
from summarizer.validation import NONE_REPORTED, parse_note, render_note, trim_sections

# Words that name a family in note text (the model's and ours).
FAMILY_WORDS = {
    "suicide": r"\bSI\b|suicid|wake\s+up|what'?s\s+the\s+point|better\s+off|kill(?:ing)?\s+(?:him|her)?self|end(?:ing)?"
               r"\s+(?:it|(?:his|her|their|my)\s+life)|take\s+(?:his|her|their|my)\s+life|want(?:s|ed)?\s+to\s+die"
               r"|death\s+wish|not\s+(?:be\s+)?(?:here|alive)|life\s+(?:isn'?t|not)\s+worth",
    "overdose": r"overdos|\bOD\b|narcan|naloxone|suicide\s+attempt",
    "self_harm": r"self[-\s]?harm|\bcut(?:s|ting)?\b|\bburn(?:s|ing|ed)?\b|hurt(?:ing)?\s+(?:him|her|them|my)sel|\bNS"
                 r"SI\b"
                 r"|scratch",
    "violence": r"\bHI\b|homicid|violen|\bkill|hurt\s+(?:him|her|them|others|someone)|harm\s+(?:to\s+)?others|attack",
    "abuse": r"abus|assault|\bhit\b|\bbeat|rape|molest|\bDV\b|\bIPV\b|domestic|violence\s+at\s+home|unsafe\s+at\s+home",
}
# Risk-section text that denies or minimises risk. Documented in the README; the property tests
# draw from this list.
DENIAL_PHRASES: tuple[str, ...] = (
    "none", "none reported", "none noted", "none identified", "nil", "n/a", "no risk", "no current risk",
    "no SI", "no HI", "no SI/HI", "no suicidal ideation", "no self-harm", "no safety concerns", "no concerns",
    "no immediate danger", "no acute risk", "denies", "denied", "denies SI", "denies suicidal ideation",
    "low risk", "risk low", "minimal risk", "not at risk", "not suicidal", "no intent", "no plan",
    "risk not significant", "not assessed as significant", "negative for", "safe",
)
_DENIAL = re.compile(
    r"\b(?:none(?:\s+(?:reported|noted|identified|disclosed|elicited|indicated|evident))?|nil|n/a|"
    r"no\s+(?:\w+\s+){0,3}?(?:risk|risks|SI|HI|SI/HI|suicidal\w*|homicidal\w*|self[-\s]?harm\w*|safety\s+(?:concerns?|"
    r"issues?)|concerns?|danger|ideation|thoughts|intent|plan|plans|indication|evidence)|"
    r"den(?:y|ies|ied|ying)|(?:low|minimal|minor|negligible)\s+(?:\w+\s+)?risk|risk\s+(?:is\s+|appears\s+|seems\s+|"
    r"remains\s+|assessed\s+as\s+)?(?:low|minimal|not\s+significant|negligible)|not\s+(?:currently\s+|acutely\s+|"
    r"an?\s+)?(?:at\s+risk|suicidal|homicidal|a\s+(?:risk|danger|concern)|in\s+danger|significant|serious|concerning|"
    r"assessed\s+as\s+significant)|negative\s+for|(?:is|appears|seems|feels|remains)\s+safe|safe\s+at\s+present)\b",
    re.IGNORECASE,
)
# Words that put a family below high: never next to a high or critical finding of that family.
_UNDERSTATEMENT = re.compile(r"\b(?:low|mild|moderate|minimal|passive|fleeting|vague|without\s+(?:a\s+)?(?:plan|inten"
                             r"t)|"
                             r"no\s+(?:plan|intent|means))\b", re.IGNORECASE)
_RED = re.compile(r"\{\{RED:([^{}]*)\}\}")
_SENTENCE = re.compile(r"(?<=[.;!?])\s+")
UNCONFIRMED_PREFIX = "Unconfirmed (clinician to review): "
_RISK_PHRASES = {
    ("suicidal_ideation_active", RiskSeverity.CRITICAL): "active suicidal ideation with plan, means or preparation",
    ("suicidal_ideation_active", RiskSeverity.HIGH): "active suicidal ideation",
    ("suicidal_ideation_passive", RiskSeverity.MODERATE): "passive suicidal ideation",
    ("self_harm", RiskSeverity.HIGH): "current self-harm",
    ("overdose", RiskSeverity.CRITICAL): "recent overdose or suicide attempt",
    ("homicidal_ideation", RiskSeverity.CRITICAL): "homicidal ideation with intent, plan or means",
    ("homicidal_ideation", RiskSeverity.HIGH): "homicidal ideation",
    ("violence", RiskSeverity.CRITICAL): "intent to harm others with plan or means",
    ("violence", RiskSeverity.HIGH): "thoughts of violence toward others",
    ("abuse", RiskSeverity.HIGH): "abuse disclosed",
}



# The attention reason for a current finding; the session stores its risk_flags instead.
CURRENT_RISK_REASON = "current_risk"

def families_in(text: str) -> set[str]:
    return {family for family, rx in FAMILY_WORDS.items() if re.search(rx, text, re.IGNORECASE)}


def quote(evidence: str, limit: int = 80) -> str:
    # No braces, bold or quotes (markup), and no colons: "plan:" in a quote would read as a section header.
    cleaned = " ".join(re.sub(r"[{}*\"]", "", evidence).replace(":", ",").split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 3].rsplit(" ", 1)[0] + "..."


def risk_phrase(finding: RiskFinding) -> str:
    phrase = _RISK_PHRASES.get((finding.category, finding.severity))
    return phrase or finding.category.replace("_", " ")


def risk_line(finding: RiskFinding) -> str:
    """One family's line: severity word, what it is, and the patient's words."""
    return (f"{RED_OPEN}{finding.severity.value.upper()} RISK - {risk_phrase(finding)} "
            f"(\"{quote(finding.evidence)}\").{RED_CLOSE}")


def screening_banner(screening: RiskScreening) -> str:
    return f"Risk screening not performed: {screening.reason}; clinician to review."


def _pieces(risk_text: str) -> list[tuple[bool, str]]:
    """The Risk section as (is_red, text) pieces: RED items whole, other text sentence by sentence."""
    pieces: list[tuple[bool, str]] = []
    position = 0
    for match in _RED.finditer(risk_text):
        pieces.extend((False, s) for s in sentences(risk_text[position:match.start()]))
        pieces.append((True, match.group(1)))
        position = match.end()
    pieces.extend((False, s) for s in sentences(risk_text[position:]))
    return [(red, text.strip()) for red, text in pieces]


def sentences(risk_text: str) -> list[str]:
    """The Risk section's plain text sentence by sentence (RED items are split off first, in ``_pieces``)."""
    return [s for s in _SENTENCE.split(risk_text) if s.strip()]


def is_denial(text: str) -> bool:
    return bool(_DENIAL.search(text))


def _understates(text: str, lines: Sequence[RiskFinding]) -> bool:
    """Text with a lower severity word ("passive", "low", "no plan") about a high or critical family
    (or about no family in particular, next to one)."""
    if not _UNDERSTATEMENT.search(text):
        return False
    serious = {f.family for f in lines if f.severity.rank >= RiskSeverity.HIGH.rank}
    named = families_in(text)
    return bool(serious) and (not named or bool(named & serious))


def reconcile_note_with_risks(
    note: str,
    findings: Sequence[RiskFinding],
    risk_section: str = "Risk",
    screening: RiskScreening | None = None,
    supported_families: Collection[str] = (),
) -> RiskReconciliation:
    """Rewrite the Risk section so it states every current finding truthfully (see the module doc).

    ``supported_families``: families that plain text may name without being "Unconfirmed" although no current
    finding covers them, e.g. a course summary's risk trajectory ("Session 2: self harm (high)"), which earlier
    sessions' findings and notes support."""
    order = MULTI_SESSION_SECTIONS if risk_section != "Risk" else SESSION_NOTE_SECTIONS
    lines = most_severe_per_family(list(findings))
    covered = {f.family for f in lines}
    screened = screening is None or screening.performed
    parsed = parse_note(note, order)
    sections = {name: parsed.sections.get(name, "") for name in order}
    original = sections.get(risk_section, "")
    kept: list[str] = []
    removed: list[str] = []
    unsupported: list[str] = []
    unwrapped = False
    for is_red, text in _pieces(original):
        named = families_in(text)
        if lines and (is_denial(text) or _understates(text, lines)):
            removed.append(text)  # a denial or understatement, RED-wrapped or not, beside a current risk
        elif is_red:
            if not screened:
                kept.append(f"{RED_OPEN}{text}{RED_CLOSE}")  # nothing can confirm or refute it: keep the flag
            elif named & covered:
                removed.append(text)  # the detector's line for that family replaces it
            elif is_denial(text) or not named:
                # "{{RED:None reported.}}" claims no risk and "{{RED:2}}" names none: neither is a flag nor a
                # risk claim to confirm. Their words stay; an item with no letters at all goes.
                if re.search(r"[^\W\d_]", text):
                    kept.append(text)
                else:
                    removed.append(text)
                unwrapped = True
            else:
                unsupported.append(text)
                kept.append(UNCONFIRMED_PREFIX + text.strip())
        elif screened and named - covered - set(supported_families) and not is_denial(text) and \
                not text.startswith(UNCONFIRMED_PREFIX):
            unsupported.append(text)  # a plain-text risk claim the transcript does not support
            kept.append(UNCONFIRMED_PREFIX + text)
        else:
            kept.append(text)
    banner = [] if screened else [screening_banner(screening)]  # type: ignore[arg-type]
    # RED is the Risk section's flag: a marker the model put in another section loses its wrapper
    # (its words stay), so every RED item in the note is one the safety net stands behind.
    stray = {name: body for name, body in sections.items() if name != risk_section and _RED.search(body)}
    for name, body in stray.items():
        sections[name] = _RED.sub(lambda m: m.group(1), body)
    if not lines and not unsupported and not banner and not stray and not unwrapped:
        return RiskReconciliation(note=note, added=[], unsupported_claims=[], intervened=False,
                                  removed_risk_text=[])
    rebuilt = " ".join([*(risk_line(f) for f in lines), *banner, *kept]).strip() or NONE_REPORTED
    reasons = ([CURRENT_RISK_REASON] if lines else []) + (["unconfirmed_risk_claim"] if unsupported else []) + (
        ["risk_screening_not_performed"] if banner else [])
    if rebuilt == original.strip() and not stray and not unwrapped:
        return RiskReconciliation(note=note, added=[], unsupported_claims=unsupported, intervened=False,
                                  needs_attention=bool(reasons), attention_reasons=reasons)
    sections[risk_section] = rebuilt
    # The risk text must not push the note past its word budget: trim the other sections.
    sections = trim_sections(sections, order, protected=(risk_section,))
    red_before = {m.group(1) for m in _RED.finditer(original)}
    added = [f for f in lines if risk_line(f)[len(RED_OPEN):-len(RED_CLOSE)] not in red_before]
    return RiskReconciliation(
        note=render_note(sections, order), added=added, unsupported_claims=unsupported,
        intervened=True, removed_risk_text=removed, needs_attention=bool(reasons), attention_reasons=reasons,
    )
