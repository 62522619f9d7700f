"""Efficacy: Welch / one-sample statistics against scipy, signal direction, responders, trend tests."""
from __future__ import annotations

import math

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis_builders import build_small_sub, dm_rows, ex_rows, make_sub, manifest
from workbench.analyses.efficacy import efficacy_analysis, favourable, one_sample, welch
from workbench.analyses.trend import cochran_armitage, linear_slope

A = [-10.0, -12.5, -7.0, -15.0, -9.5, -11.0]
C = [-2.0, 1.5, -4.0, 0.0]


def test_welch_against_scipy():
    r = welch(A, C)
    # independent computation: Welch–Satterthwaite df and t quantile
    va, vc = np.var(A, ddof=1) / len(A), np.var(C, ddof=1) / len(C)
    df = (va + vc) ** 2 / (va ** 2 / (len(A) - 1) + vc ** 2 / (len(C) - 1))
    d = np.mean(A) - np.mean(C)
    half = stats.t.ppf(0.975, df) * math.sqrt(va + vc)
    assert r["estimate"] == pytest.approx(d)
    assert r["df"] == pytest.approx(df)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((d - half, d + half))
    assert r["p_value"] == pytest.approx(stats.ttest_ind(A, C, equal_var=False).pvalue)
    # scipy >= 1.11 gives the same interval from the test result
    ci = stats.ttest_ind(A, C, equal_var=False).confidence_interval(0.95)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert r["n"] == 6 and r["n_control"] == 4


def test_one_sample_against_scipy():
    r = one_sample(A)
    t = stats.ttest_1samp(A, 0.0)
    ci = t.confidence_interval(0.95)
    assert r["p_value"] == pytest.approx(t.pvalue)
    assert (r["ci_low"], r["ci_high"]) == pytest.approx((ci.low, ci.high))
    assert r["kind"] == "one_sample" and r["n"] == 6


def test_too_small_groups_give_none():
    assert welch([1.0], [2.0, 3.0]) is None and one_sample([1.0]) is None


def test_favourable_side():
    assert favourable(-5, -1, "lower") is True and favourable(-5, -1, "higher") is False
    assert favourable(1, 5, "higher") is True and favourable(-1, 5, "higher") is False
    assert favourable(None, 1, "lower") is None


def test_cochran_armitage_agresti_example():
    # Agresti (2002) Categorical Data Analysis 2nd ed. §3.4.4: maternal alcohol consumption (scores 0, .5, 1.5,
    # 4, 7) and congenital malformation (Graubard & Korn 1987): M² = 6.57, P = 0.010.
    x = [48, 38, 5, 1, 1]
    n = [17114, 14502, 793, 127, 38]
    r = cochran_armitage(x, n, [0, 0.5, 1.5, 4.0, 7.0])
    assert r["chi2"] == pytest.approx(6.57, abs=0.005) and r["p_value"] == pytest.approx(0.010, abs=0.001)
    # linear-by-linear statistic of statsmodels differs by the factor (N − 1)/N
    absent = np.array(n) - np.array(x)
    t = sm.stats.Table(np.array([absent, x]).T).test_ordinal_association(
        row_scores=np.array([0, 0.5, 1.5, 4.0, 7.0]), col_scores=np.array([0.0, 1.0]))
    big_n = sum(n)
    assert t.zscore ** 2 == pytest.approx(r["chi2"] * (big_n - 1) / big_n, rel=1e-9)


def test_cochran_armitage_degenerate():
    assert cochran_armitage([0, 0], [3, 3], [0, 1])["p_value"] is None      # p̄ = 0
    assert cochran_armitage([1], [3], [0]) is None


def test_linear_slope_against_linregress():
    d = [0, 0, 1, 1, 3, 3]
    c = [0.5, -1.0, -4.0, -6.0, -12.0, -9.0]
    r = linear_slope(d, c)
    ref = stats.linregress(d, c)
    assert r["slope"] == pytest.approx(ref.slope) and r["p_value"] == pytest.approx(ref.pvalue)
    assert linear_slope([1, 1, 1], [1, 2, 3]) is None


