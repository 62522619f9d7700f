"""Bad files become load issues, never exceptions; inputs are never modified (submission-format.md)."""
from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pandas as pd
import pytest

from workbench import LoadReason, SubmissionError, load_submission

DM_CSV = "USUBJID,ARMCD,AGE\nS1-001,DL1,50\nS1-002,DL1,61\n"


@pytest.fixture
def sub_dir(tmp_path) -> Path:
    t = tmp_path / "tabulations"
    t.mkdir()
    (t / "dm.csv").write_text(DM_CSV)
    (tmp_path / "submission.yaml").write_text("submission_id: S1\nstudy:\n  design: single_arm\n")
    return tmp_path


def _reasons(sub):
    return {(i.path, i.reason) for i in sub.load_issues}


def test_corrupt_xpt_is_a_load_issue(sub_dir):
    (sub_dir / "tabulations" / "ae.xpt").write_bytes(b"HEADER RECORD*******LIBRARY" + os.urandom(300))
    sub = load_submission(sub_dir)
    assert ("tabulations/ae.xpt", LoadReason.CORRUPT) in _reasons(sub)
    assert "AE" not in sub.datasets and "DM" in sub.datasets
    # the corrupt file is still hashed as a submitted input
    assert any(f.path == "tabulations/ae.xpt" and f.sha256 for f in sub.inputs)


@pytest.mark.parametrize("ext", [".parquet", ".xlsx", ".sas7bdat"])
def test_corrupt_binary_formats(sub_dir, ext):
    (sub_dir / "tabulations" / f"lb{ext}").write_bytes(b"PK\x03\x04garbage" * 10)
    sub = load_submission(sub_dir)
    issue = next(i for i in sub.load_issues if i.path == f"tabulations/lb{ext}")
    assert issue.reason == LoadReason.CORRUPT and issue.domain == "LB"
    assert issue.detail_en and issue.detail_zh


def test_truncated_csv_keeps_good_rows_and_reports(sub_dir):
    (sub_dir / "tabulations" / "ae.csv").write_text("USUBJID,AESEQ,AETERM\nS1-001,1,Fever\nS1-001,2,Rash,extra,x\nS1-002,1,Hea")
    sub = load_submission(sub_dir)
    assert ("tabulations/ae.csv", LoadReason.CORRUPT) in _reasons(sub)
    assert sub.domain("AE")["AETERM"].tolist() == ["Fever", "Hea"]


def test_wrong_encoding_is_a_load_issue(sub_dir):
    (sub_dir / "tabulations" / "ae.csv").write_bytes(b"USUBJID,AETERM\nS1-001,\x80\xff\xfe\n")
    sub = load_submission(sub_dir)
    assert ("tabulations/ae.csv", LoadReason.ENCODING) in _reasons(sub)


def test_mixed_encodings_reported_and_decoded(sub_dir):
    data = "USUBJID,AETERM\n".encode() + "S1-001,头痛\n".encode("utf-8") + "S1-002,发热\n".encode("gb18030")
    (sub_dir / "tabulations" / "ae.csv").write_bytes(data)
    sub = load_submission(sub_dir)
    assert sub.domain("AE")["AETERM"].tolist() == ["头痛", "发热"]
    assert ("tabulations/ae.csv", LoadReason.ENCODING) in _reasons(sub)


def test_empty_file(sub_dir):
    (sub_dir / "tabulations" / "cm.csv").write_bytes(b"")
    sub = load_submission(sub_dir)
    assert ("tabulations/cm.csv", LoadReason.EMPTY) in _reasons(sub)


def test_duplicate_domain_is_reported_and_one_file_used(sub_dir):
    pd.DataFrame({"USUBJID": ["S1-009"], "ARMCD": ["DL1"]}).to_parquet(sub_dir / "tabulations" / "DM.parquet")
    sub = load_submission(sub_dir)
    issue = next(i for i in sub.load_issues if i.reason == LoadReason.DUPLICATE_DOMAIN)
    assert issue.domain == "DM" and "dm.csv" in issue.detail_en and "DM.parquet" in issue.detail_en
    assert sub.dataset_files["DM"] == "tabulations/DM.parquet"  # documented preference order
    assert {f.path for f in sub.inputs} >= {"tabulations/dm.csv", "tabulations/DM.parquet"}


