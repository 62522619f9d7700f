"""A store made before identities were recorded (chain version 1) is upgraded in place: nothing lost, nothing
re-hashed, old entries show identity source "unrecorded"; on SQLite and PostgreSQL.

The old store is built here exactly as the earlier code built it: its tables, triggers, head row, and entries
hashed over the ten version-1 fields.
"""
from __future__ import annotations

import hashlib
import json

import pytest
from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, create_engine, select, text

from workbench.store import DecisionError, DecisionStore, Identity, signature_rows

IN1 = hashlib.sha256(b"inputs").hexdigest()
RU1 = hashlib.sha256(b"rules").hexdigest()
H = "header:X-Remote-User"
V1_FIELDS = ("recorded_at", "submission_id", "input_sha256", "rules_sha256", "reviewer", "action", "tier",
             "proposed", "reason", "comment")


def _v1_hash(seq: int, prev: str, content: dict) -> str:
    """The earlier code's entry hash, written out here (not imported) so the test pins the old format."""
    doc = {"v": 1, "seq": seq, "prev_hash": prev, "content": {k: content.get(k) for k in V1_FIELDS}}
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                                     allow_nan=False).encode("utf-8")).hexdigest()


def _old_schema():
    md = MetaData()
    log = Table("wb_decision_log", md,
                Column("seq", Integer, primary_key=True, autoincrement=False),
                Column("recorded_at", String(40), nullable=False),
                Column("submission_id", String(200), nullable=False),
                Column("input_sha256", String(64), nullable=False),
                Column("rules_sha256", String(64), nullable=False),
                Column("reviewer", String(200), nullable=False),
                Column("action", String(16), nullable=False),
                Column("tier", String(4)), Column("proposed", String(4)), Column("reason", Text),
                Column("comment", Text),
                Column("prev_hash", String(64), nullable=False, unique=True),
                Column("entry_hash", String(64), nullable=False, unique=True),
                Index("ix_wb_decision_log_submission", "submission_id", "seq"))
    head = Table("wb_decision_head", md,
                 Column("id", Integer, primary_key=True, autoincrement=False),
                 Column("seq", Integer, nullable=False), Column("entry_hash", String(64), nullable=False),
                 Column("chain_version", Integer, nullable=False))
    return md, log, head


OLD_ENTRIES = [
    dict(submission_id="S-OLD", reviewer="王审评", action="confirm", tier="T3", proposed="T3"),
    dict(submission_id="S-OLD", reviewer="王审评", action="override", tier="T2", proposed="T3", reason="样本量不足"),
    dict(submission_id="S-OLD", reviewer="李组长", action="signoff", tier="T2", proposed="T3"),
    dict(submission_id="S-OTHER", reviewer="赵", action="comment", comment="旧意见"),
]


def make_old_store(url: str) -> list[dict]:
    """The tables, triggers and entries the earlier code wrote; returns the rows as stored."""
    md, log, head = _old_schema()
    eng = create_engine(url)
    rows, prev = [], "0" * 64
    with eng.begin() as conn:
        md.create_all(conn)
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("CREATE TRIGGER wb_decision_log_no_update BEFORE UPDATE ON wb_decision_log "
                                 "BEGIN SELECT RAISE(ABORT, 'wb_decision_log is append-only'); END")
        else:
            conn.exec_driver_sql("CREATE OR REPLACE FUNCTION wb_decision_log_append_only() RETURNS trigger "
                                 "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'wb_decision_log is append-only'; "
                                 "END $$")
            conn.exec_driver_sql("CREATE TRIGGER wb_decision_log_no_change BEFORE UPDATE OR DELETE ON "
                                 "wb_decision_log FOR EACH ROW EXECUTE FUNCTION wb_decision_log_append_only()")
        for seq, e in enumerate(OLD_ENTRIES, 1):
            content = {k: None for k in V1_FIELDS} | e | {
                "recorded_at": f"2025-03-0{seq}T08:00:00.000000+00:00", "input_sha256": IN1, "rules_sha256": RU1}
            h = _v1_hash(seq, prev, content)
            row = {**content, "seq": seq, "prev_hash": prev, "entry_hash": h}
            conn.execute(log.insert().values(**row))
            rows.append(row)
            prev = h
        conn.execute(head.insert().values(id=1, seq=len(rows), entry_hash=prev, chain_version=1))
    eng.dispose()
    return rows


def _raw(url: str) -> list[dict]:
    eng = create_engine(url)
    _, log, _ = _old_schema()
    with eng.connect() as conn:
        rows = [dict(r) for r in conn.execute(select(log).order_by(log.c.seq)).mappings()]
    eng.dispose()
    return rows


