"""Bare folders and hostile inputs become findings, never exceptions."""
from __future__ import annotations

import pyreadstat
import pytest
from factory import clean_study, load_study, write_study

from workbench import load_submission
from workbench.checks import run_checks


def _statuses(run):
    return {r.check_id: r for r in run.results}


def _no_errors(run):
    errors = [(r.check_id, r.reason_en) for r in run.results if r.status == "error"]
    assert errors == []


def test_bare_folder(tmp_path):
    study = clean_study()
    study.bare = True
    sub = load_study(study, tmp_path)
    assert sub.bare and sub.manifest is None
    run = run_checks(sub)
    _no_errors(run)
    ids = {(f.check_id, f.severity.value) for f in run.findings}
    assert ("MAN-001", "major") in ids
    assert ("TRC-001", "critical") in ids
    assert ("CMC-001", "critical") in ids  # EX has lots, no cmc/batches.csv
    assert ("EFF-001", "major") in ids
    man = [f for f in run.findings if f.check_id == "MAN-001"][0]
    assert "DL1" in man.message_en and "submission.yaml" in man.message_zh


def test_minimal_bare_folder_only_dm(tmp_path):
    (tmp_path / "dm.csv").write_text("USUBJID,AGE,SEX\nS1,40,F\nS2,,M\n", encoding="utf-8")
    run = run_checks(load_submission(tmp_path))
    _no_errors(run)
    ids = {f.check_id for f in run.findings}
    assert {"MAN-001", "TRC-001", "ADM-001", "SAF-001", "CON-001", "FUP-001", "SAF-008"} <= ids


def test_odd_values_never_raise(tmp_path):
    study = clean_study()
    t = study.tables
    for name in ("EX", "AE", "DM"):
        t[name] = t[name].astype(object)
    t["EX"].loc[0, "EXDOSE"] = "１.０"           # full-width digits
    t["EX"].loc[1, "EXDOSE"] = "lots"
    t["EX"].loc[2, "EXSTDTC"] = "2021-02"        # partial date: legal
    t["AE"].loc[0, "AESTDTC"] = "2021-13-45"     # malformed
    t["AE"].loc[1, "AETOXGR"] = "grade three"
    t["DM"].loc[0, "AGE"] = "forty"
    t["LB"] = t["LB"].drop(columns=["LBDTC", "LBBLFL"])
    t["VS"] = t["VS"].drop(columns=["USUBJID"])
    study.release.loc[study.release["LOTID"] == "L001", "RESULT"] = "n/a"
    study.manifest["study"]["arms"].append({"armcd": "DL9", "dose": 1, "dose_unit": "vials"})
    run = run_checks(load_study(study, tmp_path))
    _no_errors(run)
    trc3 = [f for f in run.findings if f.check_id == "TRC-003"]
    assert any(f.usubjid == "SCX-001-0001" and "2021-13-45" in f.message_en for f in trc3)
    assert not any("2021-02" in f.message_en for f in trc3)  # partial dates are not findings


def test_hostile_inputs(tmp_path):
    study = clean_study()
    study.define = ('<?xml version="1.0"?>\n<!DOCTYPE ODM [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
                    '<ODM><Study>&xxe;</Study></ODM>\n')
    study.add_doc("DEVIATION_LOG", DOCID="D666", PATH="../x")
    study.add_doc("DEVIATION_LOG", DOCID="D667", PATH="/etc/passwd")
    study.extra_files["tabulations/mh.xpt"] = b"\x00\x01not a transport file" * 50
    path = write_study(study, tmp_path / "hostile")
    pyreadstat.write_xport(study.tables["DM"].astype(str), str(path / "tabulations" / "DM.xpt"))
    sub = load_submission(path)
    run = run_checks(sub)
    _no_errors(run)
    trc7 = [f for f in run.findings if f.check_id == "TRC-007"]
    reasons = " ".join(f.message_en for f in trc7)
    assert "define.xml" in reasons and "unsafe_xml" in reasons
    assert "mh.xpt" in reasons and "corrupt" in reasons
    assert "duplicate_domain" in reasons
    assert all(f.severity.value == "major" and f.record.startswith("PATH=") for f in trc7)
    trc4 = {f.record: f.severity.value for f in run.findings if f.check_id == "TRC-004"}
    assert trc4.get("DOCID=D666") == "critical" and trc4.get("DOCID=D667") == "critical"
    # TRC-005 does not double-report the unreadable define.xml
    assert _statuses(run)["TRC-005"].status == "not_applicable"


@pytest.mark.parametrize("payload", [b"", b"\xff\xfe\x00garbage\x00" * 10])
def test_broken_dataset_files(tmp_path, payload):
    study = clean_study()
    study.extra_files["tabulations/cm.csv"] = payload  # replaces the clean CM
    sub = load_study(study, tmp_path)
    run = run_checks(sub)
    _no_errors(run)
    ids = {(f.check_id, f.severity.value) for f in run.findings}
    if payload:
        assert ("TRC-007", "major") in ids or ("CON-001", "critical") in ids
    else:
        assert ("TRC-007", "major") in ids and ("CON-001", "critical") in ids


JUNK = [None, "", "x", "９", "2021-99", "2021-02-30", -1, 0, "1e400", "NaN", "<>", "   ", "2021", "Y", "N"]


@pytest.mark.parametrize("seed", range(6))
def test_random_damage_never_raises(tmp_path, seed):
    """Randomly dropped columns and junk cells in every table: every check runs (pass, fail or n/a), none errors."""
    import numpy as np

    rng = np.random.default_rng(seed)
    study = clean_study()
    for name, df in list(study.tables.items()):
        df = df.astype(object)
        cols = [c for c in df.columns if rng.random() > 0.15]
        df = df[cols]
        for _ in range(max(1, len(df) // 4)):
            if len(df) and len(cols):
                df.iat[int(rng.integers(len(df))), int(rng.integers(len(cols)))] = JUNK[int(rng.integers(len(JUNK)))]
        study.tables[name] = df
    study.batches, study.release = study.batches.astype(object), study.release.astype(object)
    for frame in (study.batches, study.release):
        for _ in range(5):
            frame.iat[int(rng.integers(len(frame))), int(rng.integers(frame.shape[1]))] = JUNK[int(rng.integers(len(JUNK)))]
    for row in study.docs[: len(study.docs) // 3]:
        row[rng.choice(["DATE", "SITEID", "USUBJID", "LOTID", "DOCTYPE"])] = JUNK[int(rng.integers(len(JUNK)))]
    run = run_checks(load_study(study, tmp_path))
    _no_errors(run)
    assert len(run.results) >= 47
