"""The review cache's pickling: text columns coded, every value and its kind back as it was."""
from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from workbench import frame_pickle

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


def _frame(n: int = 6000) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    text = rng.choice(np.array(["ALT", "AST", "", "血红蛋白", "x</script>"], dtype=object), n)
    text[::7] = None
    text[3::11] = np.nan
    text[5::13] = pd.NA
    mixed = np.array([1, 1.0, True, "1"] * (n // 4), dtype=object)   # equal under ==, distinct values
    subjects = np.array([f"S-{i % 300:04d}" for i in range(n)], dtype=object)
    df = pd.DataFrame({"USUBJID": subjects, "LBTEST": text, "MIXED": mixed,
                       "LBSTRESN": rng.normal(size=n), "LBSEQ": np.arange(n),
                       "LBDTC": pd.to_datetime("2020-01-01") + pd.to_timedelta(np.arange(n), unit="h"),
                       "EMPTY": np.array([None] * n, dtype=object), "CAT": pd.Categorical(["a", "b"] * (n // 2))},
                      index=pd.Index(np.arange(n) // 2, name="row"), dtype=None)   # duplicate labels
    df = df.astype({c: object for c in ("USUBJID", "LBTEST", "MIXED", "EMPTY")})   # as the loader reads text
    df.attrs["source"] = "lb.xpt"
    return df


def _same_cells(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(a, b)
    for i in range(a.shape[1]):
        ca, cb = a.iloc[:, i], b.iloc[:, i]
        if ca.dtype == object:
            assert [type(v) for v in ca] == [type(v) for v in cb], a.columns[i]   # None, NaN, NA, NaT kept apart
            assert [v is pd.NA for v in ca] == [v is pd.NA for v in cb], a.columns[i]


def test_round_trip_keeps_every_value_and_missing_kind():
    df = _frame()
    back = pickle.loads(frame_pickle.dumps({"LB": df}))["LB"]
    _same_cells(df, back)
    assert back.attrs == {"source": "lb.xpt"}
    assert back.index.name == "row" and not back.index.is_unique


def test_text_columns_are_coded_and_others_kept():
    df = _frame()
    func, args = frame_pickle._reduce_frame(df)
    arrays = dict(zip(df.columns, args[2]))
    assert isinstance(arrays["USUBJID"], tuple) and isinstance(arrays["LBTEST"], tuple)
    assert len(arrays["USUBJID"][1]) == 300 + len(frame_pickle._MISSING)   # stored once per distinct value
    assert not isinstance(arrays["MIXED"], tuple)        # 1, 1.0 and True would merge: kept as it is
    assert not isinstance(arrays["LBSTRESN"], tuple)


def test_duplicate_column_names_and_small_frames():
    df = pd.DataFrame(np.array([["a", "b"]] * 6000, dtype=object), columns=["X", "X"])
    _same_cells(df, pickle.loads(frame_pickle.dumps(df)))
    small = pd.DataFrame({"X": ["a", None]})
    assert frame_pickle._Pickler.reducer_override(None, small) is NotImplemented
    _same_cells(small, pickle.loads(frame_pickle.dumps(small)))


@pytest.mark.parametrize("odd", [float("inf"), 3, b"bytes"])
def test_a_non_text_value_keeps_the_column_as_it_is(odd):
    values = np.array(["a"] * 5999 + [odd], dtype=object)
    assert frame_pickle._encode(values) is None


def test_the_cached_review_of_a_sample_is_unchanged(tmp_path, monkeypatch):
    """A review read back from the cache writes the same review.json as the review computed."""
    from workbench.cache import cached_review

    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(frame_pickle, "MIN_ROWS", 10)   # the sample's frames are small: code them all
    first, hit = cached_review(SAMPLES / "rct-ucmsc-koa")
    again, hit_again = cached_review(SAMPLES / "rct-ucmsc-koa")
    assert (hit, hit_again) == (False, True)
    assert again.to_dict("t") == first.to_dict("t")
    for name, df in first.submission.datasets.items():
        _same_cells(df, again.submission.datasets[name])


def test_rows_without_columns_keep_their_rows():
    df = pd.DataFrame(index=pd.RangeIndex(6000))
    back = pickle.loads(frame_pickle.dumps(df))
    assert back.shape == (6000, 0) and back.index.equals(df.index)
