"""Real processes: concurrent appenders never lose or fork an entry; SIGKILL mid-write leaves the store consistent."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from workbench.store import DecisionStore

WRITER = Path(__file__).with_name("_writer.py")
ROOT = Path(__file__).resolve().parents[2]


def _spawn(url: str, count: int, tag: str, go: Path | None = None, hang_at: int = 0, gap: float = 0.0
           ) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), WB_WRITER_HANG_AT=str(hang_at), WB_WRITER_GAP=str(gap))
    args = [sys.executable, str(WRITER), url, str(count), tag] + ([str(go)] if go else [])
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, bufsize=1)


def _expect(proc: subprocess.Popen, word: str, timeout: float = 60) -> list[str]:
    """Read lines until one equals/starts with ``word``; returns the lines read."""
    lines, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"writer ended before {word!r}: {proc.stderr.read()[-2000:]}")
        lines.append(line.strip())
        if line.startswith(word):
            return lines
    raise AssertionError(f"timeout waiting for {word!r}")


def _ok_lines(lines: list[str]) -> dict[int, str]:
    out = {}
    for line in lines:
        if line.startswith("OK "):
            _, seq, h, _label = line.split(" ", 3)
            out[int(seq)] = h
    return out


def test_two_processes_append_200_each(store_url, tmp_path):
    DecisionStore(store_url).close()                  # schema first, so both start appending at once
    go = tmp_path / "go"
    procs = [_spawn(store_url, 200, tag, go, gap=0.004) for tag in ("A", "B")]
    for p in procs:
        _expect(p, "READY")
    go.touch()
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
        outs.append(out.splitlines())
    reported = [_ok_lines(o) for o in outs]
    assert len(reported[0]) == len(reported[1]) == 200
    assert not set(reported[0]) & set(reported[1])    # no seq handed out twice
    with DecisionStore(store_url) as s:
        entries = s.entries()
        v = s.verify_chain()
    assert len(entries) == 400 and [e.seq for e in entries] == list(range(1, 401))
    assert v.ok, v.problems
    stored = {e.seq: e.entry_hash for e in entries}
    for rep in reported:
        assert all(stored[seq] == h for seq, h in rep.items())
    # each writer's own entries are in its own order, and the two really interleaved
    for tag in ("A", "B"):
        mine = [int(e.comment.split("-")[1]) for e in entries if e.reviewer == f"writer {tag}"]
        assert mine == list(range(200))
    switches = sum(1 for a, b in zip(entries, entries[1:]) if a.reviewer != b.reviewer)
    assert switches >= 10, f"writers did not interleave (switches={switches})"


def test_sigkill_mid_write_leaves_store_consistent(store_url, tmp_path):
    DecisionStore(store_url).close()
    reported: dict[int, str] = {}
    pending: list[str] = []
    # rounds 1-2: the victim's 4th append hangs inside its write transaction (entry inserted, head moved,
    # COMMIT not sent) holding the write lock, while a second writer waits for that lock. SIGKILL then.
    for rnd in range(2):
        victim = _spawn(store_url, -1, f"K{rnd}", hang_at=4)
        lines = _expect(victim, "PENDING")
        assert len(_ok_lines(lines)) == 3
        pending.append(lines[-1].split()[1])
        bystander = _spawn(store_url, 20, f"B{rnd}")
        _expect(bystander, "READY")
        time.sleep(0.3)                          # the bystander is now blocked on the victim's lock
        os.kill(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        assert victim.returncode == -signal.SIGKILL
        lines += victim.stdout.read().splitlines()
        reported.update(_ok_lines(lines))
        out, err = bystander.communicate(timeout=120)
        assert bystander.returncode == 0, err[-2000:]
        assert len(_ok_lines(out.splitlines())) == 20
        reported.update(_ok_lines(out.splitlines()))
    # round 3: killed at an arbitrary moment of a tight append loop
    victim = _spawn(store_url, -1, "K2")
    lines = _expect(victim, "READY")
    for _ in range(25):
        lines += _expect(victim, "OK")
    os.kill(victim.pid, signal.SIGKILL)
    victim.wait(timeout=30)
    assert victim.returncode == -signal.SIGKILL
    lines += victim.stdout.read().splitlines()
    reported.update(_ok_lines(lines))

    with DecisionStore(store_url) as s:
        v = s.verify_chain()
        entries = s.entries()
        assert v.ok, v.problems
        stored = {e.seq: e.entry_hash for e in entries}
        # every entry a writer reported as committed is there, unchanged
        assert all(stored.get(seq) == h for seq, h in reported.items())
        # the two entries killed mid-transaction were rolled back
        assert pending == ["K0-3", "K1-3"] and not {e.comment for e in entries} & set(pending)
        # at most one round-3 entry committed but killed before it was printed
        assert len(stored) - len(reported) in (0, 1)
        assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
        # and the store appends on cleanly
        e = s.record_decision("AFTER", "a" * 64, "b" * 64, "王", "confirm", proposed="T2")
        assert e.seq == len(entries) + 1 and s.verify_chain().ok