def test_old_store_upgrades_without_losing_or_rehashing(store_url):
    old = make_old_store(store_url)
    with DecisionStore(store_url) as s:
        entries = s.entries()
        v = s.verify_chain()
        assert v.ok, v.problems
        assert [e.entry_hash for e in entries] == [r["entry_hash"] for r in old]          # not re-hashed
        assert [(e.reviewer, e.action, e.tier, e.reason, e.comment) for e in entries] == [
            (r["reviewer"], r["action"], r["tier"], r["reason"], r["comment"]) for r in old]
        assert {(e.identity, e.identity_source, e.chain_version) for e in entries} == {(None, "unrecorded", 1)}
        rows = signature_rows(entries, "en")
        assert [r["identity"] for r in rows] == ["—"] * 4
        assert all(r["identity_source"] == "unrecorded (not recorded)" for r in rows)
        assert s.current("S-OLD", IN1, RU1).signed_off                   # the old sign-off still counts
        # new entries are recorded with identities and chain on from the old head
        s.apply_roles({"identities": {"alice": "reviewer", "bob": "lead"}})
        new = s.record_decision("S-OLD", IN1, RU1, Identity("bob", H), "comment", comment="升级后")
        assert (new.chain_version, new.identity, new.prev_hash != old[-1]["entry_hash"]) == (2, "bob", True)
        assert s.verify_chain().ok
    assert _raw(store_url)[:4] == old                                    # stored old rows byte for byte
    eng = create_engine(store_url)
    with eng.connect() as conn:
        assert conn.execute(text("SELECT chain_version FROM wb_decision_head")).scalar() == 2
    eng.dispose()


def test_unrecorded_decision_must_be_decided_again_before_signoff(store_url):
    make_old_store(store_url)
    with DecisionStore(store_url) as s:
        s.apply_roles({"identities": {"alice": "reviewer", "bob": "lead"}})
        with pytest.raises(DecisionError) as exc:
            s.record_decision("S-OLD", IN1, RU1, Identity("bob", H), "signoff")
        assert "before identities were recorded" in exc.value.message_en and "四眼" in exc.value.message_zh
        d = s.record_decision("S-OLD", IN1, RU1, Identity("alice", H), "override", tier="T2", proposed="T3",
                              reason="复核后维持改判")
        assert s.record_decision("S-OLD", IN1, RU1, Identity("bob", H), "signoff").signs_hash == d.entry_hash


def test_upgrade_is_idempotent_and_keeps_the_triggers(store_url):
    make_old_store(store_url)
    for _ in range(2):
        DecisionStore(store_url).close()
    eng = create_engine(store_url)
    try:
        with pytest.raises(Exception, match="append-only"):
            with eng.begin() as conn:
                conn.execute(text("UPDATE wb_decision_log SET tier = 'T4' WHERE seq = 1"))
    finally:
        eng.dispose()
    with DecisionStore(store_url) as s:
        assert s.verify_chain().ok and len(s.entries()) == 4


def test_an_old_writer_after_the_upgrade_is_reported(store_url):
    """An earlier workbench still running against the upgraded store would write entries without identity
    (and without the four-eyes check): the chain stays intact but verification names them."""
    make_old_store(store_url)
    with DecisionStore(store_url) as s:
        e = s.record_decision("S-OLD", IN1, RU1, "王审评", "comment", comment="new code")
    content = {k: None for k in V1_FIELDS} | {
        "recorded_at": "2026-01-01T00:00:00.000000+00:00", "submission_id": "S-OLD", "input_sha256": IN1,
        "rules_sha256": RU1, "reviewer": "anyone", "action": "signoff", "tier": "T2", "proposed": "T3"}
    h = _v1_hash(e.seq + 1, e.entry_hash, content)
    eng = create_engine(store_url)
    with eng.begin() as conn:                                            # what the old _append did
        _, log, head = _old_schema()
        conn.execute(log.insert().values(**content, seq=e.seq + 1, prev_hash=e.entry_hash, entry_hash=h))
        conn.execute(head.update().values(seq=e.seq + 1, entry_hash=h))
    eng.dispose()
    with DecisionStore(store_url) as s:
        v = s.verify_chain()
    assert not v.ok and v.problems == [f"entry {e.seq + 1}: written without an identity (chain version 1) after "
                                       f"the store was upgraded at seq {e.seq} (an old workbench version, or "
                                       f"written outside the store)"]