def test_document_paths_confined(sub_dir, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("secret")
    docs = sub_dir / "documents"
    docs.mkdir()
    (docs / "protocol.txt").write_text("protocol v1")
    (docs / "link.txt").symlink_to(outside)
    (docs / "index.csv").write_text(
        "DOCID,DOCTYPE,PATH,SHA256\n"
        "D1,PROTOCOL,protocol.txt,\n"
        f"D2,CSR,../outside.txt,\n"
        f"D3,IB,{outside},\n"
        "D4,SAP,link.txt,\n"
        "D5,DMP,..\\..\\x.txt,\n"
        "D6,ICF_TEMPLATE,missing.txt,\n"
        "D7,CSR,C:/Windows/win.ini,\n")
    sub = load_submission(sub_dir)
    status = dict(zip(sub.documents["DOCID"], sub.documents["PATH_STATUS"]))
    assert status == {"D1": "ok", "D2": "outside", "D3": "outside", "D4": "outside", "D5": "outside",
                      "D6": "missing", "D7": "outside"}
    assert sub.documents.set_index("DOCID").loc["D1", "FILE_SHA256"] == hashlib.sha256(b"protocol v1").hexdigest()
    assert not any("secret" in f.path for f in sub.inputs)


def test_hostile_define_xml_refused(sub_dir):
    (sub_dir / "define.xml").write_text('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                                        "<ODM>&x;</ODM>")
    sub = load_submission(sub_dir)
    assert ("define.xml", LoadReason.UNSAFE_XML) in _reasons(sub)
    assert sub.define is None


def test_entity_expansion_define_refused(sub_dir):
    lol = '<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><ODM>&b;</ODM>'
    (sub_dir / "define.xml").write_text(lol)
    sub = load_submission(sub_dir)
    assert ("define.xml", LoadReason.UNSAFE_XML) in _reasons(sub)


def test_malformed_define_xml(sub_dir):
    (sub_dir / "define.xml").write_text("<ODM><unclosed></ODM>")
    assert ("define.xml", LoadReason.CORRUPT) in _reasons(load_submission(sub_dir))


def test_dataset_symlink_not_followed(sub_dir, tmp_path_factory):
    target = tmp_path_factory.mktemp("elsewhere") / "ae.csv"
    target.write_text("USUBJID\nX\n")
    (sub_dir / "tabulations" / "ae.csv").symlink_to(target)
    sub = load_submission(sub_dir)
    assert ("tabulations/ae.csv", LoadReason.LINK) in _reasons(sub)
    assert "AE" not in sub.datasets


def test_cmc_missing_columns(sub_dir):
    (sub_dir / "cmc").mkdir()
    (sub_dir / "cmc" / "batches.csv").write_text("LOT,STATUS\nL1,RELEASED\n")
    sub = load_submission(sub_dir)
    assert ("cmc/batches.csv", LoadReason.MISSING_COLUMNS) in _reasons(sub)
    assert sub.batches is None


@pytest.mark.parametrize("path,kind", [("missing-folder", "no such folder"), ("file", "not a folder"),
                                       ("empty", "no readable dataset")])
def test_unusable_inputs_raise_submission_error(tmp_path, path, kind):
    (tmp_path / "file").write_text("x")
    (tmp_path / "empty").mkdir()
    with pytest.raises(SubmissionError, match=kind):
        load_submission(tmp_path / path)


def test_loader_never_writes_into_the_submission(sub_dir):
    (sub_dir / "tabulations" / "ae.xpt").write_bytes(b"corrupt")
    (sub_dir / "define.xml").write_text("<bad")

    def snapshot():
        return {p: (p.stat().st_mtime_ns, hashlib.sha256(p.read_bytes()).hexdigest())
                for p in sub_dir.rglob("*") if p.is_file()}

    before = snapshot()
    load_submission(sub_dir)
    assert snapshot() == before
