"""The review of real sponsor SDTM (the CDISC pilot) against figures computed here, independently, from the
definitions of analyses.md "Common definitions" and from the sponsor's own flags (SUPPDM SAFETY, SUPPAE AETRTEM).

The independent computation reads the XPT files with pyreadstat and pandas only; nothing of the workbench."""
from __future__ import annotations

import collections

import pandas as pd
import pytest

RELATED = {"Y", "YES", "RELATED", "CERTAIN", "DEFINITE", "DEFINITELY RELATED", "PROBABLE", "PROBABLY RELATED",
           "LIKELY", "POSSIBLE", "POSSIBLY RELATED"}
CRITERIA = ("AESDTH", "AESLIFE", "AESHOSP", "AESDISAB", "AESCONG", "AESMIE")


def _partial_ge(a: str, b: str) -> bool:
    """Is the ISO date a on or after b, compared at the precision both have (undecidable counts as yes)?"""
    n = min(len(a), len(b), 10)
    return a[:n] >= b[:n]


@pytest.fixture(scope="module")
def truth(raw):
    """Per arm (ACTARMCD): dosed, any TEAE, related TEAE, serious TEAE, fatal TEAE; and per-record TEAE flags."""
    dm, ex, ae = raw("DM"), raw("EX"), raw("AE")
    arm = dm.set_index("USUBJID")["ACTARMCD"].str.strip()
    control = {a for a, label in zip(dm["ACTARMCD"], dm["ACTARM"]) if "PLACEBO" in str(label).upper()}
    ex = ex.assign(ARM=ex["USUBJID"].map(arm))
    dosed_ex = ex[(ex["EXDOSE"] > 0) | ex["ARM"].isin(control)]
    dosed = set(dosed_ex["USUBJID"])
    first = dosed_ex.groupby("USUBJID")["EXSTDTC"].min()
    ae = ae.assign(ARM=ae["USUBJID"].map(arm))
    start = ae["AESTDTC"].fillna("").astype(str).str.strip()
    f = ae["USUBJID"].map(first)
    after = pd.Series([(s == "" or fd != fd or _partial_ge(s, fd)) for s, fd in zip(start, f)], index=ae.index)
    teae = ae["USUBJID"].isin(dosed) & after
    rel = ae["AEREL"].fillna("").astype(str).str.strip().str.upper()
    related = rel.isin(RELATED) | (rel == "")
    serious = ae["AESER"].eq("Y") | ae[[c for c in CRITERIA if c in ae.columns]].eq("Y").any(axis=1)
    fatal = ae["AEOUT"].eq("FATAL") | ae["AESDTH"].eq("Y")
    t = ae[teae]
    per_arm = {}
    for a in sorted(set(arm[arm.index.isin(dosed)])):
        in_arm = t["ARM"] == a
        per_arm[a] = {"dosed": sum(1 for u in dosed if arm.get(u) == a),
                      "any_teae": t.loc[in_arm, "USUBJID"].nunique(),
                      "related_teae": t.loc[in_arm & related[teae], "USUBJID"].nunique(),
                      "serious": t.loc[in_arm & serious[teae], "USUBJID"].nunique(),
                      "fatal": t.loc[in_arm & fatal[teae], "USUBJID"].nunique()}
    return {"per_arm": per_arm, "teae": pd.Series(teae.to_numpy(), index=list(zip(ae["USUBJID"], ae["AESEQ"]))),
            "dosed": dosed}


def test_arms_keep_their_codes_and_placebo_is_the_control(pilot_review):
    review, doc = pilot_review
    arms = {a["arm"]: a for a in doc["study"]["arms"]}
    assert set(arms) == {"Pbo", "Xan_Hi", "Xan_Lo"}          # codes as in the data: not PBO / XAN_HI
    assert arms["Pbo"]["control"] and arms["Pbo"]["role_rule"] == "arm_text" and arms["Pbo"]["role_evidence"] == "PLACEBO"
    assert not arms["Xan_Hi"]["control"] and not arms["Xan_Lo"]["control"]
    assert [a["arm"] for a in doc["analyses"]["exposure"]][0] == "Pbo"   # control first


def test_dosed_and_teae_counts_per_arm_equal_the_independent_computation(pilot_review, truth):
    review, doc = pilot_review
    overview = {r["arm"]: r for r in doc["analyses"]["safety"]["overview"]}
    assert {a: overview[a]["dosed"] for a in overview} == {"Pbo": 86, "Xan_Hi": 72, "Xan_Lo": 96}
    assert {a: overview[a]["any_teae"] for a in overview} == {"Pbo": 65, "Xan_Hi": 69, "Xan_Lo": 84}
    for arm, expect in truth["per_arm"].items():
        got = {k: overview[arm][k] for k in expect}
        assert got == expect, arm
    assert doc["study"]["subjects_dosed"] == 254
    assert {r["arm"]: r["dosed"] for r in doc["analyses"]["exposure"]} == {"Pbo": 86, "Xan_Hi": 72, "Xan_Lo": 96}


