"""Property tests (hypothesis, bounded): arbitrary tables never crash loading or reviewing; ISO 8601 parsing never
raises and gives sound intervals; comparisons are consistent; TEAE classification is monotone and conservative.

Budgets: the whole file runs in well under a minute (few examples for the costly whole-review property,
many for the cheap date properties); no example database is written (``database=None``).
``WB_PROPERTY_EXAMPLES=300`` runs the two whole-review properties longer (a bug hunt: 300 + 150 examples
passed when this was written).
"""
from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from factory import clean_study, usubjid, write_study
from hypothesis import HealthCheck, Phase, assume, event, example, given, settings
from hypothesis import strategies as st

from workbench import SubmissionError, load_submission
from workbench.dates import before, on_or_after, parse_dtc

FAST = settings(max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
# whole reviews cost ~0.5 s each: few examples, and no shrinking (a failure prints the unshrunk example)
SLOW = settings(max_examples=int(os.environ.get("WB_PROPERTY_EXAMPLES", "40")), deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
EPOCH = dt.date(1970, 1, 1)

# -- strategies ----------------------------------------------------------------------------------------------

SDTM_COLUMNS = ["USUBJID", "STUDYID", "DOMAIN", "SUBJID", "SITEID", "ARMCD", "ACTARMCD", "ARM", "AGE", "AGEU", "SEX",
                "RFSTDTC", "RFICDTC", "RFENDTC", "DTHFL", "DTHDTC", "AESEQ", "AETERM", "AEDECOD", "AEBODSYS",
                "AESTDTC", "AEENDTC", "AESER", "AEREL", "AESEV", "AETOXGR", "AEOUT", "AEDLT", "EXSEQ", "EXDOSE",
                "EXDOSU", "EXLOT", "EXROUTE", "EXSTDTC", "DSDECOD", "DSTERM", "DSCAT", "DSSTDTC", "CMTRT", "CMDECOD",
                "CMCLAS", "CMSTDTC", "LBTESTCD", "LBSTRESN", "LBDTC", "LBBLFL", "VISIT", "VISITNUM", "SVSTDTC",
                "QSTESTCD", "QSSTRESN", "QSBLFL", "QSDTC", "RDOMAIN", "IDVAR", "IDVARVAL", "QNAM", "QVAL"]
# QNAM values that are key columns of the merge hit a known loader bug (see test_corpus: supp-qnam-usubjid);
# they are kept out of the random tables so that this property looks for *other* failures
KNOWN_BAD_QNAM = {"USUBJID", "__IDVAL"}

dates_text = st.one_of(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(lambda d: d.isoformat()),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)).map(lambda d: d.isoformat()[:7]),
    st.integers(1900, 2100).map(str),
    st.sampled_from(["", "2021-02-30", "2021-13", "31/12/2021", "yesterday", "２０２１-03-05", "2021-03-05T10:30",
                     "2021-03-05T25:61", "0000", "9999-12-31", "2021-00-10"]))
cell_text = st.one_of(
    dates_text, st.sampled_from(["Y", "N", "DL1", "DL2", "PBO", "SCRNFAIL", "RELATED", "NOT RELATED", "10^6 cells/kg",
                                 "cells", "mg", "１２３", "a lot", "NaN", "inf", "-1", "1e400", "SCX-001-0001",
                                 "SCX-001-0002", "AESEQ", "AE", "DM", "INFORMED CONSENT OBTAINED", "COMPLETED"]),
    st.text(max_size=12))
cell = st.one_of(st.none(), cell_text, st.integers(-10, 10 ** 7), st.floats(allow_nan=True, allow_infinity=True))
column_name = st.one_of(st.sampled_from(SDTM_COLUMNS),
                        st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1,
                                max_size=8))


@st.composite
def tables(draw):
    cols = draw(st.lists(column_name, min_size=1, max_size=8, unique_by=lambda c: c.strip().upper()))
    cols = [c for c in cols if c.strip() and "\x00" not in c] or ["USUBJID"]
    n = draw(st.integers(0, 6))
    data = {c: [draw(cell) for _ in range(n)] for c in cols}
    if "QNAM" in data:
        data["QNAM"] = [None if str(v).strip().upper() in KNOWN_BAD_QNAM else v for v in data["QNAM"]]
    return pd.DataFrame(data, columns=cols)


@st.composite
def submissions(draw):
    domains = draw(st.lists(st.sampled_from(["DM", "AE", "EX", "DS", "CM", "LB", "SV", "QS", "SUPPAE", "TS"]),
                            min_size=1, max_size=4, unique=True))
    return {d: (draw(tables()), draw(st.sampled_from(["csv", "parquet"]))) for d in domains}, draw(st.booleans())


