"""Real data of other shapes, made by code from the CDISC pilot: a missing EX or AE, Chinese causality and MedDRA
SOC, a GBK-encoded transport file, subjects without an arm (SDTMIG 3.3 ARMNRS), a single-arm study, children.
Each is reviewed as `workbench review` does and compared with what the definitions say, unknown shown as unknown."""
from __future__ import annotations

import collections

import pandas as pd
import pytest
from realdata_support import copy_study, read_xpt, write_xpt

from workbench.review import run_review

NEOPLASM_EN = "NEOPLASMS BENIGN, MALIGNANT AND UNSPECIFIED (INCL CYSTS AND POLYPS)"
NEOPLASM_ZH = "良性、恶性及性质不明的肿瘤（包括囊状和息肉状）"
CAUSALITY_ZH = {"PROBABLE": "很可能有关", "POSSIBLE": "可能有关", "REMOTE": "可能无关", "NONE": "无关"}


def _review(folder):
    review = run_review(folder)
    return review, review.to_dict()


def _overview(doc):
    return {r["arm"]: r for r in doc["analyses"]["safety"]["overview"]}


def test_without_ex_dosing_is_unknown_not_zero(pilot_dir, tmp_path):
    _, doc = _review(copy_study(pilot_dir, tmp_path / "no-ex", skip=("ex",)))
    ov = _overview(doc)
    assert set(ov) == {"Pbo", "Xan_Hi", "Xan_Lo"}
    assert all(r["dosed"] is None and r["any_teae"] is None and r["related_teae"] is None for r in ov.values())
    assert doc["analyses"]["safety"]["reason_code"] == "no_ex"
    assert all(r["dosed"] is None and r["enrolled"] > 0 for r in doc["analyses"]["exposure"])
    assert doc["study"]["subjects_dosed"] is None
    crit = {c["id"]: c for c in doc["tier"]["criteria"]}
    assert crit["T0.no_dosed_subjects"]["met"] is None            # not evaluable, never "0 dosed"
    assert any(f["check_id"] == "ADM-001" and f["severity"] == "critical" for f in doc["findings"])


def test_without_ae_teae_counts_are_unknown(pilot_dir, tmp_path):
    _, doc = _review(copy_study(pilot_dir, tmp_path / "no-ae", skip=("ae", "suppae")))
    ov = _overview(doc)
    assert {a: r["dosed"] for a, r in ov.items()} == {"Pbo": 86, "Xan_Hi": 72, "Xan_Lo": 96}
    assert all(r["any_teae"] is None and r["serious"] is None and r["fatal"] is None for r in ov.values())
    assert doc["analyses"]["safety"]["reason_code"] == "no_ae"
    assert any(f["check_id"] == "SAF-001" and f["severity"] == "critical" for f in doc["findings"])
    crit = {c["id"]: c for c in doc["tier"]["criteria"]}
    assert crit["T0.no_safety_data"]["met"] is True


@pytest.fixture(scope="module")
def neoplasm_case(raw):
    """An AE in the neoplasm SOC, made 'possibly related' (the pilot's own are not related)."""
    ae = raw("AE")
    row = ae[ae["AEBODSYS"] == NEOPLASM_EN].iloc[0]
    return row["USUBJID"], int(row["AESEQ"])


def _with_ae(pilot_dir, dest, edit) -> object:
    folder = copy_study(pilot_dir, dest)
    ae = read_xpt(pilot_dir / "ae.xpt")
    edit(ae)
    (folder / "ae.xpt").unlink()
    write_xpt(ae, folder / "ae.xpt", "AE")
    return folder