def test_teae_flag_equals_the_sponsors_aetrtem_record_by_record(pilot_review, raw):
    review, _ = pilot_review
    ae = review.submission.study.adverse_events
    supp = raw("SUPPAE")
    sponsor = {(u, int(float(v))): q == "Y" for u, v, q in zip(supp["USUBJID"], supp["IDVARVAL"], supp["QVAL"])
               if supp is not None}
    ours = {(u, int(s)): bool(t) for u, s, t in zip(ae["USUBJID"], ae["AESEQ"], ae["TEAE"])}
    assert len(ours) == 1191 and ours == sponsor
    assert len({k[0] for k, v in ours.items() if v}) == 218


def test_dosed_equals_the_sponsors_safety_population(pilot_review, raw, truth):
    review, _ = pilot_review
    supp = raw("SUPPDM")
    safety = set(supp.loc[(supp["QNAM"] == "SAFETY") & (supp["QVAL"] == "Y"), "USUBJID"])
    assert set(review.submission.study.dosed) == safety == truth["dosed"] and len(safety) == 254
    # the subject-level qualifiers (blank IDVAR) are merged onto DM
    dm = review.submission.domain("DM")
    assert set(dm.loc[dm["SAFETY"] == "Y", "USUBJID"]) == safety and dm["ITT"].notna().sum() == 254


def test_no_finding_on_placebo_doses_and_one_remark_for_the_dose_unit(pilot_review):
    _, doc = pilot_review
    adm2 = [f for f in doc["findings"] if f["check_id"] == "ADM-002"]
    assert len(adm2) == 1 and adm2[0]["severity"] == "minor" and "365 administration" in adm2[0]["message_en"]
    assert not any("0.0 is not a positive" in f["message_en"] for f in doc["findings"])


def test_ts_read_with_its_windows_1252_byte(pilot_review):
    review, doc = pilot_review
    ts = {f["path"]: f for f in doc["inputs"]}["ts.xpt"]
    assert ts["encoding"] == "windows-1252"
    assert not [i for i in review.submission.load_issues if i.path == "ts.xpt"]
    facts = doc["study"]["facts"]
    assert facts["indication"]["value"] == "Mild to Moderate Alzheimer’s Disease"   # U+2019 from byte 0x92
    assert facts["design"] == {"value": "randomized_controlled", "origin": "trial_design",
                               "source": "TS RANDOM=Y, TCNTRL=PLACEBO"}
    assert facts["blinding"]["value"] == "double" and facts["stage"]["value"] == "exploratory"


def test_findings_are_few_and_true(pilot_review):
    """One defect, one finding: the pilot's review is a short list of true remarks, not a thousand."""
    _, doc = pilot_review
    by = collections.Counter(f["severity"] for f in doc["findings"])
    assert by["major"] <= 25 and by["critical"] <= 1, by
    ids = collections.Counter(f["check_id"] for f in doc["findings"])
    assert ids["SCR-003"] == 1 and ids["SCR-002"] == 1 and ids["FUP-002"] <= 2
    sae = [f for f in doc["findings"] if f["check_id"] == "SAF-001" and f["record"] == "AEREL="]
    assert len(sae) == 1 and "on 4 record(s)" in sae[0]["message_en"]   # blank causality: one finding, counted
    man = [f for f in doc["findings"] if f["check_id"] == "MAN-001"]
    assert len(man) == 1 and "Pbo (control" in man[0]["message_en"] and "TS RANDOM=Y" in man[0]["message_en"]


def test_tier_is_not_decided_by_no_dosed_subjects(pilot_review):
    _, doc = pilot_review
    crit = {c["id"]: c for c in doc["tier"]["criteria"]}
    assert crit["T0.no_dosed_subjects"]["met"] is False
    assert crit["T0.no_dosed_subjects"]["values"]["active_dosed"] == 168


def test_the_review_cache_gives_back_the_pilots_datasets_cell_for_cell(pilot_review):
    """The review cache's pickling (text columns coded, workbench.frame_pickle) on the sponsor's real SDTM: every
    dataset of the pilot comes back with the same values, dtypes and missing-value kinds."""
    import pickle

    from workbench import frame_pickle

    review, _ = pilot_review
    datasets = review.submission.datasets
    assert any(len(df) >= frame_pickle.MIN_ROWS for df in datasets.values())   # LB, VS, QS...: coded
    back = pickle.loads(frame_pickle.dumps(datasets))
    assert back.keys() == datasets.keys()
    for name, df in datasets.items():
        pd.testing.assert_frame_equal(back[name], df, check_exact=True)
        for i in range(df.shape[1]):
            if df.iloc[:, i].dtype == object:
                assert [type(v) for v in back[name].iloc[:, i]] == [type(v) for v in df.iloc[:, i]], (name, i)
