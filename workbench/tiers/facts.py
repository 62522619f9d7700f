"""What the tier classifier needs from a submission beyond the analyses."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..submission import Submission

# actual-arm codes that are not a dose level (CDISC conventions)
_NOT_AN_ARM = {"", "SCRNFAIL", "NOTASSGN", "NOTTRT", "UNPLAN", "NAN", "NONE"}


@dataclass(frozen=True)
class TierFacts:
    """Study facts behind the tier criteria (design, stage, endpoint, documents, dose levels).

    ``dose_levels`` is the number of distinct doses among non-control arms with at
    least one dosed subject; None means "take it from ``analyses['exposure']``".
    """

    design: str | None = None
    stage: str | None = None
    endpoint_type: str | None = None          # primary_endpoint.type, None when no primary endpoint declared
    prior_exploratory_evidence: bool = False
    document_types: frozenset[str] = field(default_factory=frozenset)   # DOCTYPE values in documents/index.csv
    documents_indexed: bool = True            # False when documents/index.csv is absent
    dose_levels: int | None = None

    def __post_init__(self) -> None:
        types = self.document_types
        if isinstance(types, str):
            types = [types]
        object.__setattr__(self, "document_types",
                           frozenset(str(t).strip().upper() for t in (types or ()) if str(t).strip()))

    @classmethod
    def from_submission(cls, sub: Submission, analyses: Mapping[str, Any] | None = None) -> TierFacts:
        """Facts from a loaded submission; dose levels from ``analyses['exposure']`` when given, else from DM/EX."""
        m = sub.m
        pe = m.study.primary_endpoint
        docs = sub.documents
        types: set[str] = set()
        if docs is not None and "DOCTYPE" in docs.columns:
            types = {str(v).strip().upper() for v in docs["DOCTYPE"].dropna().tolist() if str(v).strip()}
        levels = dose_levels_from_exposure((analyses or {}).get("exposure")) if analyses else None
        if levels is None:
            levels = _dose_levels_from_data(sub)
        return cls(design=m.study.design, stage=m.study.stage, endpoint_type=pe.type if pe is not None else None,
                   prior_exploratory_evidence=bool(m.prior_exploratory_evidence), document_types=frozenset(types),
                   documents_indexed=docs is not None, dose_levels=levels)


def _num(v: Any) -> float | None:
    if isinstance(v, bool) or v is None:
        return None
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if x == x and x not in (float("inf"), float("-inf")) else None


def dose_levels_from_exposure(exposure: Any) -> int | None:
    """Distinct doses among non-control arms with dosed > 0 in ``analyses['exposure']`` (None if unusable).

    Arms without a dose count one level each.
    """
    if not isinstance(exposure, (list, tuple)):
        return None
    levels: set[Any] = set()
    for row in exposure:
        if not isinstance(row, Mapping):
            continue
        dosed = _num(row.get("dosed"))
        if row.get("control") is True or not dosed or dosed <= 0:
            continue
        dose = _num(row.get("dose"))
        levels.add((dose, str(row.get("dose_unit") or "")) if dose is not None else ("arm", str(row.get("arm"))))
    return len(levels)


def _dose_levels_from_data(sub: Submission) -> int | None:
    """Dose levels from DM (actual arm) and EX (EXDOSE > 0); manifest arm doses where declared."""
    ex, dm = sub.domain("EX"), sub.domain("DM")
    if ex is None or dm is None or "USUBJID" not in ex.columns or "EXDOSE" not in ex.columns \
            or "USUBJID" not in dm.columns:
        return None
    arm_col = next((c for c in ("ACTARMCD", "ARMCD") if c in dm.columns), None)
    if arm_col is None:
        return None
    dm_arm = dm[["USUBJID", arm_col]].copy()
    if arm_col == "ACTARMCD" and "ARMCD" in dm.columns:
        dm_arm[arm_col] = dm[arm_col].where(dm[arm_col].notna(), dm["ARMCD"])
    arms = dict(zip(dm_arm["USUBJID"].astype(str), dm_arm[arm_col]))
    doses = pd.to_numeric(ex["EXDOSE"], errors="coerce")
    dosed = ex.assign(_DOSE=doses)
    dosed = dosed[dosed["_DOSE"] > 0]
    levels: set[Any] = set()
    for armcd, grp in dosed.groupby(dosed["USUBJID"].astype(str).map(arms), dropna=True):
        code = str(armcd).strip()
        if code.upper() in _NOT_AN_ARM:
            continue
        arm = sub.m.arm(code)
        if arm is not None and arm.is_control:
            continue
        if arm is not None and arm.dose is not None:
            levels.add((float(arm.dose), arm.dose_unit or ""))
        else:
            unit = ""
            if "EXDOSU" in grp.columns and grp["EXDOSU"].notna().any():
                unit = str(grp["EXDOSU"].dropna().iloc[0])
            levels.add((float(grp["_DOSE"].median()), unit))
    return len(levels)