def test_efficacy_from_submission_controlled():
    res = efficacy_analysis(build_small_sub())
    d = res.to_dict()
    # changes: PBO -1,0,+1 ; DL1 -9,-8,-7 ; DL2 -24,-23,-22 (builder: delta + subject number)
    arms = {a["arm"]: a for a in d["arms"]}
    assert arms["PBO"]["mean"] == pytest.approx(0.0) and arms["DL2"]["mean"] == pytest.approx(-23.0)
    assert d["comparison"]["kind"] == "welch" and d["comparison"]["arms"] == ["DL1", "DL2"]
    ref = stats.ttest_ind([-9, -8, -7, -24, -23, -22], [-1, 0, 1], equal_var=False)
    assert d["comparison"]["p_value"] == pytest.approx(ref.pvalue)
    assert d["signal"] is True
    assert [c["label"] for c in d["comparisons"]] == ["DL1", "DL2", "POOLED"]
    # responders: change <= -20 -> only DL2 (3/3)
    rs = {a["arm"]: a for a in d["responders"]["arms"]}
    assert rs["DL2"]["responders"] == 3 and rs["DL1"]["responders"] == 0
    assert d["responders"]["primary"]["method"] == "newcombe_hybrid_score"
    assert d["trend"]["responders"]["p_value"] is not None and d["trend"]["change"]["slope"] < 0


def test_signal_respects_direction():
    sub = build_small_sub()
    sub.manifest.study.primary_endpoint.better = "higher"
    assert efficacy_analysis(sub).signal is False


def _single_arm(values_by_subject, visit="WEEK 12", blfl=True):
    spec = {"DL1": len(values_by_subject)}
    qs = []
    for i, (b, t) in enumerate(values_by_subject, start=1):
        u = f"S-DL1-{i}"
        qs.append({"USUBJID": u, "QSTESTCD": "PAIN", "QSORRES": str(b), "QSBLFL": "Y" if blfl else None,
                   "VISIT": "SCREENING", "QSDTC": "2021-01-01"})
        qs.append({"USUBJID": u, "QSTESTCD": "PAIN", "QSORRES": str(t), "VISIT": visit, "QSDTC": "2021-04-01"})
    man = manifest(arms=[{"armcd": "DL1", "dose": 1, "dose_unit": "10^6 cells"}],
                   primary_endpoint={"domain": "QS", "testcd": "PAIN", "visit": "WEEK 12", "better": "higher"})
    return make_sub({"DM": dm_rows(spec), "EX": ex_rows(spec, {"DL1": 1}, unit="10^6 cells"), "QS": qs}, man)


def test_one_sample_without_control_uses_orres_and_last_pre_dose_baseline():
    # no BLFL: baseline = last record on/before first dose (2021-01-01 < 2021-01-10)
    sub = _single_arm([(1, 4), (2, 4), (3, 7), (2, 3)], blfl=False)
    d = efficacy_analysis(sub).to_dict()
    changes = [3, 2, 4, 1]
    assert d["comparison"]["kind"] == "one_sample"
    assert d["comparison"]["p_value"] == pytest.approx(stats.ttest_1samp(changes, 0).pvalue)
    assert d["signal"] is True


def test_missing_domain_and_records_give_reasons():
    sub = _single_arm([(1, 4), (2, 4)])
    del sub.datasets["QS"]
    d = efficacy_analysis(sub).to_dict()
    assert d["reason_code"] == "no_endpoint_domain" and d["signal"] is None and d["comparison"] is None
    sub = _single_arm([(1, 4), (2, 4)], visit="WEEK 99")
    d = efficacy_analysis(sub).to_dict()
    assert d["reason_code"] == "no_changes"
    sub.manifest.study.primary_endpoint = None
    from workbench.memo import clear

    clear(sub)                            # the endpoint's records are cached on the submission
    assert efficacy_analysis(sub).to_dict()["reason_code"] == "no_endpoint"
