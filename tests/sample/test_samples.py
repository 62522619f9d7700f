"""Each bundled sample loads and shows what it is meant to show; clean samples pass a reading of every check."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from workbench.dates import before, parse_dtc
from workbench.sample.summary import boin_select_mtd
from workbench.units import normalise_doses, to_number

CLEAN = ["fih-ipsc-parkinson", "rct-ucmsc-koa", "auto-msc-cirrhosis", "safety-signal-agvhd", "gb18030-esc-amd"]
ALL = CLEAN + ["defects-trace-cmc", "bare-sdtm"]
SPECIAL_ARMS = {"SCRNFAIL", "NOTTRT"}


def day(values) -> np.ndarray:
    return parse_dtc(pd.Series(values, dtype="object")).lo


@pytest.mark.parametrize("name", ALL)
def test_loads_without_issues(loaded, name):
    sub = loaded[name]
    assert sub.load_issues == []
    assert sub.bare == (name == "bare-sdtm")
    if name == "bare-sdtm":
        assert sub.manifest is None and sub.documents is None and sub.batches is None
        assert set(sub.datasets) == {"DM", "DS", "EX", "AE", "CM", "LB", "VS", "SV"}
    else:
        assert sub.manifest_problems == []
        assert sub.define is not None


def test_expectations_cover_every_sample(expectations):
    assert sorted(expectations) == sorted(ALL)
    tiers = {k: v["tier"] for k, v in expectations.items()}
    assert tiers == {"fih-ipsc-parkinson": "T2", "rct-ucmsc-koa": "T4", "auto-msc-cirrhosis": "T3",
                     "safety-signal-agvhd": "T1", "gb18030-esc-amd": "T2", "defects-trace-cmc": "T0",
                     "bare-sdtm": "T0"}
    planted = {name: [(f["check_id"], f["severity"]) for f in expectations[name]["planted_findings"]]
               for name in CLEAN}
    assert planted == {"fih-ipsc-parkinson": [], "rct-ucmsc-koa": [],
                       "auto-msc-cirrhosis": [("EFF-005", "info")],                  # operator effect to review
                       "safety-signal-agvhd": [("SAF-005", "major"), ("SAF-010", "major"), ("SAF-010", "major"),
                                               ("ADM-007", "minor")],
                       "gb18030-esc-amd": [("MAN-003", "major")]}                     # next stage above explored


# --------------------------------------------------------------------------- design numbers


def test_boin_reference_cases():
    assert boin_select_mtd((3, 3, 15, 9, 0), (0, 0, 4, 4, 0)) == 2
    assert boin_select_mtd((0, 3, 0, 0, 3), (0, 1, 0, 0, 3)) == 1
    assert boin_select_mtd((3, 0, 0, 0, 0), (3, 0, 0, 0, 0)) is None


def test_fih_parkinson_design(expectations, loaded):
    e = expectations["fih-ipsc-parkinson"]
    assert e["boin"] == {"n": [3, 3, 6, 6], "y": [0, 0, 1, 3], "mtd_arm": "DL3"} and e["mtd_arm"] == "DL3"
    eff = e["efficacy"]
    assert eff["signal"] is False and eff["ci"][0] < 0 < eff["ci"][1] and eff["missing"] == 0
    assert all(not r["met"] for r in e["stopping_rules"])
    assert e["followup_meeting"] == e["dosed"] == 18
    assert all(a["related_serious_teae_rate"] <= 0.2 for a in e["arms"].values())
    sub = loaded["fih-ipsc-parkinson"]
    assert "AEDLT" in sub.datasets["AE"].columns and "SUPPAE" in sub.supp
    ex = sub.datasets["EX"]
    assert ex.groupby("USUBJID").size().max() == 1          # single administration (FIH)


def test_rct_design(expectations, loaded):
    e = expectations["rct-ucmsc-koa"]
    arms = e["arms"]
    assert arms["DL1"]["dosed"] + arms["DL2"]["dosed"] >= 100 and arms["PBO"]["dosed"] == 60
    eff = e["efficacy"]
    assert eff["signal"] is True and eff["p_value"] < 0.001 and -11 < eff["estimate"] < -5 and eff["missing"] == 0
    assert e["followup_meeting"] / e["dosed"] >= 0.9
    docs = set(loaded["rct-ucmsc-koa"].documents["DOCTYPE"])
    assert {"BIODISTRIBUTION_REPORT", "NONCLINICAL_SUMMARY", "COMPARABILITY_REPORT"} <= docs
    assert all(a["related_serious_teae_rate"] <= 0.2 for a in arms.values())


def test_cirrhosis_design(expectations, loaded):
    e = expectations["auto-msc-cirrhosis"]
    assert e["efficacy"]["signal"] is True and e["efficacy"]["n"] >= 20 and e["efficacy"]["missing"] == 0
    assert e["not_dosed_enrolled"] == 5
    sub = loaded["auto-msc-cirrhosis"]
    dm, ds = sub.datasets["DM"], sub.datasets["DS"]
    nottrt = set(dm.loc[dm["ACTARMCD"] == "NOTTRT", "USUBJID"])
    assert len(nottrt) == 5 and not nottrt & set(sub.datasets["EX"]["USUBJID"])
    disp = ds[ds["USUBJID"].isin(nottrt) & (ds["DSCAT"] == "DISPOSITION EVENT")]
    assert set(disp["DSTERM"]) == {"MANUFACTURING FAILURE"} and set(disp["DSDECOD"]) == {"OTHER"}
    b = sub.batches
    failed = b[b["STATUS"] != "RELEASED"]
    assert len(failed) == 5 and failed["FAILREASON"].notna().all()
    assert e["followup_meeting"] == e["dosed"]


def test_agvhd_design(expectations, loaded):
    e = expectations["safety-signal-agvhd"]
    sr1 = next(r for r in e["stopping_rules"] if r["id"] == "SR1")
    assert sr1["met"] and e["stopping_rules_met"][0]["arm"] == "DL3"
    assert e["arms"]["DL3"]["dosed"] == 6 and e["arms"]["DL3"]["related_serious_teae_rate"] > 0.2
    assert e["mtd_arm"] == e["boin"]["mtd_arm"] == "DL3"
    sub = loaded["safety-signal-agvhd"]
    assert "STOPPING_RULE_REVIEW" not in set(sub.documents["DOCTYPE"])
    assert "AEDLT" in sub.datasets["AE"].columns and "SUPPAE" not in sub.supp
    assert [f["check_id"] for f in e["planted_findings"]] == ["SAF-005", "SAF-010", "SAF-010", "ADM-007"]
    dlt = sub.m.study.dlt
    assert dlt.window_days is None and dlt.target_rate is None and dlt.definition == "flag"   # ADM-007
    pc = sub.datasets["PC"]
    assert set(pc["PCTESTCD"]) == {"DONORDNA"} and (pc["PCSTRESC"] == "<LLOQ").any() and pc["PCSTRESN"].notna().any()


def test_amd_design(expectations, loaded):
    e = expectations["gb18030-esc-amd"]
    assert e["efficacy"]["signal"] is False and e["mtd_arm"] == e["boin"]["mtd_arm"] == "DL3"
    sub = loaded["gb18030-esc-amd"]
    enc = {f.path: f.encoding for f in sub.inputs if f.path.endswith(".csv")}
    for path in ("tabulations/ae.csv", "tabulations/cm.csv", "tabulations/dm.csv", "tabulations/ds.csv",
                 "cmc/batches.csv", "documents/index.csv"):
        assert enc[path] == "gb18030"
    assert all(v in ("gb18030", "utf-8") for v in enc.values())   # pure-ASCII files read as UTF-8
    ae = sub.datasets["AE"]
    assert ae["AETERM"].str.contains(r"[\u4e00-\u9fff]").all()
    assert ae["AEDECOD"].str.match(r"^[A-Za-z ,()'-]+$").all()
    lengths = set(ae["AESTDTC"].str.len())
    assert {4, 7, 10} <= lengths
    assert (sub.datasets["CM"]["CMSTDTC"].str.len() == 4).any() and (sub.datasets["MH"]["MHSTDTC"].str.len() < 10).all()
    same = e["partial_date_same_month_as_first_dose"]
    rec = ae[(ae["USUBJID"] == same["usubjid"]) & (ae["AESEQ"].astype(int).astype(str) == same["record"][6:])]
    first = sub.datasets["EX"].groupby("USUBJID")["EXSTDTC"].min()[same["usubjid"]]
    assert len(rec) == 1 and rec["AESTDTC"].iat[0] == first[:7]


def test_defects_planted(expectations, loaded):
    e = expectations["defects-trace-cmc"]
    sub = loaded["defects-trace-cmc"]
    got = {(f["check_id"], f["severity"]) for f in e["planted_findings"]}
    assert got == {("TRC-001", "critical"), ("TRC-004", "critical"), ("CMC-001", "critical"),
                   ("CMC-002", "critical"), ("CMC-003", "critical"), ("TRC-002", "critical"),
                   ("TRC-003", "major"), ("SCR-003", "critical"), ("SAF-011", "major"), ("FUP-005", "major"),
                   ("MAN-003", "minor")}
    docs, dm, ae, ex = sub.documents, sub.datasets["DM"], sub.datasets["AE"], sub.datasets["EX"]
    by = {(f["check_id"], f.get("record") or f.get("usubjid")): f for f in e["planted_findings"]}
    for f in e["planted_findings"]:
        cid, rec, u = f["check_id"], f["record"], f["usubjid"]
        if cid == "TRC-001":
            icf = docs[docs["DOCTYPE"] == "ICF_SIGNED"]
            assert u in set(dm["USUBJID"]) and u not in set(icf["USUBJID"])
            assert set(dm["USUBJID"]) - set(icf["USUBJID"]) == {u}
        elif cid == "TRC-004":
            row = docs[docs["DOCID"] == rec.split("=")[1]].iloc[0]
            assert row["PATH_STATUS"] == "outside" or row["SHA256"] != row["FILE_SHA256"]
        elif cid == "CMC-001":
            lot = rec.split("=")[1]
            assert lot in set(ex["EXLOT"]) and lot not in set(sub.batches["LOTID"])
        elif cid == "CMC-002":
            rt = sub.release_tests
            lot = rec.split("=")[1]
            assert lot in set(ex["EXLOT"])
            assert rt[(rt["LOTID"] == lot) & (rt["ATTRIBUTE"] == "STERILITY")]["RESULT"].iat[0] == "POSITIVE"
        elif cid == "CMC-003":
            lot = rec.split("=")[1]
            assert sub.batches.set_index("LOTID")["PROCVER"][lot] == "P1" and lot in set(ex["EXLOT"])
            assert "COMPARABILITY_REPORT" not in set(docs["DOCTYPE"])
        elif cid == "TRC-002":
            assert u not in set(dm["USUBJID"]) and u in set(ae["USUBJID"])
        elif cid == "TRC-003":
            row = ae[(ae["USUBJID"] == u) & (ae["AESEQ"].astype(int) == int(rec.split("=")[1]))]
            assert row["AESTDTC"].iat[0] == "2021-13-45"
        elif cid == "SCR-003":
            first = ex[ex["USUBJID"] == u]["EXSTDTC"].min()
            assert dm.set_index("USUBJID")["RFICDTC"][u] > first
        elif cid == "SAF-011":
            row = ae[(ae["USUBJID"] == u) & (ae["AESEQ"].astype(int) == int(rec.split("=")[1]))].iloc[0]
            report = docs[(docs["DOCTYPE"] == "SAE_REPORT") & (docs["USUBJID"] == u)]
            assert row["AESER"] == "Y" and (day(report["DATE"]) - day([row["AESTDTC"]])[0] == 6).all()
        elif cid == "FUP-005":
            doc = docs[docs["DOCID"] == rec.split("=")[1]].iloc[0]
            assert doc["DOCTYPE"] == "LTFU_ICF_SIGNED" and doc["USUBJID"] == u
            assert doc["DATE"] > ex[ex["USUBJID"] == u]["EXSTDTC"].min()
        elif cid == "MAN-003":
            assert sub.m.next_stage is None
    assert len(by) == len(e["planted_findings"])
    used = set(ex["EXLOT"].dropna())
    rt = sub.release_tests[sub.release_tests["LOTID"].isin(used)]
    _no_drift(sub.batches, rt.assign(v=to_number(rt["RESULT"])), sub.m.product.commercial_process_version)
    # apart from the planted documents, the set is complete
    devlog = docs[docs["PATH_STATUS"] == "outside"]
    assert list(devlog["PATH"]) == ["../outside.txt"]


# --------------------------------------------------------------------------- clean samples, check by check


def _no_drift(batches, used_results, commercial) -> None:
    """CMC-004 under either reading of 'clinical lots': all lots used, or the non-commercial lots used."""
    com = set(batches.loc[batches["PROCVER"] == commercial, "LOTID"])
    for attr, g in used_results[used_results["v"].notna()].groupby("ATTRIBUTE"):
        for ref in (g, g[~g["LOTID"].isin(com)]):
            if len(ref) < 3:
                continue
            mu, sd = ref["v"].mean(), ref["v"].std(ddof=1)
            assert (abs(g.loc[g["LOTID"].isin(com), "v"] - mu) <= 3 * sd + 1e-9).all(), attr


def _dosed(sub) -> pd.Series:
    ex, dm = sub.datasets["EX"], sub.datasets["DM"]
    ctrl = {a.armcd for a in sub.m.study.arms if a.is_control}
    arm = ex["USUBJID"].map(dm.set_index("USUBJID")["ACTARMCD"])
    ok = (to_number(ex["EXDOSE"]) > 0) | arm.isin(ctrl)
    return pd.Series(day(ex.loc[ok, "EXSTDTC"]), index=ex.loc[ok, "USUBJID"].to_numpy()).groupby(level=0).min()


@pytest.mark.parametrize("name", CLEAN)
def test_clean_sample_passes_catalogue_reading(loaded, name):
    sub = loaded[name]
    m = sub.m
    d = sub.datasets
    dm = d["DM"]
    first = _dosed(sub)
    consent = pd.Series(day(dm["RFICDTC"]), index=dm["USUBJID"])
    enrolled = dm[dm["ARMCD"] != "SCRNFAIL"]
    # MAN-002 arms, SCR-001/004
    arms = {a.armcd for a in m.study.arms}
    assert set(dm["ARMCD"]) | set(dm["ACTARMCD"]) <= arms | SPECIAL_ARMS
    assert dm["USUBJID"].is_unique
    assert enrolled[["AGE", "SEX", "ARMCD", "RFSTDTC", "SITEID"]].notna().all().all()
    assert (to_number(enrolled["AGE"]) >= 18).all()
    # SCR-003: consent on or before first dose and first procedure
    for dom, col in (("SV", "SVSTDTC"), ("LB", "LBDTC"), ("VS", "VSDTC"), ("EX", "EXSTDTC")):
        t = pd.Series(day(d[dom][col]), index=d[dom]["USUBJID"]).groupby(level=0).min()
        assert (t >= consent.reindex(t.index)).all(), dom
    # SCR-004 baseline, SAF-008 post-dose labs
    for dom in ("LB", "VS"):
        bl = set(d[dom].loc[d[dom][f"{dom}BLFL"] == "Y", "USUBJID"])
        assert set(first.index) <= bl, dom
    lb_day = pd.Series(day(d["LB"]["LBDTC"]), index=d["LB"]["USUBJID"])
    post = lb_day[lb_day > lb_day.index.map(first).to_numpy(dtype=float)]
    assert set(first.index) <= set(post.index)
    # SCR-007 disposition for everyone
    ds = d["DS"]
    disp = ds[ds["DSCAT"] == "DISPOSITION EVENT"]
    assert set(dm["USUBJID"]) == set(disp["USUBJID"]) and disp["DSTERM"].notna().all()
    assert set(ds.loc[ds["DSDECOD"] == "SCREEN FAILURE", "USUBJID"]) <= set(d["IE"]["USUBJID"])
    # ADM-001/002/003
    ex = d["EX"]
    assert set(enrolled.loc[~enrolled["ACTARMCD"].isin(SPECIAL_ARMS), "USUBJID"]) == set(ex["USUBJID"])
    assert ex[["EXDOSE", "EXDOSU", "EXROUTE", "EXSTDTC"]].notna().all().all()
    arm_of = ex["USUBJID"].map(dm.set_index("USUBJID")["ACTARMCD"])
    dose, unit = normalise_doses(ex["EXDOSE"], ex["EXDOSU"])
    for a in m.study.arms:
        rows = arm_of == a.armcd
        if a.is_control:
            continue
        assert (dose[rows] > 0).all() and ex.loc[rows, "EXLOT"].notna().all()
        assert np.allclose(dose[rows], a.dose, rtol=0.1) and set(unit[rows]) == {a.dose_unit}
    # ADM-004/005 (first in human)
    if m.study.first_in_human:
        assert ex.groupby("USUBJID").size().max() == 1
        gap = m.study.sentinel_interval_days or 0
        for a in arms:
            f = np.sort(first[first.index.map(dm.set_index("USUBJID")["ACTARMCD"]) == a].to_numpy())
            assert (np.diff(f) >= gap).all(), a
    # SAF-001/002/007
    ae = d["AE"]
    assert ae[["AETERM", "AESTDTC", "AESER", "AEREL", "AEDECOD", "AEBODSYS"]].notna().all().all()
    assert (ae["AESEV"].notna() | ae["AETOXGR"].notna()).all()
    st = parse_dtc(ae["AESTDTC"])
    assert not st.malformed.any()
    cons = parse_dtc(ae["USUBJID"].map(dm.set_index("USUBJID")["RFICDTC"]))
    assert not before(st, cons).any()
    assert not before(parse_dtc(ae["AEENDTC"]), st).any()
    # SAF-003: SAE reports
    docs = sub.documents
    sae_docs = set(docs.loc[docs["DOCTYPE"] == "SAE_REPORT", "USUBJID"])
    assert set(ae.loc[ae["AESER"] == "Y", "USUBJID"]) <= sae_docs
    # SAF-004: deaths consistent across DM, DS, AE
    dead_dm = set(dm.loc[dm["DTHFL"] == "Y", "USUBJID"])
    assert dead_dm == set(ds.loc[ds["DSDECOD"] == "DEATH", "USUBJID"]) == set(ae.loc[ae["AEOUT"] == "FATAL", "USUBJID"])
    assert dead_dm == set(ae.loc[ae["AESDTH"] == "Y", "USUBJID"])
    # EFF-001/003
    pe = m.study.primary_endpoint
    eff = d[pe.domain]
    eff = eff[eff[f"{pe.domain}TESTCD"] == pe.testcd]
    assert set(first.index) <= set(eff.loc[eff[f"{pe.domain}BLFL"] == "Y", "USUBJID"])
    assert set(first.index) <= set(eff.loc[eff["VISIT"] == pe.visit, "USUBJID"])
    # FUP-001/002/003
    last = []
    for dom, cols in (("SV", ("SVSTDTC",)), ("DS", ("DSSTDTC",)), ("AE", ("AESTDTC", "AEENDTC")), ("LB", ("LBDTC",)),
                      ("VS", ("VSDTC",)), ("DM", ("DTHDTC",))):
        for c in cols:
            last.append(pd.Series(day(d[dom][c]), index=d[dom]["USUBJID"]))
    lc = pd.concat(last).groupby(level=0).max()
    fu = lc.reindex(first.index) - first
    withdrawn = set(disp.loc[disp["DSDECOD"] == "WITHDRAWAL BY SUBJECT", "USUBJID"])
    ongoing = set(disp.loc[disp["DSDECOD"] == "ONGOING", "USUBJID"])     # still in follow-up at the cut-off
    required = sub.study.parameters.required_followup_days
    assert required == m.study.followup.required_days                     # declared at the guideline floor
    short = set(fu[fu < required].index) - dead_dm - withdrawn - ongoing
    assert short == set(), sorted(short)[:3]
    ltfu = set(d["SV"].loc[d["SV"]["EPOCH"] == "LONG-TERM FOLLOW-UP", "USUBJID"])
    ltfu_docs = docs[docs["DOCTYPE"] == "LTFU_ICF_SIGNED"]
    assert ltfu <= set(ltfu_docs["USUBJID"])
    # FUP-005: the long-term follow-up consent is signed before the first dose
    assert (pd.Series(day(ltfu_docs["DATE"]), index=ltfu_docs["USUBJID"]) <= first.reindex(ltfu_docs["USUBJID"])).all()
    # SAF-011: every serious AE has an SAE report dated within a day of its onset
    rep = docs[docs["DOCTYPE"] == "SAE_REPORT"]
    rep_days = pd.Series(day(rep["DATE"]), index=rep["USUBJID"])
    for u, onset in zip(ae.loc[ae["AESER"] == "Y", "USUBJID"], day(ae.loc[ae["AESER"] == "Y", "AESTDTC"])):
        got = rep_days[rep_days.index == u].to_numpy()
        assert ((got >= onset) & (got <= onset + 1)).any(), (u, onset)
    # CON-001/002
    cm = d["CM"]
    assert cm[["CMTRT", "CMSTDTC", "CMDECOD"]].notna().all().all()
    bg = cm[cm["CMDECOD"].isin(m.study.background_therapy) | cm["CMCLAS"].isin(m.study.background_therapy)]
    assert bg["CMENDTC"].isna().all() and not bg.duplicated(["USUBJID", "CMDECOD"]).any()
    bg_start = parse_dtc(bg["CMSTDTC"])
    bg_first = parse_dtc(bg["USUBJID"].map(lambda u: None if u not in first.index else
                                           str(np.datetime64(int(first[u]), "D"))))
    assert before(bg_start, bg_first)[bg_first.known].all()
    # CMC-001/002/003/005/006
    b, rt = sub.batches, sub.release_tests
    used = set(ex["EXLOT"].dropna())
    assert used <= set(b.loc[b["STATUS"] == "RELEASED", "LOTID"])
    assert b.loc[b["STATUS"] != "RELEASED", "FAILREASON"].notna().all()
    assert set(b.loc[b["LOTID"].isin(used), "PROCVER"]) == {m.product.commercial_process_version} or \
        "COMPARABILITY_REPORT" in set(docs["DOCTYPE"])
    ur = rt[rt["LOTID"].isin(used)]
    attrs = ur.groupby("LOTID")["ATTRIBUTE"].apply(frozenset)
    assert attrs.nunique() == 1 and {"STERILITY", "MYCOPLASMA", "ENDOTOXIN"} <= set(attrs.iloc[0])
    val, lo, hi = to_number(ur["RESULT"]), to_number(ur["SPEC_LOW"]), to_number(ur["SPEC_HIGH"])
    assert not ((val < lo) | (val > hi)).any()
    txt = ur["SPEC_TEXT"].notna()
    assert (ur.loc[txt, "RESULT"].str.upper() == ur.loc[txt, "SPEC_TEXT"].str.upper()).all()
    _no_drift(b, ur.assign(v=val), m.product.commercial_process_version)
    assert used <= set(docs.loc[docs["DOCTYPE"] == "BATCH_RELEASE_CERT", "LOTID"])
    # TRC-001/004/006 and ethics before first consent per site
    assert (docs["PATH_STATUS"] == "ok").all() and (docs["SHA256"] == docs["FILE_SHA256"]).all()
    assert sub.unindexed_documents == []
    types = set(docs["DOCTYPE"])
    assert {"PROTOCOL", "CSR", "REGISTRATION_RECORD", "IB", "ICF_TEMPLATE", "SOP_PRODUCT_HANDLING",
            "PRODUCT_ACCOUNTABILITY", "SAP", "RISK_CONTROL_PLAN"} <= types
    assert set(dm["USUBJID"]) == set(docs.loc[docs["DOCTYPE"] == "ICF_SIGNED", "USUBJID"])
    for t in ("ETHICS_APPROVAL", "INVESTIGATOR_CV", "TRAINING_RECORD", "MONITORING_REPORT"):
        assert set(dm["SITEID"]) <= set(docs.loc[docs["DOCTYPE"] == t, "SITEID"]), t
    protocol = day(docs.loc[docs["DOCTYPE"] == "PROTOCOL", "DATE"]).min()
    assert protocol < consent.min()
    ethics = pd.Series(day(docs.loc[docs["DOCTYPE"] == "ETHICS_APPROVAL", "DATE"]),
                       index=docs.loc[docs["DOCTYPE"] == "ETHICS_APPROVAL", "SITEID"])
    site_first = consent.groupby(dm.set_index("USUBJID")["SITEID"]).min()
    assert (ethics.reindex(site_first.index) < site_first).all()
    # TRC-005: define.xml matches the datasets
    for dom, frame in {**d, **sub.supp}.items():
        raw = sub.supp.get(dom, frame)
        if dom == "AE" and "SUPPAE" in sub.supp:
            raw = frame.drop(columns=["AEDLT"])
        assert set(raw.columns) == sub.define[dom], dom
    assert set(sub.define) == set(d) | set(sub.supp)
    # no date at or after 2026-01-01
    limit = np.datetime64("2026-01-01").astype("int64")
    for dom, frame in d.items():
        for c in [c for c in frame.columns if c.endswith("DTC")]:
            v = parse_dtc(frame[c]).hi
            assert not (v >= limit).any(), (dom, c)


def test_koa_subjects_in_follow_up_at_the_cutoff_do_not_block_t4(expectations, generated):
    """Guideline 三（一）: eight subjects still in follow-up at the cut-off are info remarks with their expected
    completion date (first dose + 730 days), not major findings; the sample keeps tier T4."""
    from workbench.review import run_review

    e = expectations["rct-ucmsc-koa"]
    ongoing = e["followup_ongoing_at_cutoff"]
    review = run_review(generated / "rct-ucmsc-koa")
    assert review.tier.proposed.value == "T4" and len(ongoing) == 8
    fup = [f for f in review.findings if f.check_id == "FUP-002"]
    assert not [f for f in fup if f.severity.value == "major"]
    per_subject = {f.usubjid: f for f in fup if f.usubjid}
    assert sorted(per_subject) == ongoing
    sub = review.submission
    for u, f in per_subject.items():
        due = sub.study.first_dose.at[u, "FIRST_LO"] + 730
        assert f"expected to complete on {np.datetime64(int(due), 'D')}" in f.message_en
        assert "TS DCUTDTC 2023-10-11" in f.message_en and "预计于" in f.message_zh
    t4 = review.tier.criterion("T4.follow_up")
    assert t4.met and t4.values["meeting_requirement"] == 180 - 10 - 1 - 8   # withdrawn, died, still followed


def test_parkinson_is_a_clean_cde_data_package(loaded):
    """The FIH sample carries its ADaM (ADSL, ADAE, ADLBHY as SAS transport v5 with DATE9. dates), their
    define.xml, reviewer guides and programs: every package check passes and every reconciled record agrees."""
    import datetime as dt

    from workbench.checks import run_checks
    from workbench.reconciliation import reconciliation

    sub = loaded["fih-ipsc-parkinson"]
    assert sub.package is not None and set(sub.adam) == {"ADSL", "ADAE", "ADLBHY"}
    assert sub.package.guides == {"SDRG": ["tabulations/csdrg.pdf"], "ADRG": ["analysis/adam/datasets/adrg.pdf"]}
    assert len(sub.package.programs) == 3 and sub.adam_define is not None
    assert sub.adam["ADSL"]["TRTSDT"].dropna().map(type).eq(dt.date).all()
    ids = ["PKG-001", "PKG-002", "PKG-003", "REC-001", "REC-002", "REC-003", "REC-004", "REC-005"]
    run = run_checks(sub, only=ids)
    assert {r.check_id: r.status for r in run.results} == dict.fromkeys(ids, "pass")
    rec = reconciliation(sub)
    assert all(i.compared > 0 and i.disagree == 0 for i in rec.items.values())
    assert rec.item("REC-001").variables["SAFFL"].agree == len(sub.study.subjects) == 21
    for name in [n for n in ALL if n != "fih-ipsc-parkinson"]:
        assert loaded[name].package is None and loaded[name].adam == {}
