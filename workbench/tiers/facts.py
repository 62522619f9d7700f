"""What the tier classifier needs from a submission beyond the analyses."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..numbers import fnum

if TYPE_CHECKING:  # pragma: no cover
    from ..submission import Submission


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
    def from_submission(cls, sub: Submission, inputs=None) -> TierFacts:
        """Facts from a loaded submission; dose levels from ``inputs.exposure`` (TierInputs) when given, else from
        the study model."""
        m = sub.m
        design = sub.study.design
        pe = m.study.primary_endpoint
        docs = sub.documents
        types: set[str] = set()
        if docs is not None and "DOCTYPE" in docs.columns:
            types = {str(v).strip().upper() for v in docs["DOCTYPE"].dropna().tolist() if str(v).strip()}
        levels = dose_levels_from_exposure(inputs.exposure) if inputs is not None else None
        if levels is None:
            levels = _dose_levels_from_data(sub)
        return cls(design=design.value("design"), stage=design.value("stage"),
                   endpoint_type=pe.type if pe is not None else None,
                   prior_exploratory_evidence=bool(m.prior_exploratory_evidence), document_types=frozenset(types),
                   documents_indexed=docs is not None, dose_levels=levels)


def dose_levels_from_exposure(exposure) -> int | None:
    """Distinct doses among non-control arms with dosed > 0 (``TierInputs.exposure`` rows; None if unknown).

    Arms without a dose count one level each."""
    if exposure is None:
        return None
    levels: set[Any] = set()
    for row in exposure:
        if row.control or not row.dosed or row.dosed <= 0:
            continue
        levels.add((row.dose, str(row.dose_unit or "")) if row.dose is not None else ("arm", str(row.arm)))
    return len(levels)


def _dose_levels_from_data(sub: Submission) -> int | None:
    """Distinct doses among the study model's active arms with a dosed subject (an arm without a known dose is one
    level of its own); None when dosing is unknown (no EX)."""
    model = sub.study
    if not model.dosing_known:
        return None
    subj = model.subjects
    dosed_arms = set(subj.loc[subj["DOSED"].to_numpy(dtype=bool), "ARM"].dropna())
    levels: set[Any] = set()
    for a in model.arms.itertuples():
        if a.CONTROL or a.ARM not in dosed_arms:
            continue
        dose = fnum(a.DOSE)
        levels.add((dose, str(a.DOSE_UNIT or "")) if dose is not None else ("arm", a.ARM))
    return len(levels)