def test_chinese_causality_and_soc_read_as_the_english(pilot_dir, tmp_path, neoplasm_case):
    u, seq = neoplasm_case

    def english(ae):
        ae.loc[(ae["USUBJID"] == u) & (ae["AESEQ"] == seq), "AEREL"] = "POSSIBLE"

    def chinese(ae):
        english(ae)
        ae["AEREL"] = ae["AEREL"].map(lambda v: CAUSALITY_ZH.get(v, v))
        ae.loc[ae["AEBODSYS"] == NEOPLASM_EN, "AEBODSYS"] = NEOPLASM_ZH

    review_en, doc_en = _review(_with_ae(pilot_dir, tmp_path / "en", english))
    review_zh, doc_zh = _review(_with_ae(pilot_dir, tmp_path / "zh", chinese))
    keys = ("any_teae", "related_teae", "serious", "related_serious", "fatal", "aesi")
    assert {a: {k: r[k] for k in keys} for a, r in _overview(doc_zh).items()} == \
        {a: {k: r[k] for k in keys} for a, r in _overview(doc_en).items()}
    for doc in (doc_en, doc_zh):   # the neoplasm SOC in either language drives the tumorigenicity criterion
        crit = {c["id"]: c for c in doc["tier"]["criteria"]}
        assert crit["T1.related_tumorigenicity"]["met"] is True and u in crit["T1.related_tumorigenicity"]["values"]["subjects"]
    ae = review_zh.submission.study.adverse_events
    assert ae.loc[ae["AEBODSYS"] == NEOPLASM_ZH, "TUMOUR"].all()
    assert not [f for f in doc_zh["findings"] if f["check_id"] == "SAF-001" and f["record"] != "AEREL="]


def test_unrecognised_causality_is_one_finding_per_value_and_counts_as_related(pilot_dir, tmp_path):
    def odd(ae):
        ae.loc[ae["AEREL"] == "REMOTE", "AEREL"] = "MAYBE"

    review, doc = _review(_with_ae(pilot_dir, tmp_path / "odd", odd))
    hits = [f for f in doc["findings"] if f["check_id"] == "SAF-001" and f["record"] == "AEREL=MAYBE"]
    assert len(hits) == 1 and "on 161 record(s)" in hits[0]["message_en"]
    ae = review.submission.study.adverse_events
    assert ae.loc[ae["AEREL"] == "MAYBE", "RELATED"].eq(ae.loc[ae["AEREL"] == "MAYBE", "TEAE"]).all()


def test_gbk_encoded_transport_file(pilot_dir, tmp_path):
    """A Chinese sponsor's SAS writes GBK: the file is read with its fallback, recorded, and its text is right."""
    folder = copy_study(pilot_dir, tmp_path / "gbk", skip=("ae",))
    ae = read_xpt(pilot_dir / "ae.xpt")
    target = (ae["USUBJID"] == ae["USUBJID"].iloc[0]) & (ae["AESEQ"] == ae["AESEQ"].iloc[0])
    word = "头痛恶心"                        # 8 bytes in GBK
    ae.loc[target, "AETERM"] = "Q" * len(word.encode("gbk"))
    write_xpt(ae, folder / "ae.xpt", "AE")
    data = (folder / "ae.xpt").read_bytes()
    assert data.count(b"QQQQQQQQ") == 1
    (folder / "ae.xpt").write_bytes(data.replace(b"QQQQQQQQ", word.encode("gbk")))
    review, doc = _review(folder)
    assert {f["path"]: f["encoding"] for f in doc["inputs"]}["ae.xpt"] == "gb18030"
    got = review.submission.domain("AE")
    assert got.loc[target.to_numpy(), "AETERM"].tolist() == [word]
    assert not [i for i in review.submission.load_issues if i.path == "ae.xpt"]


def test_subjects_without_arm_sdtmig_33(pilot_dir, tmp_path, raw):
    """SDTMIG 3.3+: a screen failure has blank ARMCD / ACTARMCD and ARMNRS; one randomised subject 'NOT ASSIGNED'."""
    folder = copy_study(pilot_dir, tmp_path / "armnrs", skip=("dm",))
    dm = raw("DM").copy()
    sf = dm["ARMCD"] == "Scrnfail"
    for c in ("ARMCD", "ACTARMCD", "ARM", "ACTARM"):
        dm.loc[sf, c] = ""
    dm.loc[sf, "ARMNRS"] = "SCREEN FAILURE"
    write_xpt(dm, folder / "dm.xpt", "DM")
    review, doc = _review(folder)
    model = review.submission.study
    assert set(model.arms["ARM"]) == {"Pbo", "Xan_Hi", "Xan_Lo"}         # no arm made of blanks
    subj = model.subjects
    assert int(subj["SCREEN_FAIL"].sum()) == 52 and int(subj["ENROLLED"].sum()) == 254
    assert subj.loc[subj["SCREEN_FAIL"], "ARM"].isna().all()
    assert {r["arm"]: r["dosed"] for r in doc["analyses"]["exposure"]} == {"Pbo": 86, "Xan_Hi": 72, "Xan_Lo": 96}


