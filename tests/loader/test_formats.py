"""The loader reads every dataset format and CSV encoding of submission-format.md."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from workbench import load_submission

DM = pd.DataFrame({"STUDYID": ["S1"] * 3, "DOMAIN": ["DM"] * 3, "USUBJID": ["S1-001", "S1-002", "S1-003"],
                   "AGE": [54.0, 61.0, 47.0], "SEX": ["M", "F", "F"], "ARMCD": ["DL1", "DL1", "DL2"]})


def _write(folder: Path, name: str, df: pd.DataFrame, **kw) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    ext = path.suffix.lower()
    if ext == ".xpt":
        pyreadstat.write_xport(df, str(path), file_format_version=kw.get("version", 5), table_name=path.stem.upper())
    elif ext == ".parquet":
        df.to_parquet(path)
    elif ext == ".xlsx":
        df.to_excel(path, index=False)
    elif ext == ".csv":
        path.write_bytes(kw.get("prefix", b"") + df.to_csv(index=False).encode(kw.get("encoding", "utf-8")))
    return path


@pytest.mark.parametrize("name,kw", [("dm.xpt", {"version": 5}), ("DM.xpt", {"version": 8}), ("dm.parquet", {}),
                                     ("dm.xlsx", {}), ("dm.csv", {}), ("Dm.CSV", {"prefix": b"\xef\xbb\xbf"})])
def test_each_format_loads_dm(tmp_path, name, kw):
    _write(tmp_path / "tabulations", name, DM, **kw)
    sub = load_submission(tmp_path)
    assert sub.load_issues == []
    dm = sub.domain("dm")
    assert list(dm["USUBJID"]) == ["S1-001", "S1-002", "S1-003"]
    assert sub.dataset_files["DM"] == f"tabulations/{name}"
    inv = sub.inventory()
    row = inv[inv.domain == "DM"].iloc[0]
    assert row.rows == 3 and row.subjects == 3
    assert row.sha256 == hashlib.sha256((tmp_path / "tabulations" / name).read_bytes()).hexdigest()


@pytest.mark.parametrize("encoding,expected", [("utf-8", "utf-8"), ("gb18030", "gb18030"), ("gbk", "gb18030")])
def test_csv_encodings_detected_and_recorded(tmp_path, encoding, expected):
    ae = pd.DataFrame({"USUBJID": ["S1-001", "S1-002"], "AESEQ": ["1", "1"], "AETERM": ["头痛", "注射部位疼痛"]})
    _write(tmp_path / "tabulations", "dm.csv", DM)
    _write(tmp_path / "tabulations", "ae.csv", ae, encoding=encoding)
    sub = load_submission(tmp_path)
    assert list(sub.domain("AE")["AETERM"]) == ["头痛", "注射部位疼痛"]
    enc = {f.path: f.encoding for f in sub.inputs}
    assert enc["tabulations/ae.csv"] == expected


def test_bom_is_recorded(tmp_path):
    _write(tmp_path / "tabulations", "dm.csv", DM, prefix=b"\xef\xbb\xbf")
    sub = load_submission(tmp_path)
    assert sub.inputs[0].encoding == "utf-8-sig"
    assert "STUDYID" in sub.domain("DM").columns  # BOM not glued to the first column name


def test_lower_case_variables_normalised_and_text_stripped(tmp_path):
    df = pd.DataFrame({"usubjid": [" S1-001 ", "S1-002"], "armcd": ["DL1", ""]})
    _write(tmp_path / "tabulations", "dm.csv", df)
    dm = load_submission(tmp_path).domain("DM")
    assert list(dm.columns) == ["USUBJID", "ARMCD"]
    assert dm["USUBJID"].tolist() == ["S1-001", "S1-002"]
    assert dm["ARMCD"].tolist()[1] is None


def test_supp_merged_onto_parent_records(tmp_path):
    ae = pd.DataFrame({"USUBJID": ["S1-001", "S1-001", "S1-002"], "AESEQ": [1.0, 2.0, 1.0],
                       "AETERM": ["Fever", "Rash", "Headache"]})
    supp = pd.DataFrame({"STUDYID": ["S1"] * 3, "RDOMAIN": ["AE"] * 3, "USUBJID": ["S1-001", "S1-002", "S1-001"],
                         "IDVAR": ["AESEQ"] * 3, "IDVARVAL": ["2", "1", "2"],
                         "QNAM": ["AEDLT", "AEDLT", "AETRTEM"], "QLABEL": ["DLT", "DLT", "TE"], "QVAL": ["Y", "N", "Y"]})
    suppdm = pd.DataFrame({"RDOMAIN": ["DM"], "USUBJID": ["S1-003"], "IDVAR": [""], "IDVARVAL": [""],
                           "QNAM": ["RACEOTH"], "QVAL": ["Han"]})
    t = tmp_path / "tabulations"
    _write(t, "dm.xpt", DM)
    _write(t, "ae.xpt", ae)
    _write(t, "suppae.csv", supp)
    _write(t, "suppdm.csv", suppdm)
    sub = load_submission(tmp_path)
    merged = sub.domain("AE").set_index(["USUBJID", "AESEQ"])
    assert merged.loc[("S1-001", 2.0), "AEDLT"] == "Y"
    assert merged.loc[("S1-001", 2.0), "AETRTEM"] == "Y"
    assert merged.loc[("S1-002", 1.0), "AEDLT"] == "N"
    assert pd.isna(merged.loc[("S1-001", 1.0), "AEDLT"])
    assert len(sub.domain("AE")) == 3  # merge never duplicates parent records
    assert sub.domain("DM").set_index("USUBJID").loc["S1-003", "RACEOTH"] == "Han"
    assert "SUPPAE" in sub.supp and "SUPPAE" not in sub.datasets


def test_bare_sdtm_folder(tmp_path):
    _write(tmp_path, "dm.xpt", DM)
    _write(tmp_path, "ae.xpt", pd.DataFrame({"USUBJID": ["S1-001"], "AESEQ": [1.0]}))
    (tmp_path / "README.txt").write_text("not a dataset")
    sub = load_submission(tmp_path)
    assert sub.bare and sub.manifest is None
    assert set(sub.datasets) == {"DM", "AE"}
    assert sub.submission_id == tmp_path.name


def test_input_hash_is_stable_and_sensitive(tmp_path):
    _write(tmp_path / "tabulations", "dm.csv", DM)
    h1 = load_submission(tmp_path).input_sha256
    assert load_submission(tmp_path).input_sha256 == h1
    _write(tmp_path / "tabulations", "dm.csv", DM.assign(AGE=[54.0, 61.0, 48.0]))
    assert load_submission(tmp_path).input_sha256 != h1


def test_define_xml_variables(tmp_path):
    _write(tmp_path / "tabulations", "dm.csv", DM)
    (tmp_path / "define.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?><ODM xmlns="http://www.cdisc.org/ns/odm/v1.3"><Study><MetaDataVersion>'
        '<ItemGroupDef OID="IG.DM" Name="DM"><ItemRef ItemOID="IT.DM.USUBJID"/><ItemRef ItemOID="IT.DM.AGE"/>'
        '</ItemGroupDef><ItemDef OID="IT.DM.USUBJID" Name="USUBJID"/><ItemDef OID="IT.DM.AGE" Name="AGE"/>'
        '</MetaDataVersion></Study></ODM>')
    sub = load_submission(tmp_path)
    assert sub.define == {"DM": {"USUBJID", "AGE"}}


SAS7BDAT = Path(__file__).parent / "data" / "sas7bdat"   # written by ReadStat (make.py), not by this project


def test_real_sas7bdat_files_load_like_their_xpt_originals(tmp_path):
    """DM, AE and EX of the bare sample as real SAS7BDAT files give the same tables, findings and tier as the XPT."""
    import shutil

    from workbench.review import run_review

    bare = Path(__file__).resolve().parents[2] / "sample_data" / "bare-sdtm"
    xpt, sas = tmp_path / "xpt", tmp_path / "sas"
    for folder, ext, src in ((xpt, "xpt", bare), (sas, "sas7bdat", SAS7BDAT)):
        folder.mkdir()
        for dom in ("dm", "ae", "ex"):
            shutil.copy(src / f"{dom}.{ext}", folder / f"{dom}.{ext}")
    a, b = load_submission(xpt), load_submission(sas)
    assert b.load_issues == []
    assert b.dataset_files == {"DM": "dm.sas7bdat", "AE": "ae.sas7bdat", "EX": "ex.sas7bdat"}
    for dom in ("DM", "AE", "EX"):
        pd.testing.assert_frame_equal(a.domain(dom), b.domain(dom))
    rows = {f.path: f.rows for f in b.inputs}
    assert rows == {"dm.sas7bdat": 18, "ae.sas7bdat": 91, "ex.sas7bdat": 16}
    assert {f.path: f.sha256 for f in b.inputs}["ae.sas7bdat"] == \
        hashlib.sha256((SAS7BDAT / "ae.sas7bdat").read_bytes()).hexdigest()
    # pandas' own SAS reader (independent of ReadStat) sees the same records
    assert len(pd.read_sas(SAS7BDAT / "ae.sas7bdat", encoding="utf-8")) == len(b.domain("AE"))
    ra, rb = run_review(xpt), run_review(sas)
    key = lambda f: (f.check_id, f.usubjid or "", (f.record or "").replace(".sas7bdat", ".xpt"), f.severity)  # noqa: E731
    assert sorted(map(key, ra.findings)) == sorted(map(key, rb.findings))
    assert ra.tier.proposed == rb.tier.proposed
