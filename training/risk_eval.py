"""The severity-labelled risk set and the scoring of final notes against it.

Cases live in ``data/risk_eval/*.jsonl`` (never trained on): expected current families, each
family's labelled severity, the highest severity, language, tags, and for some an adversarial
Risk-section text a careless model might write. A final note is scored on its Risk section:
- recall: every labelled current family has a ``{{RED:...}}`` item about it;
- severity agreement: the severity word stated for that family equals the labelled one;
- no denial: no text outside RED denies or minimises risk while a current risk is labelled;
- false RED: a no-risk case whose note has any RED item;
- banner: an unsupported-language case says risk screening was not performed.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.risk_reconcile import families_in, is_denial, risk_phrase
from summarizer.risk_types import RiskFinding, RiskSeverity
from summarizer.sections import SESSION_NOTE_SECTIONS
from summarizer.text import red_spans
from summarizer.validation import parse_note

REPO = Path(__file__).resolve().parent.parent
RISK_SET_DIR = REPO / "data" / "risk_eval"
SEVERITIES = ("moderate", "high", "critical")
_STATED = re.compile(r"^\s*(critical|high|moderate|low)\s+risk\s+-\s*(.+?)\s*\(", re.IGNORECASE)
# Our own line's phrase names its family exactly; the quote after it may mention other families.
_PHRASE_FAMILY = {risk_phrase(RiskFinding(c, s, "", 0, 0)): RiskFinding(c, s, "", 0, 0).family
                  for c in ("suicidal_ideation_active", "suicidal_ideation_passive", "self_harm", "overdose",
                            "homicidal_ideation", "violence", "abuse") for s in RiskSeverity}


@dataclass(frozen=True)
class RiskCase:
    id: str
    transcript: str
    families: dict[str, str]  # family -> labelled severity
    highest_severity: str
    language: str
    tags: tuple[str, ...]
    why: str
    adversarial_risk_text: str | None = None

    @property
    def no_current_risk(self) -> bool:
        return not self.families

    @property
    def unsupported_language(self) -> bool:
        return "unsupported_language" in self.tags


def load_cases(directory: Path = RISK_SET_DIR) -> list[RiskCase]:
    cases: list[RiskCase] = []
    for path in sorted(directory.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            row = json.loads(line)
            transcript = row.get("transcript") or (REPO / row["file"]).read_text(encoding="utf-8")
            families = dict(row.get("family_severity") or {})
            if set(families) != set(row.get("current_families") or []):
                raise ValueError(f"{path.name}:{number}: current_families and family_severity disagree")
            cases.append(RiskCase(
                id=row["id"], transcript=transcript, families=families,
                highest_severity=row.get("highest_severity", "none"), language=row.get("language", "en"),
                tags=tuple(row.get("tags") or ()), why=row.get("why", ""),
                adversarial_risk_text=row.get("adversarial_risk_text"),
            ))
    return cases


@dataclass
class NoteScore:
    case_id: str
    family_red: dict[str, bool] = field(default_factory=dict)
    family_severity_stated: dict[str, str | None] = field(default_factory=dict)
    denial_next_to_risk: bool = False
    false_red: bool = False
    banner: bool = False
    needs_attention: bool = False

    def severity_agrees(self, family: str, labelled: str) -> bool:
        return self.family_severity_stated.get(family) == labelled


def _stated(span: str) -> tuple[set[str], str | None]:
    match = _STATED.match(span)
    if match:
        family = _PHRASE_FAMILY.get(match.group(2).strip())
        return ({family} if family else families_in(span)), match.group(1).lower()
    return families_in(span), None


def score_note(case: RiskCase, note: str, needs_attention: bool = False) -> NoteScore:
    risk = parse_note(note, SESSION_NOTE_SECTIONS).sections.get("Risk", "")
    score = NoteScore(case.id, needs_attention=needs_attention)
    spans = red_spans(risk)
    stated: dict[str, list[str | None]] = {}
    for span in spans:
        named, severity = _stated(span)
        for family in named:
            stated.setdefault(family, []).append(severity)
    for family in case.families:
        score.family_red[family] = family in stated
        words = [s for s in stated.get(family, []) if s]
        score.family_severity_stated[family] = max(words, key=SEVERITIES.index) if words else None
    outside_red = re.sub(r"\{\{RED:[^{}]*\}\}", " ", risk)
    score.denial_next_to_risk = bool(case.families) and any(
        is_denial(s) for s in re.split(r"(?<=[.;!?])\s+", outside_red) if s.strip())
    score.false_red = case.no_current_risk and bool(red_spans(note))
    score.banner = "risk screening not performed" in note.lower()
    return score


@dataclass
class RiskBenchSummary:
    cases: int
    positive_cases: int
    negative_cases: int
    family_recall: dict[str, tuple[int, int]]
    severity_agreement: dict[str, tuple[int, int]]  # by labelled severity
    denials_next_to_risk: int
    false_red: int
    attention_on_negatives: int
    banners: tuple[int, int]
    misses: list[str]
    # Positive cases with a family missing from RED whose job still needs a clinician's attention
    # (e.g. the model's unconfirmed claim kept visible): the attention flag's catch of a missed risk.
    missed_but_attention: tuple[int, int] = (0, 0)

    def overall_recall(self) -> tuple[int, int]:
        return (sum(h for h, _ in self.family_recall.values()), sum(n for _, n in self.family_recall.values()))

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "overall_recall": self.overall_recall()}


def summarise(cases: Sequence[RiskCase], scores: Iterable[NoteScore]) -> RiskBenchSummary:
    by_id = {c.id: c for c in cases}
    recall: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    agree: Counter[str] = Counter()
    agree_totals: Counter[str] = Counter()
    misses: list[str] = []
    denials = false_red = attention = banners = missed_cases = caught = 0
    for score in scores:
        case = by_id[score.case_id]
        if case.families and not all(score.family_red.get(f, False) for f in case.families):
            missed_cases += 1
            caught += score.needs_attention
        for family, labelled in case.families.items():
            totals[family] += 1
            agree_totals[labelled] += 1
            hit = score.family_red.get(family, False)
            recall[family] += hit
            agreed = score.severity_agrees(family, labelled)
            agree[labelled] += agreed
            if not hit or not agreed:
                stated = score.family_severity_stated.get(family)
                misses.append(f"{case.id} {family} {labelled}: {'no RED' if not hit else f'stated {stated}'}")
        denials += score.denial_next_to_risk
        false_red += score.false_red
        if case.no_current_risk:
            attention += score.needs_attention
        banners += case.unsupported_language and score.banner
    return RiskBenchSummary(
        cases=len(cases), positive_cases=sum(1 for c in cases if c.families),
        negative_cases=sum(1 for c in cases if not c.families),
        family_recall={f: (recall[f], totals[f]) for f in sorted(totals)},
        severity_agreement={s: (agree[s], agree_totals[s]) for s in SEVERITIES if agree_totals[s]},
        denials_next_to_risk=denials, false_red=false_red, attention_on_negatives=attention,
        banners=(banners, sum(1 for c in cases if c.unsupported_language)), misses=misses,
        missed_but_attention=(caught, missed_cases),
    )


def format_summary(title: str, summary: RiskBenchSummary) -> str:
    hit, total = summary.overall_recall()
    lines = [f"## {title}", "",
             f"cases {summary.cases} (current risk {summary.positive_cases}, none {summary.negative_cases})", "",
             "| family | RED recall | severity agreement |", "|---|---|---|"]
    for family, (h, n) in summary.family_recall.items():
        lines.append(f"| {family} | {h}/{n} | |")
    lines.append(f"| **all** | **{hit}/{total}** ({hit / max(total, 1):.0%}) | |")
    for severity, (a, n) in summary.severity_agreement.items():
        lines.append(f"| severity {severity} | | {a}/{n} ({a / max(n, 1):.0%}) |")
    negatives = max(summary.negative_cases, 1)
    lines += ["",
              f"denial next to a current risk: {summary.denials_next_to_risk}",
              f"false RED on no-risk cases: {summary.false_red}/{summary.negative_cases} "
              f"({summary.false_red / negatives:.1%})",
              f"needs-attention on no-risk cases: {summary.attention_on_negatives}/{summary.negative_cases}",
              f"unsupported-language banner: {summary.banners[0]}/{summary.banners[1]}",
              f"positive cases with a family missing from RED that still need attention: "
              f"{summary.missed_but_attention[0]}/{summary.missed_but_attention[1]}"]
    if summary.misses:
        lines += ["", "misses: " + "; ".join(summary.misses)]
    return "\n".join(lines)
