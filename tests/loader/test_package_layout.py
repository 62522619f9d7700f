"""A CDE/eCTD data package on disk: where its parts are found, what is listed and hashed, what is refused
(links out of the folder, two studies), and how its naming and format defects are reported (PKG-001)."""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from factory import clean_study, make_package, write_study  # noqa: E402

from workbench.checks import run_checks  # noqa: E402
from workbench.discover import discover, is_submission  # noqa: E402
from workbench.loader import SubmissionError, load_submission  # noqa: E402
from workbench.reconciliation.values import adam_days  # noqa: E402


def ectd(root: Path, name: str = "scx001") -> Path:
    """The test study as a package in the eCTD layout: <root>/m5/datasets/<name>/{tabulations/sdtm, analysis/...}."""
    flat = write_study(make_package(clean_study()), root / "_flat")
    study = root / "m5" / "datasets" / name
    (study / "tabulations").mkdir(parents=True)
    shutil.move(str(flat / "tabulations"), str(study / "tabulations" / "sdtm"))
    shutil.move(str(flat / "define.xml"), str(study / "tabulations" / "sdtm" / "define.xml"))
    shutil.move(str(flat / "analysis"), str(study / "analysis"))
    for rest in ("submission.yaml", "cmc", "documents"):
        shutil.move(str(flat / rest), str(study / rest))
    shutil.rmtree(flat)
    return study


def test_package_root_found_and_parts_listed(tmp_path):
    study = ectd(tmp_path)
    assert is_submission(tmp_path) and discover(tmp_path) == [tmp_path]
    sub = load_submission(tmp_path)
    assert sub.root == study.resolve() and sub.submission_id == "SCX-TEST-001"   # from submission.yaml
    pkg = sub.package
    assert (pkg.study_path, pkg.sdtm_folder, pkg.adam_folder) == ("m5/datasets/scx001", "tabulations/sdtm",
                                                                    "analysis/adam/datasets")
    assert pkg.sdtm_define == "tabulations/sdtm/define.xml" and pkg.adam_define == "analysis/adam/datasets/define.xml"
    assert pkg.guides == {"SDRG": ["tabulations/sdtm/csdrg.pdf"], "ADRG": ["analysis/adam/datasets/adrg.pdf"]}
    assert pkg.programs == ["analysis/adam/programs/adsl.sas"]
    inputs = {f.path: f for f in sub.inputs}
    prog = inputs["analysis/adam/programs/adsl.sas"]
    assert prog.kind == "program" and prog.sha256 == hashlib.sha256(b"/* ADSL */\n").hexdigest()
    assert inputs["analysis/adam/datasets/adsl.csv"].kind == "adam_dataset"
    assert set(sub.adam) == {"ADSL", "ADAE", "ADLBHY"} and "DM" in sub.datasets and sub.documents is not None
    inv = sub.inventory()
    assert set(inv.loc[inv["kind"] == "program", "file"]) == {"analysis/adam/programs/adsl.sas"}
    assert set(inv.loc[inv["kind"] == "reviewer_guide", "standard"]) == {"SDTM", "ADaM"}


def test_two_studies_or_none_is_a_one_line_error(tmp_path):
    ectd(tmp_path, "a")
    ectd(tmp_path / "x", "b")
    shutil.move(str(tmp_path / "x" / "m5" / "datasets" / "b"), str(tmp_path / "m5" / "datasets" / "b"))
    with pytest.raises(SubmissionError, match=r"holds 2 study folders \(a, b\); review one study folder"):
        load_submission(tmp_path)
    assert load_submission(tmp_path / "m5" / "datasets" / "b").package.study_path == "."
    empty = tmp_path / "empty"
    (empty / "m5" / "datasets").mkdir(parents=True)
    with pytest.raises(SubmissionError, match="holds no study folder"):
        load_submission(empty)


def test_links_are_never_followed(tmp_path):
    outside = ectd(tmp_path / "elsewhere", "real")
    root = tmp_path / "pkg"
    (root / "m5" / "datasets").mkdir(parents=True)
    os.symlink(outside, root / "m5" / "datasets" / "linked")
    with pytest.raises(SubmissionError, match=r"no study folder \(1 symbolic link\(s\) not followed\)"):
        load_submission(root)
    secret = tmp_path / "secret.sas"
    secret.write_bytes(b"/* outside the package */\n")
    os.symlink(secret, outside / "analysis" / "adam" / "programs" / "linked.sas")
    os.symlink(tmp_path / "elsewhere", outside / "analysis" / "adam" / "programs" / "linked_dir")
    sub = load_submission(outside)
    assert "analysis/adam/programs/linked.sas" not in {f.path for f in sub.inputs}
    assert sub.package.programs == ["analysis/adam/programs/adsl.sas"]
    links = {i.path for i in sub.load_issues if i.reason.value == "symlink"}
    assert links == {"analysis/adam/programs/linked.sas", "analysis/adam/programs/linked_dir"}


