"""The enumerations of the review: severities, key-information elements, evidence tiers, check and element
statuses. Every other module takes them from here; the ``Literal`` types (for pydantic models) are derived from
them, never written out again."""
from __future__ import annotations

from enum import Enum
from typing import Literal


class Severity(str, Enum):
    """Finding severity (check-catalogue.md)."""

    CRITICAL = "critical"
    MAJOR = "major"
    MINOR = "minor"
    INFO = "info"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.CRITICAL: 0, Severity.MAJOR: 1, Severity.MINOR: 2, Severity.INFO: 3}


class Element(str, Enum):
    """Key-information elements of G-4.1.2 plus the two prerequisites of G-4.1.1/G-4.1.2."""

    SCREENING = "screening_enrollment_baseline"
    ADMINISTRATION = "administration"
    SAFETY = "safety"
    EFFICACY = "efficacy"
    FOLLOW_UP = "follow_up"
    CONMED = "concomitant_medication"
    PROCESS_QUALITY = "process_quality"
    COMPLIANCE = "compliance_integrity"


class Tier(str, Enum):
    """Evidence tier codes, exactly as the table of evidence-tiers.md."""

    T0 = "T0"
    T1 = "T1"
    T2 = "T2"
    T3 = "T3"
    T4 = "T4"

    @property
    def label_zh(self) -> str:
        return TIER_LABELS[self][0]

    @property
    def label_en(self) -> str:
        return TIER_LABELS[self][1]

    @property
    def clause(self) -> str:
        return TIER_LABELS[self][2]

    def label(self, lang: str = "zh") -> str:
        return self.label_zh if lang == "zh" else self.label_en


# code -> (中文, English, guideline clause ids); wording fixed by evidence-tiers.md
TIER_LABELS: dict[Tier, tuple[str, str, str]] = {
    Tier.T0: ("不能作为支持性证据", "not acceptable as supporting evidence", "G-4.1.1, G-4.1.2"),
    Tier.T1: ("安全性风险较高，可能无法获准开展注册临床试验",
              "high safety risk; registration trial may not be approved", "G-4.2.1"),
    Tier.T2: ("提供初步安全性信息，需扩展探索性试验",
              "preliminary safety information; extend exploratory trials", "G-4.2.2"),
    Tier.T3: ("初步提示有效性，需开展确证性试验", "preliminary efficacy; confirmatory trial needed", "G-4.2.3"),
    Tier.T4: ("足以支持获益风险评估，可能无需重复或继续试验",
              "sufficient for benefit-risk assessment; further trials may not be needed", "G-4.2.4"),
}


class CheckStatus(str, Enum):
    """What one check's run came to (review.json ``checks[].status``)."""

    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    ERROR = "error"


class ElementStatus(str, Enum):
    """A key-information element's scorecard status (check-catalogue.md "Scorecard")."""

    COMPLETE = "complete"
    GAPS = "gaps"
    UNUSABLE = "unusable"


SeverityKey = Literal[tuple(s.value for s in Severity)]          # type: ignore[misc]
ElementKey = Literal[tuple(e.value for e in Element)]            # type: ignore[misc]
TierCode = Literal[tuple(t.value for t in Tier)]                 # type: ignore[misc]
TIER_CODES = tuple(t.value for t in Tier)
