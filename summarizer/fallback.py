"""Extractive fallback notes: used when the model fails, times out or writes something
unrepairable. Built only from the transcript's own sentences and the risk detector, in the
same format, and always marked as fallback by the caller (never passed off as model output).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from summarizer.risk_reconcile import risk_line
from summarizer.risk_types import RiskFinding, most_severe_per_family
from summarizer.sections import MULTI_SESSION_SECTIONS, SESSION_NOTE_SECTIONS
from summarizer.text import normalise_whitespace
from summarizer.validation import NONE_REPORTED, render_note, repair_note

_LABEL = re.compile(r"^\s*([A-Za-z][A-Za-z .]{0,20}?|Speaker\s*\d)\s*:\s*", re.IGNORECASE)
_THERAPIST = re.compile(r"^(?:therapist|t|counsell?or|clinician|dr\.?.*|speaker\s*1)$", re.IGNORECASE)
_EMOTION = re.compile(r"\b(?:feel|felt|feeling|sad|anxious|angry|scared|hopeless|worried|low|down|stressed|"
                      r"overwhelmed|tired|numb|guilty|ashamed|better|calm|happy|frustrated|lonely)\b", re.IGNORECASE)
_PLAN = re.compile(r"\b(?:next\s+(?:week|session|time)|homework|this\s+week|plan|practice|try|schedule|follow\s+up|"
                   r"review)\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_SAFE_CHARS = re.compile(r"[{}*]")
_FALLBACK_WORDS = 11  # per extracted section, so five sections stay within 30-70 words


def _turns(transcript: str) -> tuple[list[str], list[str]]:
    """(patient sentences, therapist sentences); unlabelled text counts as the patient's."""
    patient: list[str] = []
    therapist: list[str] = []
    speaker_is_therapist = False
    for line in transcript.splitlines():
        label = _LABEL.match(line)
        if label:
            speaker_is_therapist = bool(_THERAPIST.match(label.group(1).strip()))
            line = line[label.end():]
        sentences = [s.strip() for s in _SENTENCE.split(line) if len(s.split()) >= 3]
        (therapist if speaker_is_therapist else patient).extend(sentences)
    return patient, therapist


def _clip(sentence: str, words: int = _FALLBACK_WORDS) -> str:
    parts = _SAFE_CHARS.sub("", sentence).split()
    text = " ".join(parts[:words])
    if len(parts) > words:
        return f'"{text}..."'
    # The note puts its own full stop after the quote: no '"...night.".'
    return f'"{text.rstrip(".,;:")}"'


def _first(sentences: Iterable[str], pattern: re.Pattern[str] | None = None) -> str | None:
    for sentence in sentences:
        if pattern is None or pattern.search(sentence):
            return sentence
    return None


def _risk_text(findings: Sequence[RiskFinding]) -> str:
    lines = most_severe_per_family(list(findings))
    if not lines:
        return "None reported by the risk detector; clinician to review."
    return " ".join(risk_line(f) for f in lines)


# What a therapist says when setting the plan: homework, the next step, the next meeting.
_PLAN_CUE = re.compile(
    r"\b(?:this\s+week|next\s+(?:week|session|time|\w+day)|homework|let'?s\s+(?:try|review|meet|plan)|"
    r"could\s+you\s+(?:also\s+)?(?:try|ask|keep|write|practise|practice)|try\s+to|before\s+bed|"
    r"every\s+(?:day|morning|evening|night)|each\s+(?:day|morning|evening)|keep\s+a\b|plan\b)",
    re.IGNORECASE,
)


# A question that asks for the homework ("Could you also ask your manager...?") is plan; others are not.
_REQUEST = re.compile(r"(?:could|can|would|will)\s+you\b", re.IGNORECASE)


