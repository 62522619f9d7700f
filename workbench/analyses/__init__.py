"""Analyses of one submission (analyses.md): exposure, DLT/MTD, efficacy, safety, stopping rules, follow-up, CMC.

Public API::

    from workbench.analyses import run_analyses
    res = run_analyses(sub)          # AnalysisResults: dataclasses/DataFrames for the figures
    res.to_dict()                    # the review.json ``analyses`` object (strict JSON values)

Every analysis is a pure function ``f(submission) -> result`` registered by name; a result has
``to_dict()``. An analysis that raises is recorded as ``{"error": "..."}`` and the others still run.
Analysts add their own with :func:`register` (the result lands in ``AnalysisResults.extra`` and in the
dict under its name).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..jsonout import jsonable
from ..registry import RegistrationError, Registry, UnknownEntryError
from ..submission import Submission
from ._common import clopper_pearson, newcombe_diff
from .cmc import CMCResult, cmc_analysis
from .dlt import DLTResult, MTDSelection, dlt_analysis, isotonic_estimates, pava, select_mtd
from .efficacy import EfficacyResult, efficacy_analysis, one_sample, welch
from .exposure import ExposureResult, exposure_analysis
from .follow_up import FollowUpResult, follow_up_analysis
from .durability import DurabilityResult, durability_analysis
from .immunogenicity import ImmunogenicityResult, immunogenicity_analysis
from .km import KMCurve, kaplan_meier
from .labs import labs_analysis
from .persistence import PersistenceResult, persistence_analysis
from .safety import SafetyResult, safety_analysis
from .sites import SiteResult, site_analysis
from .stopping_rules import StoppingRulesResult, stopping_rules_analysis
from .timeline import TimelineResult, timeline_analysis
from .trend import cochran_armitage, linear_slope

log = logging.getLogger(__name__)

@dataclass(frozen=True)
class AnalysisSpec:
    """An analysis: its name (the review.json ``analyses`` key), the pure function ``f(sub)``, what it shows in both
    languages, the guideline clauses it serves, and whether it is a built-in."""

    name: str
    func: Callable[[Submission], Any]
    title_en: str = ""
    title_zh: str = ""
    clauses: tuple[str, ...] = ()
    builtin: bool = False
    in_document: bool = True     # False: kept out of review.json (per-subject data for figures only)


def _validate(spec: AnalysisSpec) -> None:
    if not isinstance(spec.name, str) or not spec.name.isidentifier():
        raise RegistrationError(f"analysis name {spec.name!r} must be a Python identifier (it is a review.json key)")
    if not callable(spec.func):
        raise RegistrationError(f"analysis {spec.name}: func must be callable as func(submission)")


registry: Registry[AnalysisSpec] = Registry(
    "analysis", name_of=lambda s: s.name, validate=_validate,
    origin_of=lambda s: "workbench" if s.builtin else getattr(s.func, "__module__", ""),
    entry_point_group="workbench.analyses")

# the built-ins, in the order they run and appear in review.json
for _spec in (
    AnalysisSpec("exposure", exposure_analysis, "Exposure per arm", "各组暴露", ("G-4.1.2", "G-2.1.4a"), True),
    AnalysisSpec("dlt", dlt_analysis, "DLT and MTD; doses and cohort sizes per level; range explored",
                 "剂量限制性毒性与最大耐受剂量", ("G-2.2.2a", "G-2.2.2c"), True),
    AnalysisSpec("efficacy", efficacy_analysis, "Primary endpoint efficacy", "主要终点有效性", ("G-4.2.3", "G-2.3.2a"), True),
    AnalysisSpec("safety", safety_analysis, "Safety overview, SOC/PT, KM, late events, listings", "安全性",
                 ("G-2.2.1", "G-2.3.2c", "G-4.2.1"), True),
    AnalysisSpec("stopping_rules", stopping_rules_analysis, "Stopping rules", "暂停/终止规则", ("G-2.1.3c",), True),
    AnalysisSpec("follow_up", follow_up_analysis, "Follow-up against the requirement", "随访", ("G-3.1b",), True),
    AnalysisSpec("cmc", cmc_analysis, "Process and quality by lot", "工艺与质量", ("G-4.1.1",), True),
    AnalysisSpec("durability", durability_analysis, "Durability of the efficacy response over visits",
                 "疗效随访视的持续性", ("G-2.3.2b", "G-3.1a"), True),
    AnalysisSpec("immunogenicity", immunogenicity_analysis, "Immune response to the product (IS)",
                 "对产品的免疫应答（IS）", ("G-2.3.2b", "G-2.2.1", "G-3.1a"), True),
    AnalysisSpec("persistence", persistence_analysis, "Cell persistence and biodistribution (PC / PP)",
                 "细胞体内存续与分布（PC / PP）", ("G-2.2.1", "G-3.1a"), True),
    AnalysisSpec("sites", site_analysis, "Efficacy and adverse events by site and operator",
                 "按研究中心和操作者的有效性与不良事件", ("G-2.1.3b",), True),
    AnalysisSpec("timeline", timeline_analysis, "Subject timelines", "受试者时间线", ("G-4.1.2",), True,
                 in_document=False),
    AnalysisSpec("labs", labs_analysis, "Laboratory results, shifts and hepatic safety (eDISH, Hy's law)",
                 "实验室检查、偏移与肝脏安全性（eDISH、Hy 定律）", ("G-2.2.1", "G-4.2.1"), True),
):
    registry.register(_spec)
BUILTIN_NAMES = tuple(registry.names())


class UnknownAnalysisError(UnknownEntryError):
    """Asked for an analysis name that is not registered."""


def register(name: str, func: Callable[[Submission], Any], *, title_en: str = "", title_zh: str = "",
             clauses: tuple[str, ...] = (), replace: bool = False) -> AnalysisSpec:
    """Add an analyst's analysis: ``func(sub)`` returning an object with ``to_dict()`` or JSON-able data."""
    return registry.register(AnalysisSpec(name, func, title_en, title_zh, tuple(clauses),
                                          builtin=False), replace=replace)


