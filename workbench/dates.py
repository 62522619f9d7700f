"""ISO 8601 `--DTC` parsing with partial dates, vectorised.

A date is held as an interval of days since 1970-01-01: ``lo`` (earliest day it can
be) and ``hi`` (latest). ``2021-03`` is [2021-03-01, 2021-03-31]; a full date has
lo == hi. Comparisons use both bounds, so partial dates are compared at the
precision both have, and an undecidable comparison is reported as such
(analyses.md: the conservative TEAE rule).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# YYYY, YYYY-MM, YYYY-MM-DD, optional time part and zone (SDTMIG 3.x, ISO 8601 extended format)
_DTC_RE = (r"^\s*(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?"
           r"(?:T\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?\s*$")

MISSING, FULL, PARTIAL, MALFORMED = "missing", "full", "partial", "malformed"


@dataclass
class DateIntervals:
    """Parsed dates: per value, earliest/latest possible day (float, NaN when unknown) and status."""

    lo: np.ndarray
    hi: np.ndarray
    status: np.ndarray  # object array of MISSING / FULL / PARTIAL / MALFORMED

    @property
    def known(self) -> np.ndarray:
        return ~np.isnan(self.lo)

    @property
    def malformed(self) -> np.ndarray:
        return self.status == MALFORMED


def _days(y: pd.Series, m: pd.Series, d: pd.Series) -> np.ndarray:
    """Days since epoch for y/m/d columns (float, NaN where invalid, e.g. 2021-02-30)."""
    frame = pd.DataFrame({"year": y, "month": m, "day": d})
    valid = frame.notna().all(axis=1)
    out = np.full(len(frame), np.nan)
    if valid.any():
        ts = pd.to_datetime(frame[valid].astype("int64"), errors="coerce")
        vals = ts.to_numpy(dtype="datetime64[D]").astype("int64").astype(float)
        vals[pd.isna(ts).to_numpy()] = np.nan
        out[valid.to_numpy()] = vals
    return out


def parse_dtc(values) -> DateIntervals:
    """Parse a sequence of ISO 8601 strings into day intervals. Never raises."""
    s = pd.Series(values, dtype="object") if not isinstance(values, pd.Series) else values
    s = s.astype("object").where(s.notna(), None)
    text = s.map(lambda v: v if isinstance(v, str) else (None if v is None else str(v)))
    n = len(text)
    status = np.full(n, MISSING, dtype=object)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    if n == 0:
        return DateIntervals(lo, hi, status)
    present = text.notna() & (text.fillna("").str.strip() != "")
    if not present.any():
        return DateIntervals(lo, hi, status)
    uniq = pd.Series(text[present].unique(), dtype="object")
    parts = uniq.str.extract(_DTC_RE)
    y = pd.to_numeric(parts["y"], errors="coerce")
    m = pd.to_numeric(parts["m"], errors="coerce")
    d = pd.to_numeric(parts["d"], errors="coerce")
    matched = y.notna()
    month_ok = m.isna() | m.between(1, 12)
    # earliest day
    u_lo = _days(y.where(matched & month_ok), m.fillna(1), d.fillna(1))
    # latest day: end of year / end of month
    m_hi = m.fillna(12)
    d_hi = d.copy()
    end_of_month = pd.Series(np.nan, index=uniq.index)
    ok = matched & month_ok
    if ok.any():
        first = pd.to_datetime(pd.DataFrame({"year": y[ok].astype("int64"), "month": m_hi[ok].astype("int64"),
                                             "day": 1}), errors="coerce")
        end_of_month[ok] = first.dt.days_in_month.to_numpy()
    d_hi = d_hi.fillna(end_of_month)
    u_hi = _days(y.where(ok), m_hi, d_hi)
    u_status = np.where(np.isnan(u_lo) | np.isnan(u_hi), MALFORMED,
                        np.where(d.notna().to_numpy(), FULL, PARTIAL)).astype(object)
    lookup_lo = dict(zip(uniq, u_lo))
    lookup_hi = dict(zip(uniq, u_hi))
    lookup_st = dict(zip(uniq, u_status))
    idx = present.to_numpy()
    vals = text[present]
    lo[idx] = vals.map(lookup_lo).to_numpy(dtype=float)
    hi[idx] = vals.map(lookup_hi).to_numpy(dtype=float)
    status[idx] = vals.map(lookup_st).to_numpy(dtype=object)
    lo[status == MALFORMED] = np.nan
    hi[status == MALFORMED] = np.nan
    return DateIntervals(lo, hi, status)


def on_or_after(a: DateIntervals, b: DateIntervals) -> np.ndarray:
    """Is a >= b?  1.0 certainly, 0.0 certainly not, 0.5 undecidable, NaN if either unknown."""
    out = np.full(len(a.lo), np.nan)
    both = ~np.isnan(a.lo) & ~np.isnan(b.lo)
    yes = both & (a.lo >= b.hi)
    no = both & (a.hi < b.lo)
    out[both] = 0.5
    out[yes] = 1.0
    out[no] = 0.0
    return out


def before(a: DateIntervals, b: DateIntervals) -> np.ndarray:
    """Is a certainly before b (a.hi < b.lo)?  Boolean; False when unknown or undecidable."""
    both = ~np.isnan(a.lo) & ~np.isnan(b.lo)
    return both & (a.hi < b.lo)


def day_to_iso(day: float | None) -> str | None:
    """Day number back to YYYY-MM-DD (None for NaN)."""
    if day is None or (isinstance(day, float) and np.isnan(day)):
        return None
    return str(np.datetime64(int(day), "D"))


def today_day() -> float:
    return float(np.datetime64("today", "D").astype("int64"))
