"""Pickling of cached reviews with text columns stored once per distinct value.

A cached review holds the submission's datasets. Their text columns are object arrays of Python strings, and plain
pickle writes and later re-creates one string object per cell: reading back a 10,000-subject review (1.3 million
laboratory records) took 1.3 s of a review page's time, most of it in LB's text columns. Here a text column is
stored as integer codes into its distinct values; reading it back is one ``take``. Every value comes back as it
was: only columns whose non-missing cells are all ``str`` are coded (so 1, 1.0 and True never merge), and each
missing cell keeps its own kind (None, NaN, pd.NA, NaT). The pickle is read with plain :func:`pickle.loads`.
"""
from __future__ import annotations

import io
import operator
import pickle

import numpy as np
import pandas as pd

MIN_ROWS = 5_000   # smaller frames are pickled as they are
_MISSING = (None, np.nan, pd.NA, pd.NaT)   # the missing-value kinds a text column keeps apart


def _missing_kind(v) -> int:
    """Index of ``v`` in _MISSING; -1 for a missing value of another kind."""
    if v is None:
        return 0
    if v is pd.NA:
        return 2
    if v is pd.NaT:
        return 3
    return 1 if isinstance(v, float) and v != v else -1


_is_none = np.frompyfunc(operator.is_, 2, 1)
_kinds = np.frompyfunc(_missing_kind, 1, 1)


def _encode(values: np.ndarray):
    """(codes, palette) for an object column of strings and missing values; None for any other column."""
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return None
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    palette = np.empty(len(uniques) + len(_MISSING), dtype=object)
    palette[:len(uniques)] = uniques
    for i, m in enumerate(_MISSING):
        palette[len(uniques) + i] = m
    codes = codes.astype(np.int64 if len(palette) >= 2**31 else np.int32)
    missing = np.flatnonzero(codes < 0)
    if len(missing):
        cells = values[missing]
        kinds = np.zeros(len(missing), dtype=np.int64)   # None, the usual missing text cell, checked in C
        other = ~_is_none(cells, None).astype(bool)
        if other.any():
            with np.errstate(invalid="ignore"):   # NaN != NaN is the test
                kinds[other] = _kinds(cells[other]).astype(np.int64)
            if (kinds < 0).any():   # a missing value of another kind: the column is kept as it is
                return None
        codes[missing] = len(uniques) + kinds
    return codes, palette


def _restore_frame(index, columns, arrays, attrs, allows_duplicate_labels):
    data = {}
    for i, a in enumerate(arrays):   # explicit dtypes: pandas would infer its string dtype for object text
        values = a[1].take(a[0]) if isinstance(a, tuple) else a
        data[i] = pd.Series(values, index=index, dtype=values.dtype, copy=False)
    # one index object: nothing is realigned (duplicate labels stay); a frame without columns keeps its rows
    df = pd.DataFrame(data, copy=False) if data else pd.DataFrame(index=index)
    df.columns = columns
    df.attrs.update(attrs)
    if not allows_duplicate_labels:
        df = df.set_flags(allows_duplicate_labels=False)
    return df


def _reduce_frame(df: pd.DataFrame):
    arrays = []
    for i in range(df.shape[1]):
        values = df.iloc[:, i]._values
        coded = _encode(values) if isinstance(values, np.ndarray) and values.dtype == object else None
        arrays.append(coded if coded is not None else values)
    return _restore_frame, (df.index, df.columns, arrays, dict(df.attrs), df.flags.allows_duplicate_labels)


class _Pickler(pickle.Pickler):
    def reducer_override(self, obj):
        if type(obj) is pd.DataFrame and len(obj) >= MIN_ROWS:
            return _reduce_frame(obj)
        return NotImplemented


def dumps(obj) -> bytes:
    """``obj`` pickled (protocol 5), its large data frames' text columns coded; read back with pickle.loads."""
    buf = io.BytesIO()
    _Pickler(buf, protocol=5).dump(obj)
    return buf.getvalue()
