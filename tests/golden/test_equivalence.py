"""The optimised primitives give exactly what the original implementations gave.

Each ``reference_*`` below is the implementation before the performance work (issue 8), kept here as the
specification; the optimised code in workbench must agree with it value for value, type for type.
"""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from workbench.dates import parse_dtc
from workbench.readers import tidy
from workbench.units import to_number

# --------------------------------------------------------------------------- references (pre-optimisation code)

# the accepted shapes are the library's own (since the fix that refuses impossible times such as T25:61);
# the reference below computes the intervals independently, with pandas, as the pre-optimisation code did
from workbench.dates import _DTC_RE  # noqa: E402


def _reference_days(y, m, d):
    frame = pd.DataFrame({"year": y, "month": m, "day": d})
    valid = frame.notna().all(axis=1)
    out = np.full(len(frame), np.nan)
    if valid.any():
        ts = pd.to_datetime(frame[valid].astype("int64"), errors="coerce")
        vals = ts.to_numpy(dtype="datetime64[D]").astype("int64").astype(float)
        vals[pd.isna(ts).to_numpy()] = np.nan
        out[valid.to_numpy()] = vals
    return out


def reference_parse_dtc(values):
    s = pd.Series(values, dtype="object") if not isinstance(values, pd.Series) else values
    s = s.astype("object").where(s.notna(), None)
    text = s.map(lambda v: v if isinstance(v, str) else (None if v is None else str(v)))
    n = len(text)
    status = np.full(n, "missing", dtype=object)
    lo = np.full(n, np.nan)
    hi = np.full(n, np.nan)
    if n == 0:
        return lo, hi, status
    present = text.notna() & (text.fillna("").str.strip() != "")
    if not present.any():
        return lo, hi, status
    uniq = pd.Series(text[present].unique(), dtype="object")
    parts = uniq.str.extract(_DTC_RE)
    y = pd.to_numeric(parts["y"], errors="coerce")
    m = pd.to_numeric(parts["m"], errors="coerce")
    d = pd.to_numeric(parts["d"], errors="coerce")
    matched = y.notna()
    month_ok = m.isna() | m.between(1, 12)
    u_lo = _reference_days(y.where(matched & month_ok), m.fillna(1), d.fillna(1))
    m_hi = m.fillna(12)
    d_hi = d.copy()
    end_of_month = pd.Series(np.nan, index=uniq.index)
    ok = matched & month_ok
    if ok.any():
        first = pd.to_datetime(pd.DataFrame({"year": y[ok].astype("int64"), "month": m_hi[ok].astype("int64"),
                                             "day": 1}), errors="coerce")
        end_of_month[ok] = first.dt.days_in_month.to_numpy()
    d_hi = d_hi.fillna(end_of_month)
    u_hi = _reference_days(y.where(ok), m_hi, d_hi)
    u_status = np.where(np.isnan(u_lo) | np.isnan(u_hi), "malformed",
                        np.where(d.notna().to_numpy(), "full", "partial")).astype(object)
    lookup_lo, lookup_hi, lookup_st = dict(zip(uniq, u_lo)), dict(zip(uniq, u_hi)), dict(zip(uniq, u_status))
    idx = present.to_numpy()
    vals = text[present]
    lo[idx] = vals.map(lookup_lo).to_numpy(dtype=float)
    hi[idx] = vals.map(lookup_hi).to_numpy(dtype=float)
    status[idx] = vals.map(lookup_st).to_numpy(dtype=object)
    lo[status == "malformed"] = np.nan
    hi[status == "malformed"] = np.nan
    return lo, hi, status


