"""Roles and four-eyes, enforced by the store itself (not only the app) - on SQLite and PostgreSQL.

Only a lead signs off; never the identity that recorded the decision; when roles are named, an identity
without one records nothing; role changes are entries of the chain. A refused attempt writes nothing: the
chain and its head are unchanged and verify.
"""
from __future__ import annotations

import hashlib
import re

import pytest

from workbench.store import DecisionError, DecisionStore, Identity, RolesError, signature_rows

IN1 = hashlib.sha256(b"inputs").hexdigest()
RU1 = hashlib.sha256(b"rules").hexdigest()
SID = "SCX-2026-007"
H = "header:X-Remote-User"
ALICE, BOB, CAROL = Identity("alice", H), Identity("bob", H), Identity("carol", H)
MALLORY = Identity("mallory", H)
ROLES = {"identities": {"alice": {"role": "reviewer", "name": "王审评 Alice Wang"},
                        "bob": {"role": "lead", "name": "李组长 Bob Li"}, "carol": "lead"}}
_ZH = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def store(store_url):
    s = DecisionStore(store_url)
    s.apply_roles(ROLES)
    yield s
    s.close()


def _refused(store, who, action="signoff", **kw) -> DecisionError:
    """Attempt an entry that must be refused; nothing may be written: same entries, same head, chain verifies."""
    before, head = store.entries(), store.verify_chain()
    with pytest.raises(DecisionError) as exc:
        store.record_decision(SID, IN1, RU1, who, action, **kw)
    after = store.verify_chain()
    assert store.entries() == before and after.ok, after.problems
    assert (after.head_seq, after.head_hash) == (head.head_seq, head.head_hash)
    err = exc.value
    assert err.message_en and _ZH.search(err.message_zh) and err.field == "identity"
    return err


def test_signoff_by_the_decisions_author_refused(store):
    decision = store.record_decision(SID, IN1, RU1, BOB, "override", tier="T1", proposed="T2", reason="样本量不足")
    err = _refused(store, BOB)                      # bob is a lead, but he made the decision
    assert "four-eyes" in err.message_en and "bob" in err.message_en and f"#{decision.seq}" in err.message_en
    assert "四眼原则" in err.message_zh
    signed = store.record_decision(SID, IN1, RU1, CAROL, "signoff")        # another lead may
    assert signed.signs_hash == decision.entry_hash and store.current(SID, IN1, RU1).signoff == signed


def test_signoff_by_a_non_lead_refused(store):
    store.record_decision(SID, IN1, RU1, BOB, "confirm", proposed="T2")
    err = _refused(store, ALICE)
    assert "only a lead" in err.message_en and "reviewer" in err.message_en and "组长" in err.message_zh
    assert not store.current(SID, IN1, RU1).signed_off


def test_a_reviewer_signing_their_own_decision_gets_both_reasons(store):
    store.record_decision(SID, IN1, RU1, ALICE, "confirm", proposed="T2")
    err = _refused(store, ALICE)
    assert "only a lead" in err.message_en and "four-eyes" in err.message_en
    assert "只有组长" in err.message_zh and "四眼原则" in err.message_zh


def test_identity_without_a_role_records_nothing(store):
    err = _refused(store, MALLORY, "confirm", proposed="T2")
    assert "mallory" in err.message_en and "角色名单" in err.message_zh
    _refused(store, MALLORY, "comment", comment="hello")
    # the same person through another source is another identity
    _refused(store, Identity("local:alice", "local"), "confirm", proposed="T2")


def test_no_roles_named_no_signoff(store_url):
    with DecisionStore(store_url) as s:
        assert s.roles() == {}
        s.record_decision(SID, IN1, RU1, ALICE, "confirm", proposed="T2")       # deciding needs no roles file
        err = _refused(s, BOB)
        assert "no lead is named" in err.message_en and "--roles" in err.message_en


