"""The CDISC pilot as a CDE data package: the shared SDTM and ADaM folders laid out by the test as
m5/datasets/cdiscpilot01/{tabulations/sdtm, analysis/adam/datasets} (in a temporary folder; nothing is committed),
reviewed, and compared with an independent reading of the files; variants made by code."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from realdata_support import read_xpt, real_sdtm_root, write_xpt

from workbench.loader import load_submission
from workbench.reconciliation import reconciliation
from workbench.review import run_review

STUDY = "m5/datasets/cdiscpilot01"
SDTM, ADAM = f"{STUDY}/tabulations/sdtm", f"{STUDY}/analysis/adam/datasets"


def assemble(root: Path, skip_adam: tuple[str, ...] = ()) -> Path:
    """The two shared folders copied into the eCTD module 5 layout under ``root`` (the package root)."""
    src = real_sdtm_root()
    for folder, target in ((src / "cdiscpilot01", root / SDTM), (src / "cdiscpilot01-adam", root / ADAM)):
        target.mkdir(parents=True, exist_ok=True)
        for f in sorted(folder.iterdir()):
            if f.is_file() and f.stem.lower() not in skip_adam:
                shutil.copyfile(f, target / f.name)
    return root


@pytest.fixture(scope="module")
def package_root(tmp_path_factory) -> Path:
    return assemble(tmp_path_factory.mktemp("pilot-package"))


@pytest.fixture(scope="module")
def pkg_review(package_root):
    review = run_review(package_root)
    return review, json.loads(json.dumps(review.to_dict(), default=str))


@pytest.fixture(scope="module")
def adam_raw():
    src = real_sdtm_root() / "cdiscpilot01-adam"
    return {n: read_xpt(src / f"{n}.xpt") for n in ("adsl", "adae", "adlbhy")}


def findings(review, check_id):
    return [f for f in review.findings if f.check_id == check_id]


# -- intake ------------------------------------------------------------------------------------------------------

def test_package_root_and_study_folder_load_the_same(package_root):
    by_root = load_submission(package_root)
    by_study = load_submission(package_root / STUDY)
    for sub in (by_root, by_study):
        assert sub.submission_id == "cdiscpilot01" and sub.package is not None
        assert sub.package.sdtm_folder == "tabulations/sdtm"
        assert sub.package.adam_folder == "analysis/adam/datasets"
        assert set(sub.adam) == {"ADSL", "ADAE", "ADEX", "ADLBHY"}
        assert "ADSL" not in sub.datasets and "DM" in sub.datasets   # ADaM kept in its own namespace
        assert sub.load_issues == []
    assert by_root.package.study_path == STUDY and by_study.package.study_path == "."
    assert by_root.input_sha256 == by_study.input_sha256


def test_adam_loaded_like_sdtm_with_hashes_and_dates(package_root, adam_raw):
    sub = load_submission(package_root)
    inv = sub.inventory()
    adsl = inv[inv["domain"] == "ADSL"].iloc[0]
    assert adsl["standard"] == "ADaM" and adsl["rows"] == len(adam_raw["adsl"]) == 306
    assert adsl["sha256"] == hashlib.sha256((package_root / ADAM / "adsl.xpt").read_bytes()).hexdigest()
    assert adsl["file"] == "analysis/adam/datasets/adsl.xpt"
    assert inv[inv["domain"] == "DM"].iloc[0]["standard"] == "SDTM"
    assert set(inv.loc[inv["kind"] == "define", "file"]) == {"tabulations/sdtm/define.xml"}
    # DATE9. values arrive as dates, not as SAS day counts
    import datetime as dt
    assert sub.adam["ADSL"]["TRTSDT"].dropna().map(type).eq(dt.date).all()
    assert sub.adam["ADSL"].loc[sub.adam["ADSL"]["USUBJID"] == "01-701-1015", "TRTSDT"].iloc[0] == dt.date(2014, 1, 2)


# -- PKG ---------------------------------------------------------------------------------------------------------

def test_pkg002_reports_the_missing_guides_programs_and_adam_define(pkg_review):
    review, _ = pkg_review
    records = sorted(f.record for f in findings(review, "PKG-002"))
    assert records == ["PATH=analysis/adam/datasets/adrg.pdf", "PATH=analysis/adam/datasets/define.xml",
                       "PATH=analysis/adam/programs/", "PATH=tabulations/sdtm/csdrg.pdf"]
    assert all(f.severity.value == "major" for f in findings(review, "PKG-002"))
    assert findings(review, "PKG-001") == []           # lowercase names, SAS transport v5
    status = {r.check_id: r.status for r in review.checks.results}
    assert status["PKG-003"] == "not_applicable"        # no ADaM define.xml (PKG-002 says so)


# -- reconciliation ------------------------------------------------------------------------------------------------

def test_rec003_names_01_705_1303_and_its_four_aes_37_days_after_the_last_dose(pkg_review, adam_raw):
    review, doc = pkg_review
    found = findings(review, "REC-003")
    assert len(found) == 1
    f = found[0]
    assert f.usubjid == "01-705-1303" and f.record == "AESEQ=1,2,3,4" and f.domain == "ADAE"
    assert "37 days after the last dose" in f.message_en and "37 天" in f.message_zh
    item = reconciliation(review.submission).item("REC-003")
    assert sorted(d.record for d in item.disagreements) == ["AESEQ=1", "AESEQ=2", "AESEQ=3", "AESEQ=4"]
    assert {d.kind for d in item.disagreements} == {"after_last_dose"}
    assert {(d.adam, d.sdtm) for d in item.disagreements} == {("—", "TEAE (2014-02-05)")}
    assert "end-of-treatment window" in item.inference_en
    # every other ADAE record agrees; the counts are those of an independent reading of ADAE
    assert item.compared == len(adam_raw["adae"]) == 1191 and item.agree == 1187
    rec = next(i for i in doc["reconciliation"]["items"] if i["id"] == "REC-003")
    assert (rec["agree"], rec["disagree"], len(rec["listing"])) == (1187, 4, 4)


def test_saffl_agrees_for_all_254_dosed_subjects(pkg_review, adam_raw, raw):
    review, _ = pkg_review
    item = reconciliation(review.submission).item("REC-001")
    saffl = item.variables["SAFFL"]
    assert (saffl.compared, saffl.agree) == (306, 306)
    assert (adam_raw["adsl"]["SAFFL"] == "Y").sum() == len(review.submission.study.dosed) == 254
    assert item.variables["TRT01A"].disagree == 0 and findings(review, "REC-001") == []


def test_potential_hys_law_subject_agrees(pkg_review, adam_raw):
    review, _ = pkg_review
    item = reconciliation(review.submission).item("REC-004")
    hy = item.variables["HYSLAW"]
    assert hy.compared == adam_raw["adlbhy"]["USUBJID"].nunique() == 11 and hy.disagree == 0
    lb = adam_raw["adlbhy"]
    assert set(lb.loc[(lb["PARAMCD"] == "HYSLAW") & (lb["AVALC"] == "Y"), "USUBJID"]) == {"01-705-1186"}
    from workbench.analyses.labs import hepatic_subjects
    h = hepatic_subjects(review.submission)
    assert h.loc[h["HYS_LAW"], "USUBJID"].tolist() == ["01-705-1186"]
    assert findings(review, "REC-004") == []


def test_rec002_and_rec005(pkg_review):
    review, _ = pkg_review
    rec2 = reconciliation(review.submission).item("REC-002")
    # ADaM's TRTEDT ignores an EX record without EXENDTC (six subjects); TRTSDT agrees everywhere
    assert rec2.variables["TRTSDT"].disagree == 0
    assert {d.usubjid for d in rec2.disagreements} == {"01-704-1233", "01-705-1018", "01-705-1031", "01-705-1303",
                                                       "01-705-1377", "01-705-1382"}
    assert {d.kind for d in rec2.disagreements} == {"trtedt_open_record"}
    rec5 = reconciliation(review.submission).item("REC-005")
    assert rec5.disagree == 0 and rec5.variables["DTHFL"].agree == 306 and rec5.variables["EOSSTT"].agree == 254


def test_review_json_sections(pkg_review):
    _, doc = pkg_review
    rec = doc["reconciliation"]
    assert rec["adam_datasets"] == ["ADAE", "ADEX", "ADLBHY", "ADSL"]
    assert [i["id"] for i in rec["items"]] == ["REC-001", "REC-002", "REC-003", "REC-004", "REC-005"]
    for i in rec["items"]:
        assert i["compared"] == i["agree"] + i["disagree"] and len(i["listing"]) == i["disagree"]
    pkg = doc["package"]
    assert pkg["study_path"] == STUDY and pkg["reviewer_guides"] == {"SDRG": [], "ADRG": []}
    assert all(f["sha256"] for f in pkg["files"])


# -- variants made by code ---------------------------------------------------------------------------------------

def test_renamed_adsl_is_reported_by_pkg001(tmp_path):
    root = assemble(tmp_path)
    (root / ADAM / "adsl.xpt").rename(root / ADAM / "ADSL.XPT")
    review = run_review(root)
    hits = findings(review, "PKG-001")
    assert [(f.severity.value, f.record, f.domain) for f in hits] == [
        ("minor", "PATH=analysis/adam/datasets/ADSL.XPT", "ADSL")]
    assert "ADSL.XPT" in hits[0].message_en and "ADSL.XPT" in hits[0].message_zh
    assert "ADSL" in review.submission.adam                       # still read (the name differs only in case)
    assert findings(review, "REC-001") == []


def test_missing_adsl_is_reported_by_pkg002(tmp_path):
    review = run_review(assemble(tmp_path, skip_adam=("adsl",)))
    assert [f.record for f in findings(review, "PKG-002") if "ADSL" in f.message_en] == \
        ["PATH=analysis/adam/datasets/adsl.xpt"]
    status = {r.check_id: r for r in review.checks.results}
    for rec in ("REC-001", "REC-002", "REC-005"):
        assert status[rec].status == "not_applicable" and "ADSL" in status[rec].reason_en
    assert findings(review, "REC-003")                            # ADAE is still reconciled


def test_flipped_saffl_is_reported_by_rec001(tmp_path, adam_raw):
    root = assemble(tmp_path)
    adsl = adam_raw["adsl"].copy()
    subject = "01-701-1028"
    assert adsl.loc[adsl["USUBJID"] == subject, "SAFFL"].item() == "Y"
    adsl.loc[adsl["USUBJID"] == subject, "SAFFL"] = "N"
    write_xpt(adsl, root / ADAM / "adsl.xpt", "ADSL")
    review = run_review(root)
    hits = findings(review, "REC-001")
    assert [(f.usubjid, f.record, f.severity.value) for f in hits] == [(subject, "SAFFL=N", "major")]
    assert "first dose 2013-07-19" in hits[0].message_en
    assert reconciliation(review.submission).item("REC-001").variables["SAFFL"].agree == 305


def test_flipped_trtemfl_is_reported_by_rec003(tmp_path, adam_raw):
    root = assemble(tmp_path)
    adae = adam_raw["adae"].copy()
    row = (adae["USUBJID"] == "01-701-1015") & (adae["AESEQ"] == 1)
    assert adae.loc[row, "TRTEMFL"].item() == "Y"
    adae.loc[row, "TRTEMFL"] = ""
    write_xpt(adae, root / ADAM / "adae.xpt", "ADAE")
    review = run_review(root)
    hits = {(f.usubjid, f.record) for f in findings(review, "REC-003")}
    assert hits == {("01-701-1015", "AESEQ=1"), ("01-705-1303", "AESEQ=1,2,3,4")}
    d = next(d for d in reconciliation(review.submission).item("REC-003").disagreements if d.usubjid == "01-701-1015")
    assert d.kind == "teae_not_flagged" and "2014-01-03" in d.reason_en