def test_single_arm_study(pilot_dir, tmp_path, raw):
    """Only the subjects planned and treated in Xan_Lo: one active arm, no control, one dose level."""
    dm = raw("DM")
    keep = set(dm.loc[(dm["ARMCD"] == "Xan_Lo") & (dm["ACTARMCD"] == "Xan_Lo"), "USUBJID"])
    supp = raw("SUPPAE")   # the sponsor's own treatment-emergent flag, for the expected count
    teae = set(supp.loc[(supp["QNAM"] == "AETRTEM") & (supp["QVAL"] == "Y") & supp["USUBJID"].isin(keep), "USUBJID"])
    folder = tmp_path / "single"
    folder.mkdir()
    for f in pilot_dir.glob("*.xpt"):
        df = read_xpt(f)
        if "USUBJID" in df.columns:
            df = df[df["USUBJID"].isin(keep)].reset_index(drop=True)
        if f.stem == "ta":
            df = df[df["ARMCD"] == "Xan_Lo"].reset_index(drop=True)
        write_xpt(df, folder / f.name, f.stem)
    review, doc = _review(folder)
    arms = review.submission.study.arms
    assert arms["ARM"].tolist() == ["Xan_Lo"] and not arms["CONTROL"].any()
    assert _overview(doc)["Xan_Lo"]["dosed"] == len(keep) == 84 and _overview(doc)["Xan_Lo"]["any_teae"] == len(teae)
    crit = {c["id"]: c for c in doc["tier"]["criteria"]}
    assert crit["T0.no_dosed_subjects"]["met"] is False and crit["T4.dose_explored"]["values"].get("dose_levels") == 1


def test_children_ages_in_months(pilot_dir, tmp_path, raw):
    """AGE in MONTHS: 120 months is a child of 10 (FUP-004 applies), 960 months an adult of 80."""
    folder = copy_study(pilot_dir, tmp_path / "kids", skip=("dm",))
    dm = raw("DM").copy()
    dosed = dm[dm["ACTARMCD"] == "Xan_Lo"]["USUBJID"].tolist()
    kid, old = dosed[0], dosed[1]
    dm.loc[dm["USUBJID"] == kid, ["AGE", "AGEU"]] = [120.0, "MONTHS"]
    dm.loc[dm["USUBJID"] == old, ["AGE", "AGEU"]] = [960.0, "MONTHS"]
    write_xpt(dm, folder / "dm.xpt", "DM")
    review, doc = _review(folder)
    ages = review.submission.study.subjects["AGE_Y"]
    assert ages[kid] == pytest.approx(10.0) and ages[old] == pytest.approx(80.0)
    by_check = collections.defaultdict(set)
    for f in doc["findings"]:
        by_check[f["check_id"]].add(f["usubjid"])
    assert kid in by_check["FUP-004"] and old not in by_check["FUP-004"]   # one HEIGHT, at screening only
    assert kid not in by_check["SCR-006"]            # adults were dosed before this child (G-2.1.2c is met)


def test_manifest_arm_codes_match_case_insensitively(pilot_dir, tmp_path):
    """A manifest that writes PBO for the data's Pbo: one arm, shown as Pbo, declared (no MAN-002)."""
    folder = copy_study(pilot_dir, tmp_path / "manifest")
    (folder / "submission.yaml").write_text(
        "submission_id: PILOT\nstudy:\n  design: randomized_controlled\n  arms:\n"
        "    - {armcd: PBO, dose: 0, control: true}\n    - {armcd: XAN_LO, dose: 54, dose_unit: mg}\n"
        "    - {armcd: xan_hi, dose: 81, dose_unit: mg}\n", encoding="utf-8")
    review, doc = _review(folder)
    arms = review.submission.study.arms
    assert arms["ARM"].tolist() == ["Pbo", "Xan_Lo", "Xan_Hi"] and arms["IN_MANIFEST"].all()
    assert arms.set_index("ARM").loc["Pbo", "ROLE_RULE"] == "manifest"
    assert not [f for f in doc["findings"] if f["check_id"] == "MAN-002"]
    assert pd.Series({r["arm"]: r["dosed"] for r in doc["analyses"]["exposure"]}).to_dict() == \
        {"Pbo": 86, "Xan_Lo": 96, "Xan_Hi": 72}
