"""Reviewer data is never lost across app sessions: two processes, as two app sessions would, open one brand-new
SQLite decision store at the same moment (both create the schema and apply the same roles) and each record 50
decisions (confirm, override, comment, sign-off) on the same submission. Nothing is lost, nothing is duplicated,
the roles are recorded once, no sign-off signs its own author's decision, the chain verifies.

tests/store/test_processes.py already covers 2 x 200 comment appends on a store created beforehand and SIGKILL
mid-write; this adds the concurrent first opening and real decisions racing on one submission.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from workbench.store import DecisionStore

SESSION = Path(__file__).with_name("_session.py")
COUNT = 50


def _start(url: str, tag: str, go: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(SESSION), url, tag, str(go), str(COUNT)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_sessions_on_a_new_store_lose_nothing(tmp_path):
    db = tmp_path / "fresh" / "decisions.sqlite"          # neither the file nor its folder exist yet
    url = f"sqlite:///{db}"
    go = tmp_path / "go"
    procs = {tag: _start(url, tag, go) for tag in ("A", "B")}
    for p in procs.values():
        assert p.stdout.readline().strip() == "READY"
    go.touch()
    reported: dict[str, dict[int, tuple[str, str, str]]] = {}
    for tag, p in procs.items():
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-3000:]
        lines = [ln.split(" ", 4) for ln in out.splitlines() if ln.startswith("OK ")]
        reported[tag] = {int(seq): (h, action, note) for _, seq, h, action, note in lines}
        assert out.rstrip().endswith("DONE")
    assert len(reported["A"]) == len(reported["B"]) == COUNT
    assert not set(reported["A"]) & set(reported["B"]), "one seq handed to both sessions"
    with DecisionStore(url) as s:
        entries = s.entries()
        v = s.verify_chain()
        history = s.history("SCX-2026-001")
        current = s.current("SCX-2026-001", entries[-1].input_sha256, entries[-1].rules_sha256)
    assert v.ok, v.problems
    roles = [e for e in entries if e.action == "role"]
    assert sorted(e.role_identity for e in roles) == ["lead-A", "lead-B"]   # applied once, not by both sessions
    assert [e.seq for e in entries] == list(range(1, 2 * COUNT + len(roles) + 1))
    assert len(history) == 2 * COUNT
    stored = {e.seq: (e.entry_hash, e.action, e.comment) for e in entries}
    for tag in ("A", "B"):
        for seq, rep in reported[tag].items():
            assert stored[seq] == rep, (tag, seq)
        mine = [e for e in history if e.identity == f"lead-{tag}"]
        assert [e.comment for e in mine] == [f"{tag}-{i}" for i in range(COUNT)]   # in each session's own order
        assert {e.reviewer for e in mine} == {f"审评员 {tag}"}                     # printed name from the roles
    # four-eyes held under the race: every sign-off signs a decision by the other session
    by_hash = {e.entry_hash: e for e in history}
    signoffs = [e for e in history if e.action == "signoff"]
    assert signoffs and all(by_hash[e.signs_hash].identity != e.identity for e in signoffs)
    # the decision in force is the last confirm/override written by either session, with its sign-off if any
    last_decision = [e for e in entries if e.action in ("confirm", "override")][-1]
    assert current.decision is not None and current.decision.seq == last_decision.seq and not current.stale
    switches = sum(1 for a, b in zip(history, history[1:]) if a.identity != b.identity)
    assert switches >= 5, f"the sessions did not interleave (switches={switches})"
