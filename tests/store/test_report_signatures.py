"""report.html shows the decisions and sign-offs (printed name, identity, time with zone, meaning) with the
audit chain's head hash: `workbench review --db-url` and the app's export."""
from __future__ import annotations

import base64
import re
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.review import run_review
from workbench.store import DecisionStore, Identity

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "bare-sdtm"
H = "header:X-Remote-User"


@pytest.fixture(scope="module")
def review():
    return run_review(SAMPLE)


@pytest.fixture
def decided(review, tmp_path):
    url = f"sqlite:///{tmp_path / 'd.sqlite'}"
    sub = review.submission
    rules = getattr(review.rules, "sha256", None) or "0" * 64
    with DecisionStore(url) as s:
        s.apply_roles({"identities": {"alice": {"role": "reviewer", "name": "王审评"}, "bob": "lead"}})
        s.record_decision(sub.submission_id, sub.input_sha256, rules, Identity("alice", H), "confirm",
                          proposed=review.tier.to_dict()["proposed"])
        s.record_decision(sub.submission_id, sub.input_sha256, rules, Identity("bob", H), "signoff")
        head = s.verify_chain().head_hash
    return url, head


def _section(html: str) -> str:
    m = re.search(r'<h2 id="signatures">.*?(?=<h2>)', html, re.S)
    assert m, "no decisions-and-signatures section"
    return m.group(0)


def test_review_with_db_url_shows_signatures(review, decided, tmp_path):
    url, head = decided
    assert main(["review", str(SAMPLE), "--out", str(tmp_path / "out"), "--db-url", url, "--lang", "en"]) == 0
    section = _section((tmp_path / "out" / "report.html").read_text(encoding="utf-8"))
    for text in ("Decisions and signatures", "审评结论与签署", "王审评", "alice", "bob", head, "verified",
                 f"Confirm (accepts the proposed tier {review.tier.to_dict()['proposed']})", "Sign-off (approves decision #3",
                 "+00:00 (UTC)", "header:X-Remote-User"):
        assert text in section, text
    assert "角色变更" not in section                  # role changes belong to the audit export, not the report


def test_review_without_db_url_has_no_signature_section(tmp_path):
    assert main(["review", str(SAMPLE), "--out", str(tmp_path / "out")]) == 0
    assert 'id="signatures"' not in (tmp_path / "out" / "report.html").read_text(encoding="utf-8")


def test_app_export_report_carries_the_signatures(review, decided):
    from widgets.app import export_widget

    url, head = decided
    with DecisionStore(url) as store:
        box = export_widget(review, "zh", lambda: store)
        box.children[0].click()
    href = re.search(r"href='data:text/html;base64,([^']+)'", box.children[1].value).group(1)
    section = _section(base64.b64decode(href).decode("utf-8"))
    assert "王审评" in section and "bob" in section and head in section


def test_review_docx_carries_the_signatures(tmp_path, review, decided):
    """review.docx, like report.html, shows who decided and signed (printed name, identity, meaning) and the
    chain head, in the report's language."""
    from docx import Document

    url, head = decided
    assert main(["review", str(SAMPLE), "--out", str(tmp_path / "out"), "--db-url", url, "--lang", "en",
                 "--no-images"]) == 0
    word = Document(str(tmp_path / "out" / "review.docx"))
    text = "\n".join(p.text for p in word.paragraphs)
    assert "Decisions and signatures" in text and head in text and "verified" in text
    cells = [c.text for t in word.tables for row in t.rows for c in row.cells]
    for expected in ("王审评", "alice", "bob", "header:X-Remote-User", "Printed name"):
        assert any(expected in c for c in cells), expected
    assert any(c.startswith("Sign-off (approves decision #3") for c in cells)
    assert main(["review", str(SAMPLE), "--out", str(tmp_path / "plain"), "--no-images"]) == 0
    plain = "\n".join(p.text for p in Document(str(tmp_path / "plain" / "review.docx")).paragraphs)
    assert "Decisions and signatures" not in plain
