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
    # patterns), "screening" (an affirmative answer to a therapist's risk question), "plan" (a plan told
    # by its structure, summarizer/risk_plans.py) or "classifier".
    source: str = "lexicon"

    @property
    def family(self) -> str:
        return FAMILY[self.category]

    @property
    def traits(self) -> CategoryTraits:
        return CATEGORY_TRAITS[self.category]


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


@dataclass(frozen=True)
class CategoryTraits:
    """How detection treats a category, so the detector never branches on category names.

    ``checks`` name the qualification checks a lexicon match of the category must pass
    (summarizer/risk.py, ``_CHECKS``): each removes one kind of false positive that only makes
    sense for some categories ("my cousin overdosed" is someone else's risk; "she threatened to run
    me over, we were laughing" is play)."""

    checks: frozenset[str]
    # An abuse disclosure needs attention however long ago it happened (safeguarding, reporting duties).
    lasting: bool = False
    # High ideation becomes critical with a plan, date or means said in the same or the next turn.
    escalates: bool = False
    # "I'm going to walk in and shoot her": intent said just before harm to others is critical.
    intent_escalates: bool = False
    # Suicidal ideation: in the same turn as an overdose it is a suicide attempt (critical).
    suicidal: bool = False
    # An overdose: ideation beside it makes it an attempt.
    attempt: bool = False
    # Abuse the patient says is over (same turn, nothing recent) is history.
    can_resolve: bool = False


_OWN = frozenset({"someone_else", "reported_opinion"})
CATEGORY_TRAITS: dict[str, CategoryTraits] = {
    "suicidal_ideation_active": CategoryTraits(_OWN, escalates=True, suicidal=True),
    "suicidal_ideation_passive": CategoryTraits(_OWN, suicidal=True),
    "self_harm": CategoryTraits(_OWN | {"accident"}),
    "overdose": CategoryTraits(frozenset({"someone_else_unless_done_to_me", "medical_event", "overdose_idiom",
                                          "bare_overdose_noun"}), attempt=True),
    "homicidal_ideation": CategoryTraits(frozenset({"someone_else", "retracted_conditional", "jest",
                                                    "intrusive_image"}), escalates=True, intent_escalates=True),
    "violence": CategoryTraits(frozenset({"someone_else", "retracted_conditional", "jest", "intrusive_image"}),
                               escalates=True, intent_escalates=True),
    "abuse": CategoryTraits(frozenset({"jest"}), lasting=True, can_resolve=True),
}


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
