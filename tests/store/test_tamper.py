"""Tampering with the database behind the store's back is detected by verify_chain()."""
from __future__ import annotations

import hashlib
import sqlite3

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workbench.store import DecisionStore, Identity, StoreError, entry_hash

IN1 = hashlib.sha256(b"in").hexdigest()
RU1 = hashlib.sha256(b"ru").hexdigest()


@pytest.fixture
def filled(store_url):
    s = DecisionStore(store_url)
    s.record_decision("S-1", IN1, RU1, "王", "confirm", proposed="T3")
    s.record_decision("S-1", IN1, RU1, "王", "override", tier="T2", proposed="T3", reason="理由一")
    s.record_decision("S-2", IN1, RU1, "李", "confirm", proposed="T1")
    s.record_decision("S-1", IN1, RU1, Identity("zhao", "header:X-Remote-User", "赵"), "comment", comment="看过")
    s.record_decision("S-2", IN1, RU1, "李", "comment", comment="备注")
    assert s.verify_chain().ok
    yield s
    s.close()


def tamper(url: str, *statements: str, params: dict | None = None) -> None:
    """Edit the database directly, the way someone with file/server access could (triggers dropped first)."""
    if url.startswith("sqlite"):
        con = sqlite3.connect(make_url(url).database)
        try:
            con.execute("DROP TRIGGER IF EXISTS wb_decision_log_no_update")
            con.execute("DROP TRIGGER IF EXISTS wb_decision_log_no_delete")
            for sql in statements:
                con.execute(sql, params or {})
            con.commit()
        finally:
            con.close()
        return
    eng = create_engine(url)
    try:
        with eng.begin() as conn:
            conn.execute(text("ALTER TABLE wb_decision_log DISABLE TRIGGER USER"))
            for sql in statements:
                conn.execute(text(sql), params or {})
    finally:
        eng.dispose()


def test_edited_entry_detected(filled, store_url):
    tamper(store_url, "UPDATE wb_decision_log SET tier = 'T4' WHERE seq = 2")
    v = filled.verify_chain()
    assert not v.ok and v.problems == ["entry 2: content does not match its entry_hash (entry edited)"]


def test_edited_entry_with_recomputed_hash_breaks_the_next_link(filled, store_url):
    e2 = filled.history("S-1")[1]
    forged = {**e2.content(), "reason": "改过的理由"}
    new_hash = entry_hash(2, e2.prev_hash, forged)
    tamper(store_url, "UPDATE wb_decision_log SET reason = :r, entry_hash = :h WHERE seq = 2",
           params={"r": "改过的理由", "h": new_hash})
    v = filled.verify_chain()
    assert not v.ok
    assert any(p.startswith("entry 3: prev_hash does not match") for p in v.problems)
    assert not any(p.startswith("entry 2:") for p in v.problems)     # entry 2 itself is self-consistent now


def test_deleted_entry_detected(filled, store_url):
    tamper(store_url, "DELETE FROM wb_decision_log WHERE seq = 3")
    v = filled.verify_chain()
    assert not v.ok and v.entries == 4
    assert "entry seq 3 missing: gap before seq 4 (deleted entry?)" in v.problems
    assert any(p.startswith("entry 4: prev_hash does not match") for p in v.problems)


def test_reordered_entries_detected(filled, store_url):
    tamper(store_url, "UPDATE wb_decision_log SET seq = -1 WHERE seq = 2",
           "UPDATE wb_decision_log SET seq = 2 WHERE seq = 3",
           "UPDATE wb_decision_log SET seq = 3 WHERE seq = -1")
    v = filled.verify_chain()
    assert not v.ok
    assert "entry 2: content does not match its entry_hash (entry edited)" in v.problems
    assert "entry 3: content does not match its entry_hash (entry edited)" in v.problems
    assert any(p.startswith("entry 2: prev_hash") for p in v.problems)


def test_truncated_tail_detected_and_appends_refused(filled, store_url):
    tamper(store_url, "DELETE FROM wb_decision_log WHERE seq = 5")
    v = filled.verify_chain()
    assert not v.ok and v.entries == 4 and v.head_seq == 5
    assert v.problems == ["head records 5 entries but the log ends at seq 4 (tail truncated: entries 5–5 missing)"]
    with pytest.raises(StoreError, match="inconsistent"):
        filled.record_decision("S-1", IN1, RU1, "王", "comment", comment="after truncation")


def test_untouched_store_verifies(filled):
    v = filled.verify_chain()
    assert v.ok and v.problems == [] and v.entries == 5 and v.head_seq == 5


@pytest.mark.parametrize("sql", [
    "UPDATE wb_decision_log SET identity = 'someone-else' WHERE seq = 4",         # who signed, rewritten
    "UPDATE wb_decision_log SET identity_source = 'local' WHERE seq = 4",
    "UPDATE wb_decision_log SET reviewer = '钱' WHERE seq = 4",                     # the printed name
    "UPDATE wb_decision_log SET chain_version = NULL WHERE seq = 4",               # hide the identity from the hash
])
def test_edited_identity_detected(filled, store_url, sql):
    tamper(store_url, sql)
    v = filled.verify_chain()
    assert not v.ok and "entry 4: content does not match its entry_hash (entry edited)" in v.problems