def test_linked_sdtm_folder_is_not_followed(tmp_path):
    study = ectd(tmp_path)
    real = tmp_path / "real_sdtm"
    shutil.move(str(study / "tabulations" / "sdtm"), str(real))
    os.symlink(real, study / "tabulations" / "sdtm")
    with pytest.raises(SubmissionError, match="no readable dataset"):
        load_submission(study)


def test_today_layout_with_analysis_folder_is_a_package(tmp_path):
    path = write_study(make_package(clean_study()), tmp_path / "flat")
    sub = load_submission(path)
    assert sub.package.sdtm_folder == "tabulations" and sub.package.sdtm_define == "define.xml"
    assert sub.package.guides["SDRG"] == ["tabulations/csdrg.pdf"]
    plain = load_submission(write_study(clean_study(), tmp_path / "plain"))
    assert plain.package is None and plain.adam == {}


def _xpt(df: pd.DataFrame, path: Path, version: int = 5) -> None:
    import pyreadstat

    pyreadstat.write_xport(df, str(path), file_format_version=version, table_name=path.stem.upper()[:8])


def test_pkg001_names_format_and_size(tmp_path, monkeypatch):
    study = ectd(tmp_path)
    adam = study / "analysis" / "adam" / "datasets"
    _xpt(pd.DataFrame({"USUBJID": ["SCX-001-0001"], "AVAL": [1.0]}), adam / "adtte.xpt", version=8)
    (adam / "adsl_v2.xpt").write_bytes((adam / "adtte.xpt").read_bytes())
    sub = load_submission(tmp_path)
    run = run_checks(sub, only=["PKG-001", "TRC-007"])
    got = {(f.severity.value, f.record) for f in run.findings if f.check_id == "PKG-001"}
    assert ("major", "PATH=analysis/adam/datasets/adtte.xpt") in got                      # transport v8
    assert ("minor", "PATH=analysis/adam/datasets/adsl_v2.xpt") in got                    # name; not read
    msg = next(f for f in run.findings if f.record == "PATH=analysis/adam/datasets/adsl_v2.xpt" and
               f.severity.value == "minor")
    assert "not read" in msg.message_en and "未读取" in msg.message_zh
    assert not [f for f in run.findings if f.check_id == "TRC-007"]                       # one defect, one finding
    import workbench.checks.package as pkg_checks
    monkeypatch.setattr(pkg_checks, "MAX_FILE_BYTES", 100)
    big = {f.record for f in run_checks(sub, only=["PKG-001"]).findings if "4 GB" in f.message_en}
    assert big == {"PATH=tabulations/sdtm/ae.csv"}                                         # > 10 files: one finding


def test_adam_dates_are_read_whatever_the_form():
    import datetime as dt

    values = pd.Series([dt.date(2014, 1, 2), pd.Timestamp("2014-01-02 13:00"), 19725.0, 19725 * 86400.0 + 3600,
                        "2014-01-02", "2014-01", None, np.nan, "garbage"], dtype=object)
    days = adam_days(values)
    expected = float(np.datetime64("2014-01-02", "D").astype("int64"))
    assert list(days[:5]) == [expected] * 5
    assert np.isnan(days[5:]).all()
    dtm = adam_days(pd.Series(pd.to_datetime(["2014-01-02 23:59:59", None])))
    assert dtm[0] == expected and np.isnan(dtm[1])


def test_unreadable_adsl_is_trc007s_and_reconciliation_says_so(tmp_path):
    study = ectd(tmp_path)
    adam = study / "analysis" / "adam" / "datasets"
    (adam / "adsl.csv").unlink()
    (adam / "adsl.xpt").write_bytes(b"HEADER RECORD*******garbage" * 10)
    sub = load_submission(tmp_path)
    assert "ADSL" not in sub.adam
    run = run_checks(sub, only=["TRC-007", "PKG-002", "REC-001"])
    assert [f.record for f in run.findings if f.check_id == "TRC-007"] == ["PATH=analysis/adam/datasets/adsl.xpt"]
    assert not [f for f in run.findings if f.check_id == "PKG-002"]          # supplied, only unreadable
    rec = {r.check_id: r for r in run.results}["REC-001"]
    assert rec.status == "not_applicable" and "TRC-007" in rec.reason_en


def test_batch_names_a_package_after_its_study(tmp_path):
    from workbench.batch import submission_id_of

    ectd(tmp_path / "pkg", "scx001")
    (tmp_path / "pkg" / "m5" / "datasets" / "scx001" / "submission.yaml").unlink()
    assert submission_id_of(tmp_path / "pkg") == "scx001" == load_submission(tmp_path / "pkg").submission_id
