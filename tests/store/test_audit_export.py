"""`workbench audit SUBMISSION_ID --out FILE.csv|.pdf`: what an inspector reads - every decision and sign-off
with printed name, identity, time with zone and meaning, the role changes, the chain head hash and the
verification result. The PDF's text is read back (pdftotext, else pypdf)."""
from __future__ import annotations

import csv
import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.store import DecisionStore, Identity

IN1 = hashlib.sha256(b"inputs").hexdigest()
RU1 = hashlib.sha256(b"rules").hexdigest()
SID = "SCX-2026-011"
H = "header:X-Remote-User"
ROLES = {"identities": {"alice": {"role": "reviewer", "name": "王审评 Alice Wang"},
                        "bob": {"role": "lead", "name": "李组长 Bob Li"}}}


@pytest.fixture
def filled(store_url):
    with DecisionStore(store_url) as s:
        s.apply_roles(ROLES)
        s.record_decision(SID, IN1, RU1, Identity("alice", H), "override", tier="T2", proposed="T3",
                          reason="=HYPERLINK(\"x\") 单臂研究样本量不足")            # a formula-looking reason
        s.record_decision(SID, IN1, RU1, Identity("bob", H), "signoff", comment="同意改判")
        s.record_decision("OTHER-9", IN1, RU1, Identity("alice", H), "confirm", proposed="T1")
        v = s.verify_chain()
    return store_url, v


def _csv(path: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")                       # UTF-8 BOM: spreadsheets show the Chinese
    lines = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    blank = lines.index([])
    meta = {row[0]: row[1] for row in lines[:blank]}
    heads = lines[blank + 1]
    return meta, [dict(zip(heads, row)) for row in lines[blank + 2:]]


def test_csv_export(filled, tmp_path, capsys):
    url, v = filled
    out = tmp_path / "audit.csv"
    assert main(["audit", SID, "--db-url", url, "--out", str(out), "--tz", "Asia/Shanghai"]) == 0
    assert v.head_hash in capsys.readouterr().out
    meta, rows = _csv(out)
    assert meta["审计链末条哈希 / Chain head hash"] == v.head_hash and meta["审计链末条序号 / Chain head seq"] == "5"
    assert meta["审计链校验 / Chain verification"].startswith("通过 / verified (5 entries)")
    assert meta["申报编号 / Submission"] == SID
    assert [r["序号 / #"] for r in rows] == ["1", "2", "3", "4"]           # two role entries, then SCX's two
    decision, signoff = rows[2], rows[3]
    assert (decision["签名人姓名 / Printed name"], decision["身份 / Identity"]) == ("王审评 Alice Wang", "alice")
    assert (signoff["签名人姓名 / Printed name"], signoff["身份 / Identity"]) == ("李组长 Bob Li", "bob")
    assert signoff["含义 / Meaning"] == "签署（批准结论 #3：T2） / Sign-off (approves decision #3: T2)"
    assert decision["含义 / Meaning"] == "改判（建议 T3，定为 T2） / Override (proposed T3, decided T2)"
    assert signoff["身份来源 / Identity source"].startswith("header:X-Remote-User（认证代理请求头")
    assert all(r["时间（含时区） / Time (with zone)"].endswith("+08:00 (Asia/Shanghai)") for r in rows)
    assert rows[0]["含义 / Meaning"].startswith("角色变更：alice (王审评 Alice Wang) → 审评员")
    assert decision["理由或意见 / Reason or comment"].startswith("'=HYPERLINK")     # not run as a formula
    with DecisionStore(url) as s:
        hashes = [e.entry_hash for e in s.entries() if e.submission_id in (SID, "(roles)")]
    assert [r["记录哈希 / Entry hash"] for r in rows] == hashes
    assert "OTHER-9" not in out.read_text(encoding="utf-8-sig")


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext"):
        return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                              check=True).stdout
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(str(path)).pages).replace("\x00", "")


def test_pdf_export_renders_chinese_with_an_embedded_font(filled, tmp_path):
    url, v = filled
    out = tmp_path / "audit.pdf"
    assert main(["audit", SID, "--db-url", url, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF-")
    text = " ".join(_pdf_text(out).split())
    for expected in ("审评审计记录 / Audit trail", SID, v.head_hash, "通过 / verified", "王审评 Alice Wang", "李组长 Bob Li",
                     "alice", "bob", "+00:00 (UTC)", "Sign-off", "签署", "改判", "header:X-Remote-User"):
        assert expected in text, expected
    from pypdf import PdfReader

    fonts = [f for page in PdfReader(str(out)).pages for f in page["/Resources"]["/Font"].values()]
    descendant = fonts[0].get_object()["/DescendantFonts"][0].get_object()
    assert any(k in descendant["/FontDescriptor"] for k in ("/FontFile2", "/FontFile3"))   # embedded, not assumed


def test_broken_chain_is_exported_as_failed(filled, tmp_path, capsys):
    url, _ = filled
    from sqlalchemy import create_engine, text
    eng = create_engine(url)
    with eng.begin() as conn:                                    # an attacker with owner rights
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("DROP TRIGGER wb_decision_log_no_update")
        else:
            conn.exec_driver_sql("ALTER TABLE wb_decision_log DISABLE TRIGGER wb_decision_log_no_change")
        conn.execute(text("UPDATE wb_decision_log SET identity = 'carol' WHERE seq = 4"))
    eng.dispose()
    out = tmp_path / "audit.csv"
    assert main(["audit", SID, "--db-url", url, "--out", str(out)]) == 3
    assert "verification FAILED" in capsys.readouterr().err
    meta, _ = _csv(out)
    assert meta["审计链校验 / Chain verification"] == ("失败 / FAILED: entry 4: content does not match its "
                                                   "entry_hash (entry edited)")


@pytest.mark.parametrize("argv_tail,message", [
    (["--out", "x.txt"], "must end in .csv or .pdf"),
    (["--out", "x.csv", "--tz", "Mars/Olympus"], "unknown time zone"),
])
def test_bad_arguments(filled, tmp_path, capsys, argv_tail, message):
    url, _ = filled
    outdir = tmp_path / "out"
    argv_tail = [str(outdir / a) if a.startswith("x.") else a for a in argv_tail]
    assert main(["audit", SID, "--db-url", url, *argv_tail]) == 2
    assert message in capsys.readouterr().err and not outdir.exists()


def test_unknown_submission_writes_nothing(filled, tmp_path, capsys):
    url, _ = filled
    assert main(["audit", "NOPE-1", "--db-url", url, "--out", str(tmp_path / "a.csv")]) == 2
    assert "no entry for NOPE-1" in capsys.readouterr().err and not (tmp_path / "a.csv").exists()
