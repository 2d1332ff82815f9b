"""The risk layer's vocabulary: severities, findings, families. Shared by detection,
reconciliation, the fallback note and the evaluators, so each is defined once."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class RiskSeverity(StrEnum):
    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {RiskSeverity.LOW: 0, RiskSeverity.MODERATE: 1, RiskSeverity.HIGH: 2, RiskSeverity.CRITICAL: 3}


@dataclass(frozen=True)
class RiskFinding:
    category: str
    severity: RiskSeverity
    evidence: str
    start: int
    end: int
    current: bool = True
    # Which signal found it: "lexicon" (English patterns), "lexicon:<lang>" (another language's
    # patterns), "screening" (an affirmative answer to a screening question) or "classifier".
    source: str = "lexicon"

    @property
    def family(self) -> str:
        return FAMILY[self.category]


@dataclass(frozen=True)
class RiskScreening:
    """Whether the risk layer could read the transcript at all (language coverage)."""

    performed: bool
    language: str
    languages: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class RiskReconciliation:
    note: str
    added: list[RiskFinding]
    unsupported_claims: list[str]
    intervened: bool
    # Model text taken out of the Risk section because it denied, minimised or understated a
    # current finding, or was replaced by the detector's line for the same family.
    removed_risk_text: list[str] = field(default_factory=list)
    needs_attention: bool = False
    attention_reasons: list[str] = field(default_factory=list)


# Families group categories that one Risk-section line describes: one line per family, at the
# family's most severe current finding.
FAMILY = {
    "suicidal_ideation_active": "suicide",
    "suicidal_ideation_passive": "suicide",
    "self_harm": "self_harm",
    "overdose": "overdose",
    "homicidal_ideation": "violence",
    "violence": "violence",
    "abuse": "abuse",
}
FAMILIES: tuple[str, ...] = ("suicide", "overdose", "self_harm", "violence", "abuse")


def most_severe_per_family(findings: list[RiskFinding]) -> list[RiskFinding]:
    """The most severe current finding of each family, most severe first."""
    best: dict[str, RiskFinding] = {}
    for finding in findings:
        if not finding.current:
            continue
        held = best.get(finding.family)
        # On equal severity the patient's own risk statement quotes better than a screening answer.
        if held is None or finding.severity.rank > held.severity.rank or (
                finding.severity == held.severity and held.source == "screening" and finding.source != "screening"):
            best[finding.family] = finding
    return sorted(best.values(), key=lambda f: (-f.severity.rank, FAMILIES.index(f.family), f.start))