def _write_table(df: pd.DataFrame, path: Path, fmt: str) -> None:
    if fmt == "csv":
        path.write_text(df.to_csv(index=False), encoding="utf-8")
        return
    # Parquet needs one type per column: text columns as text, numeric columns as they are
    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        s = df[c]
        if s.map(lambda v: v is None or isinstance(v, (int, float))).all() and s.notna().any():
            out[c] = pd.to_numeric(s, errors="coerce").astype(float)
        else:
            out[c] = s.map(lambda v: None if v is None else str(v)).astype(object)
    out.columns = [str(c) for c in out.columns]
    out.to_parquet(path, index=False)


# -- 1. arbitrary tables never crash loading or reviewing -------------------------------------------------------------

@SLOW
@given(submissions())
def test_arbitrary_tables_never_crash_the_review(spec):
    from workbench.review import run_review

    tables_, with_manifest = spec
    with tempfile.TemporaryDirectory(prefix="wb-prop-") as tmp:
        root = Path(tmp)
        (root / "tabulations").mkdir()
        for dom, (df, fmt) in tables_.items():
            _write_table(df, root / "tabulations" / f"{dom.lower()}.{fmt}", fmt)
        if with_manifest:
            (root / "submission.yaml").write_text(yaml.safe_dump(clean_study().manifest, allow_unicode=True),
                                                  encoding="utf-8")
        try:
            sub = load_submission(root)
        except SubmissionError:
            event("nothing usable (SubmissionError)")
            return
        event(f"reviewed with {len(sub.datasets)} domain(s), {sum(len(d) for d in sub.datasets.values())} rows")
        review = run_review(sub)              # anything raised here (not SubmissionError) fails the property
        doc = review.to_dict()
        errors = [(r["check_id"], r.get("reason_en")) for r in doc["checks"] if r["status"] == "error"]
        assert errors == []
        assert ((doc.get("analyses") or {}).get("errors") or {}) == {}


JUNK = [None, "", "x", "９", "2021-99", "2021-02-30", "-1", "0", "1e400", "NaN", "<>", "2021", "Y", "N", "１２３",
        "SCRNFAIL", "10^6 vials", "SCX-001-9999"]


@st.composite
def damaged_studies(draw):
    """The clean study with whole columns dropped, cells replaced by junk and rows removed, in any table."""
    study = clean_study()
    for name in draw(st.lists(st.sampled_from(sorted(study.tables)), max_size=5, unique=True)):
        df = study.tables[name].astype(object)
        drop = draw(st.lists(st.sampled_from(list(df.columns)), max_size=3, unique=True))
        df = df.drop(columns=drop)
        for _ in range(draw(st.integers(0, 6))):
            if len(df) and len(df.columns):
                df.iat[draw(st.integers(0, len(df) - 1)), draw(st.integers(0, len(df.columns) - 1))] = draw(
                    st.sampled_from(JUNK))
        keep = draw(st.lists(st.booleans(), min_size=len(df), max_size=len(df)))
        study.tables[name] = df[keep] if any(keep) or draw(st.booleans()) else df.iloc[:0]
    return study


@settings(max_examples=int(os.environ.get("WB_PROPERTY_EXAMPLES", "12")), deadline=None, database=None,
          phases=[Phase.explicit, Phase.generate], suppress_health_check=[HealthCheck.too_slow])
@given(damaged_studies())
def test_damaged_clean_study_never_breaks_the_review(study):
    """tests/checks/test_checks_robust.py damages tables for run_checks; here the whole review (analyses, tier)."""
    from workbench.review import run_review

    with tempfile.TemporaryDirectory(prefix="wb-prop-") as tmp:
        sub = load_submission(write_study(study, Path(tmp) / "s"))
        doc = run_review(sub).to_dict()
        errors = [(r["check_id"], r.get("reason_en")) for r in doc["checks"] if r["status"] == "error"]
        assert errors == []
        assert ((doc.get("analyses") or {}).get("errors") or {}) == {}


# -- 2. parse_dtc never raises; intervals are sound -----------------------------------------------------------------

