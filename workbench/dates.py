"""ISO 8601 `--DTC` parsing with partial dates, vectorised.

A date is held as an interval of days since 1970-01-01: ``lo`` (earliest day it can
be) and ``hi`` (latest). ``2021-03`` is [2021-03-01, 2021-03-31]; a full date has
lo == hi. Comparisons use both bounds, so partial dates are compared at the
precision both have, and an undecidable comparison is reported as such
(analyses.md: the conservative TEAE rule).
"""
from __future__ import annotations

import re
import functools
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

# YYYY, YYYY-MM, YYYY-MM-DD, optional time part and zone (SDTMIG 3.x, ISO 8601 extended format)
# the time part, when present, must be a possible time (hour 00-23, minute and second 00-59)
_HH, _MM = r"(?:[01][0-9]|2[0-3])", r"[0-5][0-9]"
_DTC_RE = (r"^\s*(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?"
           rf"(?:T{_HH}(?::{_MM}(?::{_MM}(?:\.[0-9]+)?)?)?)?(?:Z|[+-]{_HH}(?::?{_MM})?)?\s*$")

MISSING, FULL, PARTIAL, MALFORMED = "missing", "full", "partial", "malformed"


@dataclass
class DateIntervals:
    """Parsed dates: per value, earliest/latest possible day (float, NaN when unknown) and status."""

    lo: np.ndarray
    hi: np.ndarray
    status: np.ndarray  # object array of MISSING / FULL / PARTIAL / MALFORMED
    # the malformed mask when the producer already knows it (saves comparing a 1M-row object array)
    malformed_mask: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def known(self) -> np.ndarray:
        return ~np.isnan(self.lo)

    @property
    def malformed(self) -> np.ndarray:
        if self.malformed_mask is not None:
            return self.malformed_mask
        return self.status == MALFORMED


_DTC = re.compile(_DTC_RE)
_MONTH_DAYS = (0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_FAR = (np.nan, np.nan, MALFORMED)


def _int(group: str | None) -> int | None:
    """A matched digit group as an int; None when absent or not ASCII digits (pd.to_numeric rejects those)."""
    return int(group) if group is not None and group.isascii() else None


def _leap(y: int) -> bool:
    return y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)


def _month_days(y: int, m: int) -> int:
    return 29 if m == 2 and _leap(y) else _MONTH_DAYS[m]


def _day(y: int, m: int, d: int) -> float:
    """Days since 1970-01-01 of a proleptic Gregorian date (year 0 included, as numpy/pandas); NaN if invalid."""
    if not (1 <= m <= 12 and 1 <= d <= _month_days(y, m)):
        return np.nan
    # days_from_civil (H. Hinnant, "chrono-compatible low-level date algorithms")
    yy = y - (m <= 2)
    era = yy // 400
    yoe = yy - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return float(era * 146097 + doe - 719468)


@functools.lru_cache(maxsize=1 << 16)   # the same dates recur across --DTC columns and submissions
def _parse_one(text: str) -> tuple[float, float, str]:
    """(lo, hi, status) of one non-blank ISO 8601 value."""
    if len(text) == 10 and text[4] == "-" and text[7] == "-" and text.isascii() and text[:4].isdigit() \
            and text[5:7].isdigit() and text[8:].isdigit():   # plain YYYY-MM-DD, the usual case: no regex
        y, m, d = int(text[:4]), int(text[5:7]), int(text[8:])
    else:
        match = _DTC.search(text)
        if match is None:
            return _FAR
        y = _int(match.group("y"))
        if y is None:
            return _FAR
        # a month or day in non-ASCII digits counts as absent, as it always has (pd.to_numeric gave NaN)
        m, d = _int(match.group("m")), _int(match.group("d"))
    if m is not None and not 1 <= m <= 12:
        return _FAR
    lo = _day(y, 1 if m is None else m, 1 if d is None else d)
    m_hi = 12 if m is None else m
    hi = _day(y, m_hi, _month_days(y, m_hi) if d is None else d)
    if lo != lo or hi != hi:
        return _FAR
    return lo, hi, FULL if d is not None else PARTIAL


def parse_dtc(values) -> DateIntervals:
    """Parse a sequence of ISO 8601 strings into day intervals. Never raises.

    Each distinct value is parsed once (proleptic Gregorian calendar, years 0001-9999)."""
    s = pd.Series(values, dtype="object") if not isinstance(values, pd.Series) else values
    s = s.astype("object").where(s.notna(), None)
    text = s.map(lambda v: v if isinstance(v, str) else (None if v is None else str(v)))
    n = len(text)
    status = np.full(n, MISSING, dtype=object)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    if n == 0:
        return DateIntervals(lo, hi, status)
    codes, uniques = pd.factorize(text.astype("object"), use_na_sentinel=True)
    parsed = [(np.nan, np.nan, MISSING) if not v.strip() else _parse_one(v) for v in uniques]
    if not parsed:
        return DateIntervals(lo, hi, status)
    u_lo = np.array([p[0] for p in parsed] + [np.nan], dtype=float)
    u_hi = np.array([p[1] for p in parsed] + [np.nan], dtype=float)
    u_st = np.array([p[2] for p in parsed] + [MISSING], dtype=object)
    return DateIntervals(u_lo[codes], u_hi[codes], u_st[codes])


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
