"""Text normalisation: the one place where coded values, identifiers and sites are made comparable.

Source values are kept as they are for display; comparisons go through :func:`norm_value` (case-, width- and
whitespace-insensitive: NFKC, runs of whitespace as one space, upper case; a whole float as an integer).
Every Series helper works once per distinct value, so a 1M-row column costs its few thousand distinct texts.
"""
from __future__ import annotations

import re
import unicodedata

import numpy as np
import pandas as pd

_SPACES = re.compile(r"\s+")


def obj(values, index=None) -> pd.Series:
    """A Series of Python objects (None stays None: pandas 3 would infer a string dtype and turn None into NaN)."""
    if isinstance(values, pd.Series):
        return values.astype(object).where(values.notna(), None) if index is None else \
            pd.Series(values.to_numpy(dtype=object), index=index, dtype=object)
    return pd.Series(np.asarray(list(values) if not isinstance(values, np.ndarray) else values, dtype=object),
                     index=index, dtype=object)


def is_missing(v) -> bool:
    """None, NaN, pd.NA / NaT."""
    return v is None or v is pd.NA or v is pd.NaT or (isinstance(v, float) and v != v)


def scalar_text(v) -> str:
    """A cell as text: a whole float without its '.0' (3.0 -> '3'), everything else ``str``."""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def norm_value(v) -> str | None:
    """The comparable form of one value: NFKC, whitespace collapsed, stripped, upper case; None when blank."""
    if is_missing(v):
        return None
    text = scalar_text(v)
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub(" ", text).strip().upper()
    return text or None


def id_value(v) -> str | None:
    """An identifier (USUBJID, LOTID as recorded): stripped, case kept; None when blank."""
    if is_missing(v):
        return None
    return scalar_text(v).strip() or None


def _per_distinct(s: pd.Series, fn, missing=None) -> pd.Series:
    """``fn`` applied once per distinct value of ``s`` (object result; ``missing`` where ``s`` is missing)."""
    if len(s) == 0:
        return pd.Series([], index=s.index, dtype="object")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    mapped = np.asarray([fn(v) for v in uniques] + [missing], dtype=object)
    return pd.Series(mapped[codes], index=s.index, dtype="object")


def per_distinct(values, fn, missing=None) -> np.ndarray:
    """``fn`` over a sequence, computed once per distinct value (object array; ``missing`` where missing)."""
    s = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    return _per_distinct(s.astype(object), fn, missing).to_numpy(dtype=object)


def norm(s: pd.Series | None) -> pd.Series:
    """:func:`norm_value` over a Series (None where missing or blank)."""
    if s is None:
        return pd.Series([], dtype="object")
    return _per_distinct(s, norm_value)


def ids(s: pd.Series) -> pd.Series:
    """:func:`id_value` over a Series."""
    return _per_distinct(s, id_value)


def present(s: pd.Series) -> pd.Series:
    """True where a cell holds a non-blank value."""
    return norm(s).notna()


def site_value(v) -> str | None:
    """Site identifiers comparable across files: '01', 1 and 1.0 are one site."""
    t = norm_value(v)
    return str(int(float(t))) if t is not None and re.fullmatch(r"\d+(\.0+)?", t) else t


def norm_site(s: pd.Series) -> pd.Series:
    return _per_distinct(s, site_value)


def map_distinct(s: pd.Series, fn, missing) -> pd.Series:
    """``s.map(fn)`` computed once per distinct value, for a column of ``str`` cells (``missing``: what ``fn``
    gives for a missing cell). Falls back to ``s.map(fn)`` when the column holds other values."""
    codes, uniques = pd.factorize(s.astype("object"), use_na_sentinel=True)
    u = np.asarray(uniques, dtype=object)
    if not all(type(v) is str for v in u):
        return s.map(lambda v: missing if is_missing(v) else fn(v))
    mapped = np.asarray([fn(v) for v in u] + [missing], dtype=object)
    return pd.Series(mapped[codes], index=s.index)   # dtype inferred as ``s.map`` infers it


def map_text(s: pd.Series, fn) -> pd.Series:
    """``s.map(fn)`` for a Series of ``str`` (no missing cells), computed once per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = np.asarray(uniques, dtype=object)
    if (codes < 0).any() or not all(type(v) is str for v in u):
        return s.map(fn)
    return pd.Series(np.asarray([fn(v) for v in u], dtype=object)[codes], index=s.index, dtype=object)


def contains(s: pd.Series, pattern: str) -> pd.Series:
    """``s.str.contains(pattern)`` for a Series of ``str`` and a literal pattern, tested once per distinct value."""
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    u = np.asarray(uniques, dtype=object)
    if (codes < 0).any() or not all(type(v) is str for v in u):
        return s.str.contains(pattern, regex=False)
    hit = np.fromiter((pattern in v for v in u), dtype=bool, count=len(u))
    return pd.Series(hit[codes], index=s.index, dtype=bool)


def listing(values, limit: int = 8, sep: str = ", ") -> str:
    """'a, b, c' with '… (+n)' when longer than ``limit``."""
    vals = [str(v) for v in values]
    if len(vals) <= limit:
        return sep.join(vals)
    return sep.join(vals[:limit]) + f"{sep}… (+{len(vals) - limit})"
