"""Run every registered check over a submission, collecting all findings (never stopping at the first)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field

from ..enums import CheckStatus, ElementStatus
from ..findings import Element, Finding, Severity
from ..submission import Submission
from .registry import CheckRegistry, FindingSink, NotApplicable, registry

log = logging.getLogger(__name__)

PASS, FAIL, NOT_APPLICABLE, ERROR = (CheckStatus.PASS.value, CheckStatus.FAIL.value, CheckStatus.NOT_APPLICABLE.value,
                                     CheckStatus.ERROR.value)


@dataclass
class CheckResult:
    check_id: str
    element: Element
    status: str                 # pass | fail | not_applicable | error
    n_findings: int = 0
    worst: Severity | None = None
    reason_en: str | None = None
    reason_zh: str | None = None

    def to_dict(self) -> dict:
        d = {"check_id": self.check_id, "status": self.status, "n_findings": self.n_findings,
             "element": self.element.value, "worst_severity": self.worst.value if self.worst else None}
        if self.reason_en:
            d["reason_en"], d["reason_zh"] = self.reason_en, self.reason_zh
        return d


@dataclass
class CheckRun:
    findings: list[Finding] = field(default_factory=list)
    results: list[CheckResult] = field(default_factory=list)

    def by_severity(self) -> dict[str, int]:
        counts = {s.value: 0 for s in Severity}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts


def run_checks(sub: Submission, reg: CheckRegistry = registry, only: list[str] | None = None) -> CheckRun:
    """Run the registered checks (all, or ``only`` these ids). A check that raises is recorded as ``error``
    (with the reason) instead of stopping the review."""
    from . import builtin  # noqa: F401  (registers the catalogue)

    run = CheckRun()
    for spec in reg.specs():
        if only is not None and spec.id not in only:
            continue
        sink = FindingSink(spec)
        try:
            outcome = spec.func(sub, sink)
        except Exception as exc:  # noqa: BLE001 - a broken check must not lose the rest of the review
            log.exception("check %s failed", spec.id)
            run.results.append(CheckResult(spec.id, spec.element, ERROR,
                                           reason_en=f"check could not run: {type(exc).__name__}: {exc}",
                                           reason_zh=f"检查无法运行：{type(exc).__name__}：{exc}"))
            continue
        if isinstance(outcome, NotApplicable) and not sink.findings:
            run.results.append(CheckResult(spec.id, spec.element, NOT_APPLICABLE,
                                           reason_en=outcome.reason_en, reason_zh=outcome.reason_zh))
            continue
        worst = min((f.severity for f in sink.findings), key=lambda s: s.rank, default=None)
        failing = worst in (Severity.CRITICAL, Severity.MAJOR, Severity.MINOR)
        run.results.append(CheckResult(spec.id, spec.element, FAIL if failing else PASS, len(sink.findings), worst))
        run.findings.extend(sink.findings)
    run.findings.sort(key=lambda f: f.sort_key)
    return run


COMPLETE, GAPS, UNUSABLE = (ElementStatus.COMPLETE.value, ElementStatus.GAPS.value, ElementStatus.UNUSABLE.value)


def scorecard(run: CheckRun) -> dict[str, dict]:
    """Per element: checks run/passed/not applicable, findings by severity, status (check-catalogue.md)."""
    card: dict[str, dict] = {}
    for el in Element:
        results = [r for r in run.results if r.element == el]
        applicable = [r for r in results if r.status != NOT_APPLICABLE]
        counts = {s.value: 0 for s in Severity}
        for f in run.findings:
            if f.element == el:
                counts[f.severity.value] += 1
        status = UNUSABLE if counts["critical"] else GAPS if counts["major"] else COMPLETE
        card[el.value] = {"status": status, "checks_run": len(applicable),
                          "passed": sum(r.status == PASS for r in applicable),
                          "not_applicable": len(results) - len(applicable),
                          "errors": sum(r.status == ERROR for r in applicable), **counts}
    return card


def completeness(run: CheckRun) -> float | None:
    """Share of applicable checks without a critical or major finding (0..1; None if none applicable)."""
    worst: dict[str, Severity | None] = {}
    for r in run.results:
        if r.status != NOT_APPLICABLE:
            worst[r.check_id] = r.worst
    if not worst:
        return None
    ok = sum(1 for w in worst.values() if w not in (Severity.CRITICAL, Severity.MAJOR))
    return ok / len(worst)