def plan_evidence(transcript: str, max_words: int = 32) -> list[str]:
    """The therapist's plan-setting sentences from the second half of the session (the homework and
    the next meeting, which a note's Plan must carry and a small model often drops): the ones with the
    most plan cues that fit in ``max_words``, in transcript order."""
    _, therapist = _turns(normalise_whitespace(transcript or "")[:200_000])
    later = therapist[len(therapist) // 2:]
    scored = [(len(_PLAN_CUE.findall(s)), position, s) for position, s in enumerate(later)
              if _PLAN_CUE.search(s) and (not s.endswith("?") or _REQUEST.match(s))]
    chosen: list[tuple[int, str]] = []
    words = 0
    for _, position, sentence in sorted(scored, key=lambda item: (-item[0], -item[1])):
        size = len(sentence.split())
        if words + size <= max_words:
            chosen.append((position, _SAFE_CHARS.sub("", sentence).strip()))
            words += size
    return [sentence for _, sentence in sorted(chosen)]


# What a therapist says while doing something: a named technique, an exercise, a reflection or a question
# that examines a thought. The Intervention is the therapist sentence with the most of these (the first
# therapist sentence, usually a greeting, only when none has any).
_TECHNIQUE_CUE = re.compile(
    r"\b(?:thought\s+record|evidence\s+(?:for|against)|breathing|(?:the|this|an?)\s+exercise|exposure|grounding|mindful\w*|"
    r"worksheet|role[-\s]?play|reframe\w*|cognitive|behaviou?ral|activation|schedul\w*|practi[sc]\w*|"
    r"let'?s\s+(?:look|try|practi[sc]e|go\s+through|write|rate|notice|think|map|list|break)|"
    r"what\s+would\s+you\s+(?:say|tell)|on\s+a\s+scale|rate\b|notice\w*|skills?\b|technique|strateg\w*|"
    r"safety\s+plan|problem[-\s]solv\w*|validat\w*|psychoeducation|diary|log\b|journal\w*|cope|coping)",
    re.IGNORECASE,
)


# Shorter sentences are prompts and checklists ("(after) Rate it.", "Exercise, vomiting, laxatives?").
_MIN_INTERVENTION_WORDS = 6


def _most_cued(sentences: Sequence[str], pattern: re.Pattern[str], min_words: int) -> str | None:
    """The sentence of ``min_words`` or more with the most matches of ``pattern`` (the earliest on ties)."""
    scored = [(len(pattern.findall(s)), -position, s) for position, s in enumerate(sentences)
              if len(s.split()) >= min_words and pattern.search(s)]
    return max(scored)[2] if scored else None


def extractive_fallback_note(transcript: str, findings: Sequence[RiskFinding]) -> str:
    """A valid single-session note for ANY input (empty, huge, unicode, garbage)."""
    text = normalise_whitespace(transcript or "")[:200_000]
    patient, therapist = _turns(text)
    complaint = _first(patient)
    emotion = _first(patient, _EMOTION)
    intervention = _most_cued(therapist, _TECHNIQUE_CUE, _MIN_INTERVENTION_WORDS) or _first(therapist)
    plan = (next(iter(plan_evidence(text)), None) or _first(reversed(therapist), _PLAN)
            or _first(reversed(patient), _PLAN))
    sections = {
        "Chief Complaint": f"Patient stated {_clip(complaint)}." if complaint else "Not identifiable from transcript.",
        "Emotional State": f"Patient described {_clip(emotion)}." if emotion else "Not described in transcript.",
        "Risk": _risk_text(findings),
        "Intervention": f"Therapist: {_clip(intervention)}." if intervention else "Not identifiable from transcript.",
        "Plan": f"Discussed {_clip(plan)}. Clinician to review and complete." if plan
        else "Clinician to review and complete this automatically extracted note.",
    }
    note = render_note(sections, SESSION_NOTE_SECTIONS)
    return repair_note(note, SESSION_NOTE_SECTIONS) or note


def extractive_fallback_summary(session_texts: Sequence[str], findings: Sequence[RiskFinding]) -> str:
    """A multi-session summary from the sessions' own sentences (<= 150 words)."""
    texts = [normalise_whitespace(t or "") for t in session_texts]
    latest_patient, latest_therapist = _turns(texts[-1]) if texts else ([], [])
    first_patient, _ = _turns(texts[0]) if texts else ([], [])
    complaint = _first(first_patient)
    latest = _first(latest_patient)
    emotion = _first(latest_patient, _EMOTION)
    intervention = _first(latest_therapist)
    plan = _first(reversed(latest_therapist), _PLAN)
    sections = {
        "Latest Session": f"Patient stated {_clip(latest)}." if latest else NONE_REPORTED,
        "Chief Complaint": f"Initially: {_clip(complaint)}." if complaint else NONE_REPORTED,
        "Emotional State": f"Latest: {_clip(emotion)}." if emotion else NONE_REPORTED,
        "Risk Assessment": _risk_text(findings),
        "Intervention": f"Therapist: {_clip(intervention)}." if intervention else NONE_REPORTED,
        "Progress": f"{len(texts)} session(s) reviewed; extracted automatically, clinician to assess progress.",
        "Plan": f"Discussed {_clip(plan)}." if plan else "Clinician to review and complete.",
    }
    note = render_note(sections, MULTI_SESSION_SECTIONS)
    return repair_note(note, MULTI_SESSION_SECTIONS) or note