def _true_interval(text) -> tuple[int, int] | None:
    """Independent oracle: first and last possible day of a YYYY[-MM[-DD]] string (None if not such a date)."""
    if not isinstance(text, str):
        return None
    t = text.strip()
    try:
        if len(t) == 4 and t.isascii() and t.isdigit():
            y = int(t)
            lo, hi = dt.date(y, 1, 1), dt.date(y, 12, 31)
        elif len(t) == 7 and t[4] == "-" and t.isascii():
            y, m = int(t[:4]), int(t[5:])
            lo, hi = dt.date(y, m, 1), dt.date(y, m, calendar.monthrange(y, m)[1])
        elif len(t) == 10 and t[4] == "-" and t[7] == "-" and t.isascii():
            lo = hi = dt.date.fromisoformat(t)
        else:
            return None
    except ValueError:
        return None
    return (lo - EPOCH).days, (hi - EPOCH).days


iso_like = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.isoformat()[:7]),
    st.integers(1, 9999).map(lambda y: f"{y:04d}"),
    st.tuples(st.integers(1000, 2999), st.integers(0, 14), st.integers(0, 33)).map(
        lambda t: f"{t[0]:04d}-{t[1]:02d}-{t[2]:02d}"),
    st.from_regex(r"\A\d{4}(-\d{2}(-\d{2}(T\d{2}(:\d{2}(:\d{2})?)?)?)?)?\Z"),
)
any_value = st.one_of(st.none(), st.text(max_size=30), iso_like, st.integers(), st.floats(), st.booleans(),
                      st.dates(), st.datetimes())


@FAST
@given(st.lists(any_value, max_size=20), st.lists(st.integers(-50, 50), max_size=20))
@example(["2021-02-30", "2021-13", "31/12/2021", "yesterday", "", None, "２０２１-03-05", "٢٠٢١"], [])
def test_parse_dtc_never_raises_and_intervals_are_ordered(values, shuffle_index):
    d = parse_dtc(values)
    n = len(values)
    assert len(d.lo) == len(d.hi) == len(d.status) == n
    known = ~np.isnan(d.lo)
    assert (known == ~np.isnan(d.hi)).all()
    assert (d.lo[known] <= d.hi[known]).all()
    assert set(d.status) <= {"missing", "full", "partial", "malformed"}
    assert (known == np.isin(d.status, ["full", "partial"])).all()
    full = d.status == "full"
    assert (d.lo[full] == d.hi[full]).all()
    # each value parses the same alone, in a batch, and under any index (values are looked up, not aligned)
    idx = (shuffle_index + list(range(1000, 1000 + n)))[:n]
    if len(set(idx)) == n:
        d2 = parse_dtc(pd.Series(values, index=idx, dtype="object"))
        assert np.array_equal(d.lo, d2.lo, equal_nan=True) and list(d.status) == list(d2.status)


@FAST
@given(iso_like)
def test_parse_dtc_agrees_with_the_calendar(text):
    d = parse_dtc([text])
    truth = _true_interval(text)
    if truth is not None:
        assert (d.lo[0], d.hi[0]) == truth and d.status[0] in ("full", "partial")
    elif "T" not in text and not text.startswith("0000"):   # not a calendar date (ISO year 0000 left open)
        assert d.status[0] == "malformed", (text, d.lo[0], d.status[0])


# -- 3. comparisons: consistent and sound ------------------------------------------------------------------------

partial_date = st.one_of(
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2050, 12, 31)).map(lambda d: d.isoformat()),
    st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2050, 12, 31)).map(lambda d: d.isoformat()[:7]),
    st.integers(1950, 2050).map(str),
    st.sampled_from(["", "yesterday", "2021-02-30"]))


@FAST
@given(st.lists(st.tuples(partial_date, partial_date), min_size=1, max_size=15))
@example([("2021-03", "2021-03-10"), ("2021", "2021-12-31"), ("2021-03-10", "2021-03-10"), ("2021-04", "2021-03")])
def test_on_or_after_is_consistent_and_sound(pairs):
    a = parse_dtc([p[0] for p in pairs])
    b = parse_dtc([p[1] for p in pairs])
    ab, ba, bef = on_or_after(a, b), on_or_after(b, a), before(a, b)
    for i, (x, y) in enumerate(pairs):
        tx, ty = _true_interval(x), _true_interval(y)
        if tx is None or ty is None:
            assert np.isnan(ab[i]) and not bef[i]
            continue
        assert ab[i] in (0.0, 0.5, 1.0)
        # sound: 1.0 only if every possible day of a is >= every possible day of b, 0.0 only if all are before
        assert (ab[i] == 1.0) == (tx[0] >= ty[1])
        assert (ab[i] == 0.0) == (tx[1] < ty[0])
        assert bef[i] == (ab[i] == 0.0)               # `before` is exactly "certainly not on or after"
        if ab[i] == 1.0:
            assert not bef[i]
        if ab[i] == 0.0:
            assert ba[i] == 1.0                        # a certainly before b => b certainly on or after a
        if tx[0] == tx[1] and ty[0] == ty[1]:
            assert ab[i] in (0.0, 1.0)                 # two full dates are always decidable


