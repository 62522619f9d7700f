"""Recording decisions: validation, history, the decision in force, staleness — on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import re

import pytest

from workbench.store import Action, DecisionError, DecisionStore, Identity, entry_hash

IN1 = hashlib.sha256(b"inputs v1").hexdigest()
IN2 = hashlib.sha256(b"inputs v2").hexdigest()
RU1 = hashlib.sha256(b"rules default").hexdigest()
RU2 = hashlib.sha256(b"rules strict").hexdigest()
SID = "SCX-2026-001"
_ZH = re.compile(r"[\u4e00-\u9fff]")
WANG = Identity("wang", "header:X-Remote-User", "王审评")
LI = Identity("li", "header:X-Remote-User")
ROLES = {"identities": {"wang": "reviewer", "li": {"role": "lead", "name": "李组长"}}}


@pytest.fixture
def store(store_url):
    s = DecisionStore(store_url)
    yield s
    s.close()


def _bilingual(exc: DecisionError) -> None:
    assert exc.message_en and exc.message_zh and _ZH.search(exc.message_zh)
    assert exc.message_en in str(exc) and exc.message_zh in str(exc)


@pytest.mark.parametrize("reason", [None, "", "   \n"])
def test_override_without_reason_refused(store, reason):
    with pytest.raises(DecisionError) as exc:
        store.record_decision(SID, IN1, RU1, "王审评", "override", tier="T2", proposed="T3", reason=reason)
    _bilingual(exc.value)
    assert exc.value.field == "reason" and "reason" in exc.value.message_en and "理由" in exc.value.message_zh
    assert store.history(SID) == []


@pytest.mark.parametrize("kwargs,field", [
    (dict(action="override", tier="T3", proposed="T3", reason="same"), "tier"),      # override to the proposed tier
    (dict(action="override", tier=None, proposed="T3", reason="why"), "tier"),
    (dict(action="override", tier="T2", proposed=None, reason="why"), "proposed"),
    (dict(action="confirm", proposed=None), "proposed"),
    (dict(action="confirm", tier="T2", proposed="T3"), "tier"),                     # confirm takes the proposal
    (dict(action="confirm", proposed="T5"), "proposed"),
    (dict(action="comment", comment="  "), "comment"),
    (dict(action="approve", proposed="T3"), "action"),
    (dict(action="signoff"), "action"),                                              # nothing to sign off yet
])
def test_invalid_decisions_refused(store, kwargs, field):
    kw = dict(kwargs)
    action = kw.pop("action")
    with pytest.raises(DecisionError) as exc:
        store.record_decision(SID, IN1, RU1, "王审评", action, **kw)
    _bilingual(exc.value)
    assert exc.value.field == field
    assert store.entries() == []


@pytest.mark.parametrize("reviewer", [None, "", "  "])
def test_a_plain_or_missing_name_is_the_local_account(store, reviewer):
    """No free-text identity: a script that passes a name (or none) records as its operating-system account."""
    import getpass

    e = store.record_decision(SID, IN1, RU1, reviewer, "confirm", proposed="T3")
    assert (e.identity, e.identity_source) == (f"local:{getpass.getuser()}", "local") and e.reviewer
    named = store.record_decision(SID, IN1, RU1, "王审评", "confirm", proposed="T3")
    assert (named.identity, named.identity_source, named.reviewer) == (e.identity, "local", "王审评")


def test_hashes_must_be_sha256(store):
    with pytest.raises(DecisionError, match="input_sha256"):
        store.record_decision(SID, "abc", RU1, "王", "confirm", proposed="T3")
    with pytest.raises(DecisionError, match="rules_sha256"):
        store.record_decision(SID, IN1, None, "王", "confirm", proposed="T3")


def test_confirm_override_comment_signoff_history(store):
    assert [e.seq for e in store.apply_roles(ROLES)] == [1, 2]          # role entries come first in the chain
    e1 = store.record_decision(SID, IN1, RU1, WANG, "confirm", proposed="T3")
    assert (e1.seq, e1.action, e1.tier, e1.proposed) == (3, "confirm", "T3", "T3")
    e2 = store.record_decision(SID, IN1, RU1, WANG, Action.OVERRIDE, tier="T2", proposed="T3",
                               reason="疗效信号来自单臂研究，样本量不足 / single-arm signal, too few subjects")
    e3 = store.record_decision(SID, IN1, RU1, LI, "comment", comment="同意改判")
    e4 = store.record_decision(SID, IN1, RU1, LI, "signoff")
    store.record_decision("OTHER-1", IN1, RU1, WANG, "confirm", proposed="T0")
    hist = store.history(SID)
    assert [e.seq for e in hist] == [3, 4, 5, 6]
    assert [(e.reviewer, e.identity) for e in hist] == [("王审评", "wang")] * 2 + [("李组长", "li")] * 2
    assert e4.signs_hash == e2.entry_hash
    assert [e.action for e in hist] == ["confirm", "override", "comment", "signoff"]
    assert hist[1] == e2 and hist[1].reason.startswith("疗效信号")
    assert e4.tier == "T2" and e4.proposed == "T3"           # sign-off carries the tier it signs
    cur = store.current(SID, IN1, RU1)
    assert cur.decision == e2 and cur.tier == "T2" and cur.signed_off and cur.signoff == e4 and not cur.stale
    # timestamps: UTC ISO 8601, non-decreasing with seq
    stamps = [e.recorded_at for e in store.entries()]
    assert all(s.endswith("+00:00") for s in stamps) and stamps == sorted(stamps)
    # every entry's hash is the SHA-256 of its canonical content
    for e in store.entries():
        assert e.entry_hash == entry_hash(e.seq, e.prev_hash, e.content())
    assert e3.prev_hash == e2.entry_hash
    # a later confirm supersedes; the sign-off no longer applies; nothing is lost
    e6 = store.record_decision(SID, IN1, RU1, WANG, "confirm", proposed="T3")
    cur = store.current(SID, IN1, RU1)
    assert cur.decision == e6 and cur.tier == "T3" and not cur.signed_off
    assert len(store.history(SID)) == 5 and store.verify_chain().ok


def test_stale_when_inputs_or_rules_change(store):
    store.apply_roles(ROLES)
    store.record_decision(SID, IN1, RU1, WANG, "confirm", proposed="T2")
    assert not store.current(SID, IN1).stale
    assert not store.current(SID, IN1, RU1).stale
    cur = store.current(SID, IN2, RU1)
    assert cur.stale and cur.tier == "T2" and len(cur.stale_reasons_en) == 1 and _ZH.search(cur.stale_reasons_zh[0])
    assert store.current(SID, IN1, RU2).stale
    assert len(store.current(SID, IN2, RU2).stale_reasons_en) == 2
    # a stale decision cannot be signed off: confirm again first
    with pytest.raises(DecisionError) as exc:
        store.record_decision(SID, IN2, RU1, LI, "signoff")
    _bilingual(exc.value)
    store.record_decision(SID, IN2, RU1, WANG, "confirm", proposed="T3")
    store.record_decision(SID, IN2, RU1, LI, "signoff")
    cur = store.current(SID, IN2, RU1)
    assert cur.signed_off and not cur.stale and cur.tier == "T3"
    assert store.current(SID, IN1, RU1).stale


def test_no_decision_yet(store):
    cur = store.current(SID, IN1, RU1)
    assert cur.decision is None and cur.tier is None and not cur.signed_off and not cur.stale
    store.record_decision(SID, IN1, RU1, "王", "comment", comment="先看数据")
    assert store.current(SID, IN1).decision is None


def test_database_refuses_update_and_delete(store, store_url, backend):
    store.record_decision(SID, IN1, RU1, "王", "confirm", proposed="T3")
    from sqlalchemy import create_engine, text
    eng = create_engine(store_url)
    try:
        for sql in ("UPDATE wb_decision_log SET tier = 'T4'", "DELETE FROM wb_decision_log"):
            with pytest.raises(Exception, match="append-only"):
                with eng.begin() as conn:
                    conn.execute(text(sql))
    finally:
        eng.dispose()
    assert store.verify_chain().ok and store.history(SID)[0].tier == "T3"


def test_schema_rejects_a_duplicate_seq_or_a_fork(store, store_url):
    """A writer that lost a race (same seq, or same parent) fails loudly on the constraints."""
    e = store.record_decision(SID, IN1, RU1, "王", "confirm", proposed="T3")
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import IntegrityError
    eng = create_engine(store_url)
    row = {**e.content(), "seq": 1, "prev_hash": "1" * 64, "entry_hash": "2" * 64}
    cols = ", ".join(row)
    vals = ", ".join(f":{k}" for k in row)
    try:
        with pytest.raises(IntegrityError):
            with eng.begin() as conn:
                conn.execute(text(f"INSERT INTO wb_decision_log ({cols}) VALUES ({vals})"), row)
        fork = {**row, "seq": 2, "prev_hash": e.prev_hash}       # a second child of the genesis
        with pytest.raises(IntegrityError):
            with eng.begin() as conn:
                conn.execute(text(f"INSERT INTO wb_decision_log ({cols}) VALUES ({vals})"), fork)
    finally:
        eng.dispose()


def test_reopen_keeps_everything(store_url):
    with DecisionStore(store_url) as s:
        s.apply_roles(ROLES)
        s.record_decision(SID, IN1, RU1, WANG, "confirm", proposed="T3")
    with DecisionStore(store_url) as s:
        assert s.apply_roles(ROLES) == []                                  # unchanged roles: nothing appended
        s.record_decision(SID, IN1, RU1, LI, "signoff")
        assert [e.seq for e in s.history(SID)] == [3, 4] and s.verify_chain().ok
