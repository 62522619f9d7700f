"""ADaM values read for comparison: dates (numeric SAS dates, DATE9./DATETIME20. values, ISO text) as day numbers,
Y/N flags through the rules' vocabulary, subject ids and record keys as text."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..dates import day_to_iso, parse_dtc
from ..text import id_value, is_missing, norm_value, scalar_text

SAS_EPOCH_OFFSET = 3653          # days from 1960-01-01 (SAS) to 1970-01-01 (the workbench's day 0)
SECONDS_PER_DAY = 86400.0
SECONDS_THRESHOLD = 1e6          # a SAS date of 1e6 days is year 4700: a number this large is a SAS datetime


def _one_day(v) -> float:
    """One ADaM date value as a day number (days since 1970-01-01), NaN when missing or unreadable.

    A date as read from a transport file with a DATE9. / DATETIME20. format (``datetime.date``, ``Timestamp``),
    a bare SAS number (days since 1960-01-01; seconds since 1960-01-01 when larger than any plausible day
    count, i.e. a --DTM variable without its format), or ISO 8601 text (CSV, Parquet, XLSX; a full date only)."""
    if is_missing(v):
        return np.nan
    if isinstance(v, (pd.Timestamp, dt.datetime)):
        return float((v.date() - dt.date(1970, 1, 1)).days)
    if isinstance(v, dt.date):
        return float((v - dt.date(1970, 1, 1)).days)
    if isinstance(v, np.datetime64):
        return float(v.astype("datetime64[D]").astype("int64")) if not np.isnat(v) else np.nan
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        x = float(v)
        if not np.isfinite(x):
            return np.nan
        if abs(x) >= SECONDS_THRESHOLD:
            x = np.floor(x / SECONDS_PER_DAY)
        return float(np.floor(x)) - SAS_EPOCH_OFFSET
    d = parse_dtc(pd.Series([str(v)], dtype=object))
    return float(d.lo[0]) if d.lo[0] == d.hi[0] else np.nan


def adam_days(values: pd.Series) -> np.ndarray:
    """Day numbers of an ADaM date column (once per distinct value)."""
    if len(values) == 0:
        return np.zeros(0, dtype=float)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        days = values.to_numpy(dtype="datetime64[D]")
        out = days.astype("int64").astype(float)
        out[np.isnat(days)] = np.nan
        return out
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    per = np.append(np.asarray([_one_day(u) for u in uniques], dtype=float), np.nan)
    return per[codes]


def first_date(frame: pd.DataFrame, *names: str) -> np.ndarray:
    """Day numbers from the first of ``names`` the frame has, each gap filled from the next (TRTSDT, TRTSDTM)."""
    out = np.full(len(frame), np.nan)
    for n in names:
        if n in frame.columns:
            d = adam_days(frame[n])
            out = np.where(np.isnan(out), d, out)
    return out


def has_any(frame: pd.DataFrame, *names: str) -> str | None:
    """The first of ``names`` the frame has (None when none)."""
    return next((n for n in names if n in frame.columns), None)


def yes_flags(sub, values: pd.Series) -> np.ndarray:
    """Boolean per value: does the flag read 'yes' in the rules' yes_no vocabulary (Y, YES, 是 ...)?"""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    per = np.append(sub.vocab.yes_no.classify(uniques) == "yes", False)
    return per[codes].astype(bool)


def subject_ids(values: pd.Series) -> np.ndarray:
    return np.asarray([id_value(v) for v in values.to_numpy(dtype=object)], dtype=object)


def seq_text(v) -> str | None:
    """A --SEQ value as text ('4' for 4.0 and '4'); None when blank."""
    if is_missing(v):
        return None
    text = scalar_text(v).strip()
    try:
        f = float(text)
        return str(int(f)) if f.is_integer() else text
    except ValueError:
        return text or None


def text(v) -> str | None:
    """A value shown in a listing: stripped text, whole floats without '.0', None when blank."""
    if is_missing(v):
        return None
    if isinstance(v, (dt.date, pd.Timestamp)):
        return v.isoformat()[:10] if not isinstance(v, pd.Timestamp) else v.isoformat()
    return scalar_text(v).strip() or None


def iso(day) -> str | None:
    return day_to_iso(None if day is None or (isinstance(day, float) and np.isnan(day)) else float(day))


def interval_text(lo, hi) -> str:
    """A SDTM date interval as text: the day, or lo..hi for a partial date."""
    if lo is None or np.isnan(lo):
        return "unknown"
    if hi is None or np.isnan(hi) or hi == lo:
        return iso(lo)
    return f"{iso(lo)}..{iso(hi)}"


def norm(v) -> str | None:
    return norm_value(v)
