"""Columns of a loaded submission, factorised and parsed once per review.

``coded(sub, "AE", "AEREL")`` factorises a dataset column once (the loader hands over the factorisations it
already made, through :func:`seed`); ``dates`` parses a ``--DTC`` column once per distinct value;
``norm_in`` / ``norm_col`` answer "which records hold one of these coded values" at the cost of the distinct
values. These are the building blocks of :mod:`workbench.study` and of the checks.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .dates import MALFORMED, DateIntervals, parse_dtc
from .memo import cache_of, memo
from .submission import Submission
from .text import norm_value


def col(df: pd.DataFrame | None, name: str) -> pd.Series:
    """Column or an all-missing object Series of the right length (never KeyError)."""
    if df is None:
        return pd.Series([], dtype="object")
    if name in df.columns:
        return df[name]
    return pd.Series([None] * len(df), index=df.index, dtype="object")


def records(df: pd.DataFrame) -> list[dict]:
    """``df.to_dict("records")`` without boxing every cell through pandas (plain Python values)."""
    if df.columns.duplicated().any():
        return df.to_dict("records")
    cols = list(df.columns)
    if not cols:
        return [{} for _ in range(len(df))]
    return [dict(zip(cols, row)) for row in zip(*[_plain_values(df[c]) for c in cols])]


def _plain_values(s: pd.Series) -> list:
    if isinstance(s.dtype, pd.StringDtype):
        return s.to_numpy(dtype=object).tolist()
    return s.tolist()


@dataclass(frozen=True)
class Coded:
    """A column factorised once: ``codes`` per record (-1 where missing) into ``uniques`` (object array)."""

    codes: np.ndarray
    uniques: np.ndarray

    def take(self, per_unique, fill) -> np.ndarray:
        """Spread one value per distinct value to the records (``fill`` where missing)."""
        return np.append(np.asarray(per_unique), np.asarray([fill], dtype=np.asarray(per_unique).dtype))[self.codes]

    def mask(self, per_unique) -> np.ndarray:
        """Boolean per record from a boolean per distinct value (False where missing)."""
        return np.append(np.asarray(per_unique, dtype=bool), False)[self.codes]

    @property
    def present(self) -> np.ndarray:
        return self.codes >= 0

    def present_uniques(self, rows=None) -> np.ndarray:
        """Distinct non-missing values among ``rows`` (a boolean mask; all records when None), in code order."""
        c = self.codes if rows is None else self.codes[np.asarray(rows, dtype=bool)]
        seen = np.zeros(len(self.uniques) + 1, dtype=bool)
        seen[c] = True
        return self.uniques[seen[:-1]]


def code_column(values) -> Coded:
    """Factorise a column (object values; missing -> -1)."""
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    return Coded(codes, np.asarray(uniques, dtype=object))


def _coded_key(domain: str, variable: str) -> tuple:
    return (f"{__name__}.coded", (domain, variable))


@memo
def coded(sub: Submission, domain: str, variable: str) -> Coded:
    """A dataset column factorised once per review."""
    return code_column(col(sub.domain(domain), variable))


def seed(sub: Submission, domain: str, variable: str, codes: np.ndarray, uniques: np.ndarray) -> None:
    """Hand a factorisation already made (by the loader, while tidying text) to :func:`coded`.

    ``codes``/``uniques`` must be what ``pd.factorize`` of the dataset column gives."""
    cache_of(sub)[_coded_key(domain, variable)] = Coded(codes, np.asarray(uniques, dtype=object))


@memo
def norm_uniques(sub: Submission, domain: str, variable: str) -> np.ndarray:
    """:func:`workbench.text.norm_value` of each distinct value of a column (in :func:`coded` order)."""
    return np.asarray([norm_value(v) for v in coded(sub, domain, variable).uniques], dtype=object)


def norm_in(sub: Submission, domain: str, variable: str, values) -> np.ndarray:
    """Records whose normalised value is one of ``values`` (normalised too), as a boolean array."""
    wanted = {norm_value(v) for v in values} - {None}
    return coded(sub, domain, variable).mask([v is not None and v in wanted for v in norm_uniques(sub, domain, variable)])


def norm_col(sub: Submission, domain: str, variable: str) -> pd.Series:
    """The normalised column (None where blank), from its factorisation."""
    df = sub.domain(domain)
    return pd.Series(coded(sub, domain, variable).take(norm_uniques(sub, domain, variable), None),
                     index=df.index if df is not None else None, dtype="object")


@memo
def present_in(sub: Submission, domain: str, variable: str) -> np.ndarray:
    """Records with a non-blank value of the column, as a boolean array."""
    return coded(sub, domain, variable).mask([v is not None for v in norm_uniques(sub, domain, variable)])


@memo
def dates(sub: Submission, domain: str, variable: str) -> DateIntervals:
    """A parsed --DTC column: lo/hi day numbers and status per record, parsed once per distinct value."""
    c = coded(sub, domain, variable)
    u = parse_dtc(pd.Series(c.uniques, dtype="object"))
    lo, hi = np.append(u.lo, np.nan)[c.codes], np.append(u.hi, np.nan)[c.codes]
    status = np.append(u.status, "missing").astype(object)[c.codes]
    return DateIntervals(lo, hi, status, malformed_mask=np.append(u.status == MALFORMED, False)[c.codes])


def spread(sub: Submission, domain: str, per_subject: pd.Series) -> np.ndarray:
    """``domain.USUBJID.map(per_subject)`` as an array (NaN where no match), looked up once per subject."""
    c = coded(sub, domain, "USUBJID")
    if per_subject.index.dtype != object:
        per_subject = pd.Series(per_subject.to_numpy(), index=per_subject.index.astype(object))
    per_subject = per_subject[~per_subject.index.duplicated()]
    looked = per_subject.reindex(pd.Index(c.uniques, dtype=object)).to_numpy()
    return np.append(looked, np.array([np.nan], dtype=looked.dtype))[c.codes]


def subject_codes(sub: Submission, domain: str) -> tuple[np.ndarray, pd.Index]:
    """USUBJID of a domain factorised once: (code per record, -1 when blank; distinct subjects)."""
    c = coded(sub, domain, "USUBJID")
    return c.codes, pd.Index(c.uniques, dtype=object)