def reference_tidy(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame.columns = [str(c).strip().upper() for c in frame.columns]
    frame = frame.loc[:, ~frame.columns.duplicated()]
    for col in frame.columns:
        s = frame[col]
        if s.dtype == object or pd.api.types.is_string_dtype(s.dtype):
            s = s.astype("object")
            stripped = s.str.strip()
            stripped = stripped.where(stripped.notna() | s.isna(), s)
            frame[col] = stripped.where(stripped.notna() & (stripped != ""), None).astype("object")
    return frame


_FULLWIDTH = str.maketrans("０１２３４５６７８９．－＋，", "0123456789.-+,")


def reference_to_number(values) -> pd.Series:
    s = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        return s.astype(float)
    text = s.astype("object").map(lambda v: v.translate(_FULLWIDTH).replace(",", "").strip()
                                  if isinstance(v, str) else v)
    return pd.to_numeric(text, errors="coerce").astype(float)


# --------------------------------------------------------------------------- inputs

def _date_values(seed: int) -> list:
    rng = random.Random(seed)
    vals = ["1500-01-01", "3000-01-01", "9999-12-31", "0001-01-01", "0000-01-01", "0000", "0000-02", "1677-09-21",
            "２０２１-01-01", "2021-０１-05", "2021-01-０５", "2021-02-30", "2021-13", "2021-00", "2021-02", "2021",
            "2020-02-29", "2021-02-29", " 2021-03-04 ", "2021-03-04T10:00", "2021-03-04T10:00:00.123+08:00",
            "2021-03-04Z", "2021-03-04T25", "2021-3-4", "", "   ", None, np.nan, 20210304, 2021.0, "UNK",
            "2021-03-04\n", "2021-03-00", "2021-03-32", "1900-02-29", "2000-02-29", "2021-05-06+0800", "\u30002021-05-06"]
    alphabet = "0123456789-T:+Z. x０"
    vals += ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 22))) for _ in range(3000)]
    for y in range(1, 10000, 97):
        for m in range(0, 14):
            vals += [f"{y:04d}-{m:02d}", f"{y:04d}-{m:02d}-{rng.randint(0, 32):02d}"]
    return vals


def _same(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind == "f" or b.dtype.kind == "f":
        return a.shape == b.shape and bool(np.all((a == b) | (np.isnan(a) & np.isnan(b))))
    return a.shape == b.shape and bool(np.all(a == b))


@pytest.mark.parametrize("seed", [1, 2])
def test_parse_dtc_matches_reference(seed):
    vals = _date_values(seed)
    for series in (pd.Series(vals, dtype=object), vals[:60], pd.Series([v for v in vals if isinstance(v, str)][:400],
                                                                        dtype="str"), [], [None, None]):
        ref_lo, ref_hi, ref_status = reference_parse_dtc(series)
        got = parse_dtc(series)
        assert _same(got.lo, ref_lo)
        assert _same(got.hi, ref_hi)
        assert list(got.status) == list(ref_status)
        assert list(got.malformed) == list(ref_status == "malformed")


def _frames():
    rng = np.random.default_rng(3)
    words = [" a", "b ", "  ", "", "C", "数据 ", "\u3000x\u3000", "1", "2.0", "nan", "None"]
    n = 400
    yield pd.DataFrame({
        "usubjid": pd.Series(rng.choice(words, n), dtype="str"),
        "Mixed": pd.Series([[1, " x ", None, np.nan, 2.5, True, "", "y"][i % 8] for i in range(n)], dtype=object),
        "num": rng.normal(size=n), "int": np.arange(n),
        "obj_none": pd.Series([None] * n, dtype=object),
        "text_na": pd.Series([None if i % 3 == 0 else words[i % len(words)] for i in range(n)], dtype=object),
        " dup ": ["first"] * n, "DUP": ["second"] * n,
    })
    yield pd.DataFrame({"A": pd.Series([], dtype="str"), "B": pd.Series([], dtype=float)})


def test_tidy_matches_reference():
    for frame in _frames():
        got, ref = tidy(frame), reference_tidy(frame)
        assert list(got.columns) == list(ref.columns)
        assert list(got.dtypes) == list(ref.dtypes)
        for c in got.columns:
            g, r = got[c].tolist(), ref[c].tolist()
            assert len(g) == len(r)
            for x, y in zip(g, r):
                assert type(x) is type(y) and (x == y or (x != x and y != y)), (c, x, y)


def test_tidy_codes_are_the_factorisation_of_the_tidied_column():
    frame = next(iter(_frames()))
    seeds: dict = {}
    got = tidy(frame, seeds)
    assert "USUBJID" in seeds
    for name, (codes, uniques) in seeds.items():
        ref_codes, ref_uniques = pd.factorize(got[name].astype(object), use_na_sentinel=True)
        assert np.array_equal(codes, ref_codes) and list(uniques) == list(ref_uniques)


def test_to_number_matches_reference():
    vals = ["１２", "1,000", " 3 ", None, "x", "2.5e3", "-0", "", "  4.0", "1e400", "－５", "12，5", np.nan, 7, 7.5]
    for series in (pd.Series(vals * 30, dtype=object), pd.Series(["1", "2", None], dtype="str"),
                   pd.Series([True, False]), pd.Series([1, 2, 3]), pd.Series([], dtype=object)):
        got, ref = to_number(series), reference_to_number(series)
        assert got.dtype == ref.dtype and _same(got.to_numpy(), ref.to_numpy()), series.tolist()[:10]