def test_lead_signoff_recorded_with_printed_name_identity_and_meaning(store):
    d = store.record_decision(SID, IN1, RU1, ALICE, "confirm", proposed="T3")
    s = store.record_decision(SID, IN1, RU1, BOB, "signoff", comment="同意")
    assert (d.reviewer, d.identity, d.identity_source) == ("王审评 Alice Wang", "alice", H)   # roles file name
    assert (s.reviewer, s.identity, s.tier, s.signs_hash) == ("李组长 Bob Li", "bob", "T3", d.entry_hash)
    rows = signature_rows(store.history(SID), "en", tz="Asia/Shanghai")
    assert [(r["printed_name"], r["identity"]) for r in rows] == [("王审评 Alice Wang", "alice"),
                                                                  ("李组长 Bob Li", "bob")]
    assert rows[0]["meaning"] == "Confirm (accepts the proposed tier T3)"
    assert rows[1]["meaning"] == f"Sign-off (approves decision #{d.seq}: T3)"
    assert all(r["time"].endswith("+08:00 (Asia/Shanghai)") for r in rows)
    assert rows[1]["identity_source"].startswith(H)
    zh = signature_rows(store.history(SID), "zh")
    assert zh[1]["meaning"] == f"签署（批准结论 #{d.seq}：T3）" and zh[0]["time"].endswith("+00:00 (UTC)")


def test_role_changes_are_chain_entries(store, tmp_path):
    first = [e for e in store.entries() if e.action == "role"]
    assert [(e.role_identity, e.role, e.role_name) for e in first] == [
        ("alice", "reviewer", "王审评 Alice Wang"), ("bob", "lead", "李组长 Bob Li"), ("carol", "lead", None)]
    assert all(e.submission_id == "(roles)" and e.identity_source == "local" for e in first)
    assert store.apply_roles(ROLES) == []
    roles = tmp_path / "roles.yaml"
    roles.write_text("identities:\n  alice: lead\n  bob: {role: lead, name: 李组长}\n", encoding="utf-8")
    changed = store.apply_roles(roles)
    assert [(e.role_identity, e.role, e.role_name) for e in changed] == [
        ("alice", "lead", None), ("bob", "lead", "李组长"), ("carol", "none", None)]
    assert {e.input_sha256 for e in changed} == {hashlib.sha256(roles.read_bytes()).hexdigest()}
    assert str(roles.resolve()) in changed[0].comment
    assert {k: g.role for k, g in store.roles().items()} == {"alice": "lead", "bob": "lead"}
    # carol's lead role was revoked: she can no longer sign off; alice now can
    store.record_decision(SID, IN1, RU1, BOB, "confirm", proposed="T2")
    _refused(store, CAROL)
    assert store.record_decision(SID, IN1, RU1, ALICE, "signoff").identity == "alice"
    assert store.verify_chain().ok


@pytest.mark.parametrize("text,what", [
    ("identities: {alice: admin}\n", "role must be one of"),
    ("alice: lead\n", "top level"),
    ("identities: {}\n", "at least one"),
    ("identities: [alice]\n", "at least one"),
    ("identities:\n  'a,b': lead\n", "not a user name"),
    ("identities:\n  alice: {role: lead, email: x}\n", "only 'role' and 'name'"),
    ("base: &b {role: lead}\nidentities: {alice: *b}\n", "aliases"),
    ("identities: {alice: lead\n", "not valid"),
    (b"\xff\xfe", "not valid"),
])
def test_bad_roles_file_refused_and_nothing_written(store, tmp_path, text, what):
    roles = tmp_path / "roles.yaml"
    (roles.write_bytes if isinstance(text, bytes) else lambda t: roles.write_text(t, encoding="utf-8"))(text)
    before = store.entries()
    with pytest.raises(RolesError) as exc:
        store.apply_roles(roles)
    assert what in exc.value.message_en and str(roles) in exc.value.message_en and "角色文件" in exc.value.message_zh
    assert store.entries() == before


def test_missing_roles_file(store, tmp_path):
    with pytest.raises(RolesError, match="cannot be read"):
        store.apply_roles(tmp_path / "absent.yaml")


@pytest.mark.parametrize("who,msg", [
    (Identity("alice", "local"), "does not fit"),                   # a local identity must be local:<user>
    (Identity("local:alice", H), "does not fit"),                   # a header identity cannot pose as local
    (Identity("alice", "typed"), "does not fit"),                   # no other sources (free text)
    (Identity("alice", "header:X Remote"), "does not fit"),
    (Identity("", H), "identity is required"),
    (Identity("al\nice", H), "identity is required"),
])
def test_identity_checked_by_the_store(store, who, msg):
    with pytest.raises(DecisionError, match=msg):
        store.record_decision(SID, IN1, RU1, who, "confirm", proposed="T2")
    assert [e.action for e in store.entries()] == ["role"] * 3


def test_roles_subject_is_reserved(store):
    with pytest.raises(DecisionError, match="reserved"):
        store.record_decision("(roles)", IN1, RU1, ALICE, "comment", comment="x")
    with pytest.raises(DecisionError, match="action must be one of"):
        store.record_decision(SID, IN1, RU1, ALICE, "role")