def unregister(name: str) -> None:
    if name not in BUILTIN_NAMES:
        registry.unregister(name)


def names() -> list[str]:
    return registry.names()


def get(name: str) -> Callable[[Submission], Any]:
    try:
        return registry.get(name).func
    except UnknownEntryError:
        raise UnknownAnalysisError("analysis", name, registry.names()) from None


@dataclass
class AnalysisResults:
    """Every analysis result of one submission (None when that analysis failed: see ``errors``)."""

    exposure: ExposureResult | None = None
    dlt: DLTResult | None = None
    efficacy: EfficacyResult | None = None
    safety: SafetyResult | None = None
    stopping_rules: StoppingRulesResult | None = None
    follow_up: FollowUpResult | None = None
    cmc: CMCResult | None = None
    durability: DurabilityResult | None = None
    immunogenicity: ImmunogenicityResult | None = None
    persistence: PersistenceResult | None = None
    sites: SiteResult | None = None
    timeline: TimelineResult | None = None
    labs: object | None = None            # workbench.analyses.labs.LabsResult
    extra: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def result(self, name: str):
        return getattr(self, name) if name in BUILTIN_NAMES else self.extra.get(name)

    def to_dict(self) -> dict:
        """The review.json ``analyses`` object: one key per analysis (``{"error": ...}`` when it failed),
        plus ``reasons`` for list-valued analyses that could not be computed, and ``errors``."""
        out: dict[str, Any] = {}
        reasons: dict[str, dict] = {}
        for spec in registry.entries():
            name = spec.name
            if not spec.in_document:
                continue
            if name in self.errors:
                out[name] = {"error": self.errors[name]}
                continue
            res = self.result(name)
            if res is None:
                out[name] = None
                continue
            try:
                out[name] = res.to_dict() if hasattr(res, "to_dict") else res
                if hasattr(res, "summary_dict"):   # a list-valued analysis' own fields, beside its rows
                    out[f"{name}_summary"] = res.summary_dict()
                rd = res.reason_dict() if hasattr(res, "reason_dict") else None
                if rd:
                    reasons[name] = rd
            except Exception as exc:  # noqa: BLE001 - a broken serialisation must not lose the others
                log.exception("analysis %s could not be serialised", name)
                out[name] = {"error": f"{type(exc).__name__}: {exc}"}
        out["reasons"] = reasons
        out["errors"] = dict(self.errors)
        return jsonable(out)


def run_analyses(sub: Submission, only: list[str] | None = None) -> AnalysisResults:
    """Run every registered analysis (or ``only`` these); a failing one is recorded in ``errors``."""
    res = AnalysisResults()
    for name in names():
        if only is not None and name not in only:
            continue
        t0 = time.perf_counter()
        try:
            value = get(name)(sub)
        except Exception as exc:  # noqa: BLE001 - one broken analysis must not stop the others
            log.exception("analysis %s failed", name)
            res.errors[name] = f"{type(exc).__name__}: {exc}"
            value = None
        if name in BUILTIN_NAMES:
            setattr(res, name, value)
        elif value is not None:
            res.extra[name] = value
        res.timings[name] = time.perf_counter() - t0
    return res


__all__ = ["AnalysisResults", "AnalysisSpec", "BUILTIN_NAMES", "registry", "CMCResult", "DLTResult",
           "DurabilityResult", "EfficacyResult", "ExposureResult", "FollowUpResult", "ImmunogenicityResult",
           "PersistenceResult", "SiteResult", "durability_analysis", "immunogenicity_analysis",
           "persistence_analysis", "site_analysis",
           "KMCurve", "MTDSelection", "SafetyResult", "StoppingRulesResult", "TimelineResult",
           "UnknownAnalysisError", "clopper_pearson", "cochran_armitage", "get", "isotonic_estimates",
           "kaplan_meier", "linear_slope", "names", "newcombe_diff", "one_sample", "pava", "register",
           "run_analyses", "select_mtd", "unregister", "welch"]
