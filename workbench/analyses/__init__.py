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
from ..submission import Submission
from .cmc import CMCResult, cmc_analysis
from .dlt import DLTResult, MTDSelection, dlt_analysis, isotonic_estimates, pava, select_mtd
from .efficacy import EfficacyResult, efficacy_analysis, one_sample, welch
from .exposure import ExposureResult, exposure_analysis
from .follow_up import FollowUpResult, follow_up_analysis
from .labs import labs_analysis
from .safety import (KMCurve, SafetyResult, StoppingRulesResult, kaplan_meier, safety_analysis,
                     stopping_rules_analysis)
from .timeline import TimelineResult, timeline_analysis
from .trend import cochran_armitage, linear_slope
from ._common import clopper_pearson, newcombe_diff

log = logging.getLogger(__name__)

# name -> function; the built-ins, in the order they run and appear in review.json
BUILTIN: dict[str, Callable[[Submission], Any]] = {
    "exposure": exposure_analysis,
    "dlt": dlt_analysis,
    "efficacy": efficacy_analysis,
    "safety": safety_analysis,
    "stopping_rules": stopping_rules_analysis,
    "follow_up": follow_up_analysis,
    "cmc": cmc_analysis,
    "timeline": timeline_analysis,
    "labs": labs_analysis,
}
_EXTRA: dict[str, Callable[[Submission], Any]] = {}
IN_DICT_EXCLUDED = {"timeline"}   # per-subject data for figures only, kept out of review.json


class UnknownAnalysisError(KeyError):
    """Asked for an analysis name that is not registered."""

    def __init__(self, name: str):
        super().__init__(f"no analysis named {name!r}; registered: {', '.join(names())}")


def register(name: str, func: Callable[[Submission], Any]) -> None:
    """Add an analyst's analysis: ``func(sub)`` returning an object with ``to_dict()`` or JSON-able data."""
    if name in BUILTIN or name in _EXTRA:
        raise ValueError(f"an analysis named {name!r} is already registered")
    _EXTRA[name] = func


def unregister(name: str) -> None:
    _EXTRA.pop(name, None)


def names() -> list[str]:
    return list(BUILTIN) + list(_EXTRA)


def get(name: str) -> Callable[[Submission], Any]:
    if name in BUILTIN:
        return BUILTIN[name]
    if name in _EXTRA:
        return _EXTRA[name]
    raise UnknownAnalysisError(name)


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
    timeline: TimelineResult | None = None
    labs: object | None = None            # workbench.analyses.labs.LabsResult
    extra: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)

    def result(self, name: str):
        return getattr(self, name) if name in BUILTIN else self.extra.get(name)

    def to_dict(self) -> dict:
        """The review.json ``analyses`` object: one key per analysis (``{"error": ...}`` when it failed),
        plus ``reasons`` for list-valued analyses that could not be computed, and ``errors``."""
        out: dict[str, Any] = {}
        reasons: dict[str, dict] = {}
        for name in names():
            if name in IN_DICT_EXCLUDED:
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
        if name in BUILTIN:
            setattr(res, name, value)
        elif value is not None:
            res.extra[name] = value
        res.timings[name] = time.perf_counter() - t0
    return res


__all__ = ["AnalysisResults", "CMCResult", "DLTResult", "EfficacyResult", "ExposureResult", "FollowUpResult",
           "KMCurve", "MTDSelection", "SafetyResult", "StoppingRulesResult", "TimelineResult",
           "UnknownAnalysisError", "clopper_pearson", "cochran_armitage", "get", "isotonic_estimates",
           "kaplan_meier", "linear_slope", "names", "newcombe_diff", "one_sample", "pava", "register",
           "run_analyses", "select_mtd", "unregister", "welch"]
