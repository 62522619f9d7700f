"""The analyses that serve G-2.1.3b, G-2.2.1, G-2.3.2b and G-3.1a: site / operator heterogeneity, durability of the
efficacy response, immunogenicity (IS) and persistence (PC / PP). Numbers are hand computations or the named
library call."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_builders import ARMS, dm_rows, ex_rows, make_sub, manifest
from scipy import stats

from workbench.analyses import (durability_analysis, immunogenicity_analysis, persistence_analysis, registry,
                                site_analysis)
from workbench.analyses import _stats


# --------------------------------------------------------------------------- tests equal the library calls


@pytest.mark.parametrize("table", [[[3, 7], [8, 2]], [[10, 0], [4, 6], [5, 5]], [[1, 9], [2, 8], [3, 7], [9, 1]],
                                   [[12, 30], [25, 17]]])
def test_chi2_equals_scipy(table):
    stat, p, dof, expected = _stats.chi2_contingency(table)
    ref = stats.chi2_contingency(np.asarray(table), correction=False)
    assert np.isclose(stat, ref[0], rtol=1e-12) and np.isclose(p, ref[1], rtol=1e-10) and dof == ref[2]
    assert np.allclose(expected, ref[3])


def test_f_test_equals_statsmodels_type2_anova():
    import statsmodels.formula.api as smf
    from statsmodels.stats.anova import anova_lm

    rng = np.random.default_rng(3)
    d = pd.DataFrame({"arm": np.repeat(["A", "B"], 12), "site": np.tile(["s1", "s2", "s3"], 8)})
    d["y"] = rng.normal(0, 1, len(d)) + (d["site"] == "s3") * 1.5 + (d["arm"] == "B") * 2.0
    ref = anova_lm(smf.ols("y ~ C(arm) + C(site)", d).fit(), typ=2).loc["C(site)"]
    one = np.ones((len(d), 1))
    arm = pd.get_dummies(d["arm"], drop_first=True, dtype=float).to_numpy()
    site = pd.get_dummies(d["site"], drop_first=True, dtype=float).to_numpy()
    f, p, dfn, dfd = _stats.nested_f_test(d["y"], np.hstack([one, arm]), np.hstack([one, arm, site]))
    assert np.isclose(f, ref["F"], rtol=1e-10) and np.isclose(p, ref["PR(>F)"], rtol=1e-8) and dfn == ref["df"]
    assert dfd == len(d) - 4
    assert _stats.nested_f_test(d["y"], np.hstack([one, arm]), np.hstack([one, arm])) is None


# --------------------------------------------------------------------------- sites and operators


def _site_sub(operator: bool = True):
    """DL1 x 6 over two sites; operator OP-B's subjects improve 10 points less (changes -20, -21, -19 vs -10, -11,
    -9); every subject has a TEAE, related only at site 02."""
    spec = {"DL1": 6}
    dm = dm_rows(spec)
    for i, r in enumerate(dm):
        r["SITEID"] = "01" if i < 3 else "02"
    ex = ex_rows(spec, {"DL1": 1.0})
    ops = ["OP-A", "OP-A", "OP-B", "OP-A", "OP-B", "OP-B"]
    if operator:
        for r, o in zip(ex, ops):
            r["EXOPER"] = o
    change = {"S-DL1-1": -20, "S-DL1-2": -21, "S-DL1-3": -10, "S-DL1-4": -19, "S-DL1-5": -11, "S-DL1-6": -9}
    qs = []
    for u, c in change.items():
        qs += [{"USUBJID": u, "QSTESTCD": "WOMACT", "QSSTRESN": 60.0, "QSBLFL": "Y", "VISIT": "BASELINE",
                "QSDTC": "2021-01-05"},
               {"USUBJID": u, "QSTESTCD": "WOMACT", "QSSTRESN": 60.0 + c, "VISIT": "WEEK 12", "QSDTC": "2021-04-05"}]
    ae = [{"USUBJID": u, "AESEQ": 1, "AETERM": "Pain", "AEDECOD": "Pain", "AESTDTC": "2021-01-12", "AESER": "N",
           "AEREL": "RELATED" if u in ("S-DL1-4", "S-DL1-5", "S-DL1-6") else "NOT RELATED", "AETOXGR": 1}
          for u in change]
    man = manifest(design="single_arm", arms=[ARMS[1]],
                   primary_endpoint={"domain": "QS", "testcd": "WOMACT", "visit": "WEEK 12", "better": "lower"})
    return make_sub({"DM": dm, "EX": ex, "QS": qs, "AE": ae}, man)


def test_site_and_operator_heterogeneity():
    res = site_analysis(_site_sub())
    site, op = res.group("site"), res.group("operator")
    assert op.variable == "EXOPER" and list(op.rows["GROUP"]) == ["OP-A", "OP-B"]
    assert list(op.rows["EFF_MEAN"]) == [-20.0, -10.0] and list(op.rows["DOSED"]) == [3, 3]
    # one-way ANOVA by hand: group means -20 / -10, within SS = 2 + 2 = 4 on 4 df, between SS = 150 on 1 df
    t = op.tests["efficacy"]
    assert t["df"] == [1, 4] and np.isclose(t["statistic"], 150.0) and t["heterogeneous"]
    assert np.isclose(t["p_value"], stats.f_oneway([-20, -21, -19], [-10, -11, -9]).pvalue)
    assert op.effect == ["efficacy"] and res.effect is True
    # related TEAE 0/3 at site 01 vs 3/3 at 02: chi-square 6 on 1 df
    r = site.tests["related_teae"]
    assert np.isclose(r["statistic"], 6.0) and np.isclose(r["p_value"], stats.chi2.sf(6.0, 1))
    assert site.tests["any_teae"]["p_value"] is None and "no variation" in site.tests["any_teae"]["note"]
    d = res.to_dict()
    assert d["by_operator"]["rows"][1] == {"group": "OP-B", "dosed": 3, "efficacy_n": 3, "mean_change": -10.0,
                                           "sd_change": 1.0, "any_teae": 3, "any_teae_pct": 100.0,
                                           "related_teae": 2, "related_teae_pct": 66.7}


def test_one_site_and_no_operator_is_not_applicable():
    sub = _site_sub(operator=False)
    sub.datasets["DM"]["SITEID"] = "01"
    res = site_analysis(sub)
    assert res.groups == [] and res.to_dict()["reason_code"] == "single_site" and res.effect is None


def test_analyses_are_registered_with_their_clauses():
    clauses = {s.name: s.clauses for s in registry.entries()}
    assert clauses["sites"] == ("G-2.1.3b",)
    assert set(clauses["durability"]) == {"G-2.3.2b", "G-3.1a"}
    assert set(clauses["immunogenicity"]) >= {"G-2.3.2b", "G-3.1a"}
    assert set(clauses["persistence"]) == {"G-2.2.1", "G-3.1a"}


# --------------------------------------------------------------------------- durability


def _durability_sub():
    spec = {"PBO": 2, "DL1": 2}
    dm, ex = dm_rows(spec), ex_rows(spec, {"PBO": 0, "DL1": 1.0})
    qs = []
    # change at WEEK 12 (target) / WEEK 48: DL1-1 -25 / -22 (still responding), DL1-2 -21 / -5 (lost), PBO -5 / -4
    values = {"S-DL1-1": (-25, -22), "S-DL1-2": (-21, -5), "S-PBO-1": (-5, -4), "S-PBO-2": (-3, -2)}
    for u, (a, b) in values.items():
        qs += [{"USUBJID": u, "QSTESTCD": "WOMACT", "QSSTRESN": 60.0, "QSBLFL": "Y", "VISIT": "BASELINE",
                "VISITNUM": 1, "QSDTC": "2021-01-05"},
               {"USUBJID": u, "QSTESTCD": "WOMACT", "QSSTRESN": 60.0 + a, "VISIT": "WEEK 12", "VISITNUM": 3,
                "QSDTC": "2021-04-05"},
               {"USUBJID": u, "QSTESTCD": "WOMACT", "QSSTRESN": 60.0 + b, "VISIT": "WEEK 48", "VISITNUM": 5,
                "QSDTC": "2021-12-10"}]
    man = manifest(design="randomized_controlled", arms=ARMS[:2],
                   primary_endpoint={"domain": "QS", "testcd": "WOMACT", "visit": "WEEK 12", "better": "lower",
                                     "responder_change": -20})
    return make_sub({"DM": dm, "EX": ex, "QS": qs}, man)


def test_durability_over_visits():
    res = durability_analysis(_durability_sub())
    v = res.visits.set_index(["ARM", "VISIT"])
    assert v.loc[("DL1", "WEEK 12"), "MEAN"] == -23.0 and v.loc[("DL1", "WEEK 48"), "MEAN"] == -13.5
    assert v.loc[("DL1", "WEEK 12"), "RESPONDER_RATE"] == 1.0 and v.loc[("DL1", "WEEK 48"), "RESPONDER_RATE"] == 0.5
    assert bool(v.loc[("DL1", "WEEK 12"), "TARGET"]) and not bool(v.loc[("DL1", "WEEK 48"), "TARGET"])
    assert list(res.visits[res.visits["ARM"] == "DL1"]["VISIT"]) == ["WEEK 12", "WEEK 48"]   # in visit order
    # the t-interval of DL1 at WEEK 48: mean -13.5, sd 12.02, n 2: ± 12.706 * 12.02 / sqrt 2
    half = stats.t.ppf(0.975, 1) * np.std([-22, -5], ddof=1) / np.sqrt(2)
    assert np.isclose(v.loc[("DL1", "WEEK 48"), "CI_HIGH"], -13.5 + half)
    assert res.sustained == [{"arm": "DL1", "responders_at_target": 2, "assessed_later": 2, "still_responding": 1,
                              "sustained_rate": 0.5}]
    assert res.last_visit == "WEEK 48" and res.to_dict()["reason"] is None


def test_durability_without_later_visits_says_so():
    sub = _durability_sub()
    sub.datasets["QS"] = sub.datasets["QS"][sub.datasets["QS"]["VISIT"] != "WEEK 48"]
    d = durability_analysis(sub).to_dict()
    assert d["sustained"] == [] and d["notes"][0]["reason_code"] == "no_post_target"
    assert "WEEK 12" in d["notes"][0]["reason"] and "WEEK 12" in d["notes"][0]["reason_zh"]


# --------------------------------------------------------------------------- immunogenicity


def _is_sub(extra_is: list[dict] | None = None):
    spec = {"PBO": 2, "DL1": 3}
    dm, ex = dm_rows(spec), ex_rows(spec, {"PBO": 0, "DL1": 1.0})
    ex.append({"USUBJID": "S-DL1-3", "EXDOSE": 1.0, "EXDOSU": "10^6 cells/kg", "EXSTDTC": "2021-02-10"})  # 2nd dose
    res = {  # (baseline, post-dose results)
        "S-DL1-1": ("NEGATIVE", ["NEGATIVE", "POSITIVE"]),       # treatment-emergent
        "S-DL1-2": ("POSITIVE", ["POSITIVE", "POSITIVE"]),       # positive before dosing: not emergent
        "S-DL1-3": ("NEGATIVE", ["阳性", "POSITIVE"]),             # emergent (Chinese), after a repeat dose
        "S-PBO-1": ("NEGATIVE", ["NEGATIVE", "NEGATIVE"]),
        "S-PBO-2": ("NEGATIVE", ["NEGATIVE", "INDETERMINATE"]),  # unread
    }
    rows = []
    for u, (b, post) in res.items():
        rows.append({"USUBJID": u, "ISTESTCD": "DSA", "ISTEST": "Donor-specific antibody", "ISSTRESC": b,
                     "ISBLFL": "Y", "VISIT": "SCREENING", "VISITNUM": 1, "ISDTC": "2021-01-02"})
        for k, r in enumerate(post):
            rows.append({"USUBJID": u, "ISTESTCD": "DSA", "ISTEST": "Donor-specific antibody", "ISSTRESC": r,
                         "VISIT": f"WEEK {4 * (k + 1)}", "VISITNUM": 2 + k, "ISDTC": f"2021-0{2 + k}-20"})
    man = manifest(design="randomized_controlled", arms=ARMS[:2],
                   product={"cell_type": "MSC", "source": "allogeneic"})
    return make_sub({"DM": dm, "EX": ex, "IS": rows + (extra_is or [])}, man)


def test_immunogenicity_counts():
    res = immunogenicity_analysis(_is_sub())
    a = res.arms.set_index("ARM")
    assert (a.at["DL1", "TESTED"], a.at["DL1", "BASELINE_POSITIVE"], a.at["DL1", "POSITIVE"],
            a.at["DL1", "TE_POSITIVE"]) == (3, 1, 3, 2)
    assert a.at["DL1", "TE_POSITIVE_PCT"] == 66.7 and a.at["DL1", "REPEAT_DOSED"] == 1
    assert a.at["DL1", "REPEAT_TE_POSITIVE"] == 1 and a.at["PBO", "TE_POSITIVE"] == 0
    assert res.repeat_dosed == 1 and res.unread == 1 and res.source == "allogeneic"
    v = res.visits.set_index(["ARM", "VISIT"])
    assert (v.loc[("DL1", "WEEK 4"), "TESTED"], v.loc[("DL1", "WEEK 4"), "POSITIVE"]) == (3, 2)
    assert v.loc[("DL1", "WEEK 8"), "POSITIVE"] == 3


def test_immunogenicity_numeric_results_against_the_upper_limit():
    sub = _is_sub()
    is_ = sub.datasets["IS"]
    sub.datasets["IS"] = pd.concat([is_, pd.DataFrame([
        {"USUBJID": "S-PBO-1", "ISTESTCD": "ADA", "ISSTRESN": 0.2, "ISSTNRHI": 1.0, "ISBLFL": "Y", "VISIT": "SCREENING",
         "ISDTC": "2021-01-02"},
        {"USUBJID": "S-PBO-1", "ISTESTCD": "ADA", "ISSTRESN": 3.5, "ISSTNRHI": 1.0, "VISIT": "WEEK 4",
         "ISDTC": "2021-02-20"}])], ignore_index=True)
    a = immunogenicity_analysis(sub).arms
    row = a[(a["TESTCD"] == "ADA") & (a["ARM"] == "PBO")].iloc[0]
    assert (row["TESTED"], row["TE_POSITIVE"]) == (1, 1)


def test_immunogenicity_absent_says_why():
    sub = _is_sub()
    del sub.datasets["IS"]
    d = immunogenicity_analysis(sub).to_dict()
    assert d["reason_code"] == "no_is" and "G-2.3.2b" in d["reason"] and "免疫原性" in d["reason_zh"]
    assert d["by_arm"] == []


# --------------------------------------------------------------------------- persistence


def test_persistence_detection_and_last_day():
    spec = {"DL1": 2}
    dm, ex = dm_rows(spec), ex_rows(spec, {"DL1": 1.0})          # dosed 2021-01-10
    pc = []
    for u, results in {"S-DL1-1": [("2021-01-17", "150"), ("2021-02-09", "40"), ("2021-04-10", "<LLOQ")],
                       "S-DL1-2": [("2021-01-17", "8"), ("2021-02-09", "BLQ"), ("2021-04-10", "12")]}.items():
        for k, (dtc, r) in enumerate(results):
            pc.append({"USUBJID": u, "PCTESTCD": "DONORDNA", "PCTEST": "Donor DNA", "PCSPEC": "BLOOD",
                       "PCORRES": r, "PCSTRESC": r, "PCSTRESN": pd.to_numeric(r, errors="coerce"), "PCLLOQ": 10,
                       "PCSTRESU": "copies/ug", "VISIT": f"V{k + 2}", "VISITNUM": k + 2, "PCDTC": dtc})
    pp = [{"USUBJID": "S-DL1-1", "PPTESTCD": "TLST", "PPTEST": "Time of last detection", "PPSTRESN": 30,
           "PPSTRESU": "d"}, {"USUBJID": "S-DL1-2", "PPTESTCD": "TLST", "PPSTRESN": 90, "PPSTRESU": "d"}]
    man = manifest(design="single_arm", arms=[ARMS[1]])
    res = persistence_analysis(make_sub({"DM": dm, "EX": ex, "PC": pc, "PP": pp}, man))
    a = res.analytes.iloc[0]
    # S1 detected on days 7 and 30 (last 30); S2 below LLOQ on day 7 (8 < 10), detected on day 90
    assert (a["SAMPLED"], a["DETECTED"], a["LAST_DETECTED_MEDIAN_DAY"], a["LAST_DETECTED_MAX_DAY"],
            a["DETECTED_AT_LAST_SAMPLE"]) == (2, 2, 60.0, 90.0, 1)
    v = res.visits.set_index("VISIT")
    assert (v.at["V2", "DETECTED"], v.at["V2", "MEDIAN"]) == (1, 150.0) and v.at["V3", "DETECTED"] == 1
    p = res.parameters.iloc[0]
    assert (p["TESTCD"], p["N"], p["MEDIAN"], p["MIN"], p["MAX"]) == ("TLST", 2, 60.0, 30.0, 90.0)
    assert res.domains == ["PC", "PP"] and res.to_dict()["reason"] is None


def test_persistence_from_a_declared_domain_and_absent_data():
    spec = {"DL1": 1}
    dm, ex = dm_rows(spec), ex_rows(spec, {"DL1": 1.0})
    zb = [{"USUBJID": "S-DL1-1", "ZBTESTCD": "VCN", "ZBSTRESC": "DETECTED", "VISIT": "M6", "ZBDTC": "2021-07-10"}]
    man = manifest(design="single_arm", arms=[ARMS[1]], persistence_domain="zb")
    res = persistence_analysis(make_sub({"DM": dm, "EX": ex, "ZB": zb}, man))
    assert list(res.analytes["DOMAIN"]) == ["ZB"] and res.analytes.iloc[0]["LAST_DETECTED_MAX_DAY"] == 181.0
    d = persistence_analysis(make_sub({"DM": dm, "EX": ex}, manifest(design="single_arm", arms=[ARMS[1]])))
    assert d.to_dict()["reason_code"] == "no_persistence" and "BIODISTRIBUTION_REPORT" in d.to_dict()["reason"]