# -- 4. TEAE classification: monotone in the dates, conservative for partial dates --------------------------------------

@pytest.fixture(scope="module")
def base_sub(tmp_path_factory):
    """The clean study loaded once; variants are shallow copies with AE/EX dates replaced (no re-reading)."""
    return load_submission(write_study(clean_study(), tmp_path_factory.mktemp("teae") / "clean"))


SUBJECT = usubjid(1)         # dosed 2021-03-01 (DL1); AE row 0 (headache) is theirs


def _variant(sub, ae_start=None, ex_start=None):
    ds = dict(sub.datasets)
    if ae_start is not None:
        ae = ds["AE"].copy()
        ae.loc[ae["USUBJID"] == SUBJECT, "AESTDTC"] = ae_start
        ds["AE"] = ae
    if ex_start is not None:
        ex = ds["EX"].copy()
        ex.loc[ex["USUBJID"] == SUBJECT, "EXSTDTC"] = ex_start
        ds["EX"] = ex
    v = dataclasses.replace(sub, datasets=ds)
    ae = v.study.adverse_events
    return bool(ae.loc[ae["USUBJID"] == SUBJECT, "TEAE"].iloc[0])


window_date = st.one_of(
    st.dates(min_value=dt.date(2020, 6, 1), max_value=dt.date(2021, 12, 31)).map(lambda d: d.isoformat()),
    st.dates(min_value=dt.date(2020, 6, 1), max_value=dt.date(2021, 12, 31)).map(lambda d: d.isoformat()[:7]),
    st.sampled_from(["2020", "2021"]))


def _not_later(x: str, y: str) -> bool:
    """y is 'x moved later or kept': both interval bounds of y are >= those of x."""
    tx, ty = _true_interval(x), _true_interval(y)
    return ty[0] >= tx[0] and ty[1] >= tx[1]


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(window_date, window_date, window_date)
@example("2021-03", "2021-03-01", "2021-03-01")
def test_teae_is_monotone_in_the_ae_start_date(base_sub, ae1, ae2, ex):
    assume(_not_later(ae1, ae2))
    t1 = _variant(base_sub, ae_start=ae1, ex_start=ex)
    t2 = _variant(base_sub, ae_start=ae2, ex_start=ex)
    assert not (t1 and not t2), f"AE start {ae1} is a TEAE but the later {ae2} is not (first dose {ex})"


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(window_date, window_date, window_date)
def test_teae_is_monotone_in_the_first_dose_date(base_sub, ae, ex_late, ex_early):
    assume(_not_later(ex_early, ex_late))
    t_late = _variant(base_sub, ae_start=ae, ex_start=ex_late)
    t_early = _variant(base_sub, ae_start=ae, ex_start=ex_early)
    assert not (t_late and not t_early), f"dosing earlier ({ex_early} instead of {ex_late}) un-TEAE'd AE {ae}"


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(window_date, window_date)
@example("2021-03", "2021-03-15")
@example("2021", "2021-06")
def test_teae_partial_dates_are_conservative(base_sub, ae, ex):
    """TEAE exactly when the AE can have started on or after the first dose (analyses.md: undecidable counts)."""
    tae, tex = _true_interval(ae), _true_interval(ex)
    assert _variant(base_sub, ae_start=ae, ex_start=ex) == (tae[1] >= tex[0])


@pytest.mark.parametrize("start,check", [("", "SAF-001"), ("yesterday", "TRC-003"), ("2021-02-30", "TRC-003")])
def test_teae_unknown_start_date_is_conservative_and_flagged(base_sub, start, check):
    """analyses.md: an AE of a dosed subject without a usable AESTDTC counts as treatment-emergent (conservative),
    and the review says why: SAF-001 for a missing date, TRC-003 for a malformed one."""
    from workbench.checks import run_checks

    assert _variant(base_sub, ae_start=start) is True
    ds = dict(base_sub.datasets)
    ae = ds["AE"].copy()
    ae.loc[ae["USUBJID"] == SUBJECT, "AESTDTC"] = start or None
    ds["AE"] = ae
    run = run_checks(dataclasses.replace(base_sub, datasets=ds), only=[check])
    assert any(f.usubjid == SUBJECT for f in run.findings if f.check_id == check)
