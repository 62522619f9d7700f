"""Findings as data: the Finding record, and the labels of severities and key-information elements.

A finding is never an exception: checks return lists of findings and a review
collects all of them (house style, after pandera's lazy validation).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from .enums import Element, Severity

SEVERITY_LABELS = {
    Severity.CRITICAL: ("严重", "critical"),
    Severity.MAJOR: ("主要", "major"),
    Severity.MINOR: ("次要", "minor"),
    Severity.INFO: ("提示", "info"),
}


ELEMENT_LABELS = {
    Element.SCREENING: ("受试者筛选入组和基线情况", "subject screening, enrolment and baseline"),
    Element.ADMINISTRATION: ("给药方法", "administration method"),
    Element.SAFETY: ("安全性评价", "safety evaluation"),
    Element.EFFICACY: ("有效性评价", "efficacy evaluation"),
    Element.FOLLOW_UP: ("随访结果", "follow-up results"),
    Element.CONMED: ("合并用药", "concomitant medication"),
    Element.PROCESS_QUALITY: ("工艺和质量一致性", "process and quality consistency"),
    Element.COMPLIANCE: ("临床研究的合规性和数据完整性", "compliance and data integrity"),
}


@dataclass(frozen=True)
class Finding:
    """One thing a check found, with where it is and a message in both languages."""

    check_id: str
    element: Element
    severity: Severity
    message_en: str
    message_zh: str
    guideline_ref: str
    domain: str | None = None
    usubjid: str | None = None
    record: str | None = None

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en

    def to_dict(self) -> dict:
        d = asdict(self)
        d["element"] = self.element.value
        d["severity"] = self.severity.value
        order = ["check_id", "element", "severity", "domain", "usubjid", "record",
                 "message_en", "message_zh", "guideline_ref"]
        return {k: d[k] for k in order}

    @classmethod
    def from_dict(cls, d: dict) -> "Finding":
        """A finding read back from review.json ``findings[]``."""
        return cls(d["check_id"], Element(d["element"]), Severity(d["severity"]), d.get("message_en") or "",
                   d.get("message_zh") or "", d.get("guideline_ref") or "", d.get("domain"), d.get("usubjid"),
                   d.get("record"))

    @property
    def sort_key(self) -> tuple:
        return (self.severity.rank, self.check_id, self.domain or "", self.usubjid or "", self.record or "",
                self.message_en)
