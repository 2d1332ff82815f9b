"""Course-of-treatment summaries composed from each session's grounded note, never from truncated transcripts.

A 135M model asked to read five raw transcripts at once invents quotes and loses the middle sessions. The
summary is therefore built from parts that were already checked: each session's note (the clinician's
signed or edited note, or the grounded AI note), plus what can be measured across sessions in the
transcripts themselves (outcome scores such as PHQ-9 over time, the risk detector's findings per session).
Every statement names the session it comes from, so the evidence points at a session and a span.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from summarizer.risk import detect_risks
from summarizer.risk_types import RiskFinding, most_severe_per_family
from summarizer.sections import MULTI_SESSION_SECTIONS, RED_CLOSE, RED_OPEN
from summarizer.text import red_spans, strip_markup
from summarizer.validation import NONE_REPORTED, parse_note, render_note

# Outcome measures clinicians track across sessions; a score is the first number said within a few words.
MEASURES = ("PHQ-9", "GAD-7", "PCL-5", "Y-BOCS", "ISI", "AUDIT", "CORE-10", "HAI", "PDSS", "SPIN", "ICG", "EPDS",
            "BDI", "BAI", "WSAS", "DASS")
_MEASURE = re.compile(
    r"\b(" + "|".join(re.escape(m).replace(r"\-", r"[- ]?") for m in MEASURES) + r")\b[^.?!\d\n]{0,40}?\b(\d{1,3})\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[.;]\s+|[.;]$")
_DOSE = re.compile(r"\b([A-Za-z]{4,})\s+(?:(?:increased|raised|reduced|cut|lowered|up|down)\s+)?(?:(?:from|to)\s+)?"
                   r"(\d{1,4}(?:\.\d)?)\s*mg\b", re.IGNORECASE)
_NOT_A_DRUG = frozenset({"from", "to", "with", "take", "taking", "dose", "about", "than", "increased", "reduced"})


@dataclass(frozen=True)
class SessionPart:
    """One session as the summary reads it: its note (five sections) and its transcript."""

    session_number: int
    session_date: str
    note: str
    transcript: str = ""
    note_source: str = "notes"  # "notes" (stored), "generated" (written for this summary), "transcript"
    # The detector's findings for this session when the caller has them already (else detected here).
    findings: tuple[RiskFinding, ...] | None = None


@dataclass
class CourseSummary:
    text: str
    evidence: list[dict[str, object]] = field(default_factory=list)  # statement, session, source


def _canonical_measure(name: str) -> str:
    squashed = re.sub(r"[- ]", "", name).upper()
    return next((m for m in MEASURES if re.sub(r"-", "", m) == squashed), name.upper())


def score_trajectories(parts: Sequence[SessionPart]) -> dict[str, list[tuple[int, int]]]:
    """{measure: [(session, score), ...]} from what was said (transcript) or written (note), first per session."""
    found: dict[str, list[tuple[int, int]]] = {}
    for part in parts:
        seen: set[str] = set()
        for text in (part.note, part.transcript):
            for match in _MEASURE.finditer(strip_markup(text)):
                measure = _canonical_measure(match.group(1))
                if measure not in seen:
                    seen.add(measure)
                    found.setdefault(measure, []).append((part.session_number, int(match.group(2))))
    return {m: points for m, points in found.items() if len(points) >= 2}


def dose_trajectories(parts: Sequence[SessionPart]) -> dict[str, list[tuple[int, str]]]:
    """{medication: [(session, "50 mg"), ...]} where the dose named for it changed across sessions."""
    found: dict[str, list[tuple[int, str]]] = {}
    for part in parts:
        for match in _DOSE.finditer(strip_markup(part.note) + " " + part.transcript):
            name = match.group(1).lower()
            if name in _NOT_A_DRUG:
                continue
            dose = f"{match.group(2)} mg"
            points = found.setdefault(name, [])
            if not points or points[-1][1] != dose:
                points.append((part.session_number, dose))
    return {name: points for name, points in found.items() if len(points) >= 2}


def _trajectory_sentence(measure: str, points: list[tuple[int, int]]) -> str:
    first, last = points[0][1], points[-1][1]
    direction = "fell" if last < first else "rose" if last > first else "was unchanged"
    steps = ", ".join(f"{score} (session {number})" for number, score in points)
    return f"{measure} {direction} from {first} to {last}: {steps}."


def _risk_by_session(parts: Sequence[SessionPart]) -> list[tuple[int, list[str]]]:
    """The current risks of each session: what the detector finds in its transcript, and every urgent item
    its note flags (a clinician's note can know more than the detector): [(session, [risk, ...])]."""
    rows = []
    for part in parts:
        detected = part.findings if part.findings is not None else detect_risks(part.transcript or part.note)
        findings = [f for f in most_severe_per_family(list(detected)) if f.current]
        risks = [f"{f.category.replace('_', ' ')} ({f.severity.value})" for f in findings]
        risk_body = parse_note(part.note).sections.get("Risk", "")
        risks += [item.strip().rstrip(".") for item in red_spans(risk_body) if item.strip()]
        rows.append((part.session_number, risks))
    return rows


def _risk_section(parts: Sequence[SessionPart]) -> str:
    rows = _risk_by_session(parts)
    flagged = [(number, risks) for number, risks in rows if risks]
    if not flagged:
        return "No current risk found in any session; clinician to confirm."
    latest_number = parts[-1].session_number
    lines = [f"Session {number}: {'; '.join(risks)}." for number, risks in flagged]
    latest_risks = dict(rows).get(latest_number, [])
    last_flagged = flagged[-1][0]
    if latest_risks:
        # A risk current in the latest session is the summary's urgent item, whatever came before.
        lines[-1] = f"{RED_OPEN}Current at the latest session ({latest_number}): {'; '.join(latest_risks)}.{RED_CLOSE}"
    else:
        later = [number for number, _ in rows if number > last_flagged]
        lines.append(f"No longer present from session {later[0]} (none found in sessions "
                     f"{', '.join(str(n) for n in later)}).")
    return " ".join(lines)


def _section(part: SessionPart, name: str) -> str:
    body = parse_note(part.note).sections.get(name, "")
    return "" if not body or strip_markup(body).lower().startswith(("none reported", "not ")) else body


def _distinct(clauses: Sequence[tuple[int, str]], limit: int) -> list[tuple[int, str]]:
    kept: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number, clause in clauses:
        key = " ".join(re.findall(r"[a-z]+", clause.lower())[:3])
        if key and key not in seen:
            seen.add(key)
            kept.append((number, clause))
    return kept[:limit]


def compose_course_summary(parts: Sequence[SessionPart]) -> CourseSummary:
    """The multi-session summary from each session's note, oldest first, every statement tagged with its session."""
    ordered = sorted(parts, key=lambda p: p.session_number)
    first, latest = ordered[0], ordered[-1]
    evidence: list[dict[str, object]] = []

    def cite(number: int, text: str, source: str) -> str:
        evidence.append({"statement": text, "session": number, "source": source})
        return text

    # The first intervention clause of each session, so the whole course shows (not only its start).
    firsts = []
    for part in ordered:
        clauses = [c.strip() for c in _CLAUSE.split(_section(part, "Intervention")) if c.strip()]
        if clauses:
            firsts.append((part.session_number, clauses[0]))
    interventions = _distinct(firsts, limit=6)
    progress = [cite(points[-1][0], _trajectory_sentence(measure, points), "transcript")
                for measure, points in score_trajectories(ordered).items()]
    for name, doses in dose_trajectories(ordered).items():
        steps = ", then ".join(f"{dose} (session {number})" for number, dose in doses)
        progress.append(cite(doses[-1][0], f"{name.capitalize()} {steps}.", "transcript"))
    if not progress:
        progress = [cite(p.session_number, f"Session {p.session_number}: {_section(p, 'Emotional State')}", "notes")
                    for p in (first, latest) if _section(p, "Emotional State")]
    sections = {
        "Latest Session": cite(latest.session_number, f"Session {latest.session_number} ({latest.session_date}): "
                               f"{_section(latest, 'Chief Complaint') or NONE_REPORTED}", latest.note_source),
        "Chief Complaint": cite(first.session_number, f"At session {first.session_number}: "
                                f"{_section(first, 'Chief Complaint') or NONE_REPORTED}", first.note_source),
        "Emotional State": cite(latest.session_number, _section(latest, "Emotional State") or NONE_REPORTED,
                                latest.note_source),
        "Risk Assessment": cite(latest.session_number, _risk_section(ordered), "transcript"),
        "Intervention": " ".join(cite(n, f"Session {n}: {text}.", "notes") for n, text in interventions)
                        or NONE_REPORTED,
        "Progress": " ".join(progress) or NONE_REPORTED,
        "Plan": cite(latest.session_number, _section(latest, "Plan") or NONE_REPORTED, latest.note_source),
    }
    return CourseSummary(render_note(sections, MULTI_SESSION_SECTIONS), evidence)
