"""What the tier criteria read: a typed contract between the analyses and the classifier.

``TierInputs.from_results(results)`` builds it from the analyses' result objects (the review's own path);
``TierInputs.from_document(analyses)`` from the ``analyses`` object of a review.json document (re-classifying a
stored review; the tests). A value that is missing or not of its type reads as unknown (None), never as 0, and the
criterion that needs it says it is not evaluable. ``upgrade_analyses`` turns the ``analyses`` of an older
review.json (workbench 0.1: ``follow_up`` as an object with ``arms``) into the current shape.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict

from ..numbers import count, fnum


def _count(v: Any) -> int | None:
    return count(v)


def _num(v: Any) -> float | None:
    return fnum(v)


def _flag(v: Any) -> bool | None:
    return v if isinstance(v, bool) else None


def _text(v: Any) -> str | None:
    if v is None or isinstance(v, bool) or (isinstance(v, float) and v != v):
        return None
    return str(v)


def _is_true(v: Any) -> bool:
    return v is True


def _rows(v: Any) -> list | None:
    """A list of mappings (other items dropped); None when not a list."""
    if not isinstance(v, (list, tuple)):
        return None
    return [r for r in v if isinstance(r, Mapping)]


def _mapping(v: Any) -> Mapping | None:
    return v if isinstance(v, Mapping) else None


def _texts(v: Any) -> list[str] | None:
    if not isinstance(v, (list, tuple)) or not v:
        return None
    return [str(x) for x in v]


Count = Annotated[int | None, BeforeValidator(_count)]
Num = Annotated[float | None, BeforeValidator(_num)]
Flag = Annotated[bool | None, BeforeValidator(_flag)]
Text = Annotated[str | None, BeforeValidator(_text)]
TrueOnly = Annotated[bool, BeforeValidator(_is_true)]


class _In(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ArmRow(_In):
    """One arm of ``analyses.exposure``."""
    arm: Annotated[str, BeforeValidator(lambda v: str(v))] = "None"
    control: TrueOnly = False
    dosed: Count = None
    dose: Num = None
    dose_unit: Text = None


class OverviewRow(_In):
    """One arm of ``analyses.safety.overview``."""
    arm: Annotated[str, BeforeValidator(lambda v: str(v))] = "None"
    control: Flag = None
    dosed: Count = None
    related_serious: Count = None
    fatal: Count = None


class EventRef(_In):
    """One AE of a listing (related fatal / related tumorigenicity)."""
    usubjid: Text = None
    aeseq: Any = None
    aedecod: Text = None
    aebodsys: Text = None


class SafetyIn(_In):
    reason_code: Text = None
    overview: Annotated[list[OverviewRow] | None, BeforeValidator(_rows)] = None
    related_fatal: Annotated[list[EventRef] | None, BeforeValidator(_rows)] = None
    related_tumorigenicity: Annotated[list[EventRef] | None, BeforeValidator(_rows)] = None


class RuleRow(_In):
    """One stopping rule of ``analyses.stopping_rules``."""
    id: Text = None
    met: Flag = None
    max_subjects: Num = None
    threshold: Num = None


class LevelRow(_In):
    arm: Text = None
    n: Count = None
    n_dlt: Count = None


class DLTIn(_In):
    window_days: Count = None
    target_rate: Num = None
    levels: Annotated[list[LevelRow], BeforeValidator(lambda v: _rows(v) or [])] = []
    mtd: Annotated[dict | None, BeforeValidator(lambda v: dict(v) if isinstance(v, Mapping) else None)] = None
    mtd_reason: Text = None
    all_doses_too_toxic: Flag = None
    overrides: Annotated[list[dict], BeforeValidator(lambda v: [dict(r) for r in (_rows(v) or [])])] = []


class ComparisonIn(_In):
    kind: Text = None
    arms: Annotated[list[str] | None, BeforeValidator(_texts)] = None
    estimate: Num = None
    ci_low: Num = None
    ci_high: Num = None
    p_value: Num = None


class EfficacyIn(_In):
    endpoint: Text = None
    signal: Flag = None
    reason: Text = None
    comparison: Annotated[ComparisonIn | None, BeforeValidator(_mapping)] = None


class FollowUpRow(_In):
    """One arm of ``analyses.follow_up`` (every arm, control arms included: they are dosed subjects too)."""
    arm: Annotated[str, BeforeValidator(lambda v: str(v))] = "None"
    control: TrueOnly = False
    dosed: Count = None
    meeting_requirement: Count = None
    deaths: Count = None
    deaths_before_requirement: Count = None
    followed_window: Count = None
    required_days: Count = None
    window_days: Count = None


def _model(cls):
    return BeforeValidator(lambda v: v if isinstance(v, (Mapping, cls)) else None)


class TierInputs(_In):
    """The analyses the criteria read (docs/tiers.md "Analyses keys read")."""

    exposure: Annotated[list[ArmRow] | None, BeforeValidator(_rows)] = None
    safety: Annotated[SafetyIn | None, _model(SafetyIn)] = None
    stopping_rules: Annotated[list[RuleRow] | None, BeforeValidator(_rows)] = None
    dlt: Annotated[DLTIn | None, _model(DLTIn)] = None
    efficacy: Annotated[EfficacyIn | None, _model(EfficacyIn)] = None
    follow_up: Annotated[list[FollowUpRow] | None, BeforeValidator(_rows)] = None
    follow_up_required_days: Count = None
    follow_up_window_days: Count = None
    follow_up_required_declared: Count = None        # submission.yaml's value when the reviewer's rules replaced it
    follow_up_required_source: Text = None           # where the requirement comes from, in words (en)
    follow_up_required_source_zh: Text = None
    dlt_above_explored: Annotated[list[str] | None, BeforeValidator(_texts)] = None   # G-2.2.2c
    dlt_next_stage: Annotated[dict | None, BeforeValidator(lambda v: dict(v) if isinstance(v, Mapping) else None)] = None

    @classmethod
    def from_document(cls, analyses: Mapping | None) -> "TierInputs":
        """From the ``analyses`` object of a review.json document (current shape: see :func:`upgrade_analyses`)."""
        a = analyses if isinstance(analyses, Mapping) else {}
        summary = a.get("follow_up_summary") if isinstance(a.get("follow_up_summary"), Mapping) else {}
        rows = _rows(a.get("follow_up")) or []
        first = lambda key: next((r.get(key) for r in rows if r.get(key) is not None), None)  # noqa: E731
        return cls(exposure=a.get("exposure"), safety=a.get("safety"), stopping_rules=a.get("stopping_rules"),
                   dlt=a.get("dlt"), efficacy=a.get("efficacy"), follow_up=a.get("follow_up"),
                   follow_up_required_days=summary.get("required_days") if summary.get("required_days") is not None
                   else first("required_days"),
                   follow_up_window_days=summary.get("window_days") if summary.get("window_days") is not None
                   else first("window_days"),
                   follow_up_required_declared=summary.get("required_days_declared"),
                   follow_up_required_source=summary.get("required_source"),
                   follow_up_required_source_zh=summary.get("required_source_zh"),
                   dlt_above_explored=(a.get("dlt") or {}).get("above_explored") if isinstance(a.get("dlt"), Mapping)
                   else None,
                   dlt_next_stage=(a.get("dlt") or {}).get("next_stage") if isinstance(a.get("dlt"), Mapping)
                   else None)

    @classmethod
    def from_results(cls, results) -> "TierInputs":
        """From the analyses' result objects (:class:`workbench.analyses.AnalysisResults`)."""
        from ._from_results import inputs_from_results

        return inputs_from_results(cls, results)


def upgrade_analyses(analyses: Mapping) -> dict:
    """The ``analyses`` of a review.json written by an earlier version, in the current shape: ``follow_up`` as
    an object with ``arms`` (workbench 0.1) becomes the list of rows plus ``follow_up_summary``."""
    out = dict(analyses)
    fu = out.get("follow_up")
    if isinstance(fu, Mapping):
        out["follow_up"] = list(fu.get("arms") or [])
        out.setdefault("follow_up_summary", {k: v for k, v in fu.items() if k != "arms"})
    return out
