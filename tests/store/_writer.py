"""A separate writer process for the concurrency and crash tests.

usage: python _writer.py URL COUNT TAG [GO_FILE]
Appends COUNT comment entries (COUNT < 0: until killed) and prints ``OK seq entry_hash TAG-i`` after
each commit. With GO_FILE, prints READY and waits for that file before writing. With
WB_WRITER_HANG_AT=n, the n-th append prints ``PENDING TAG-i`` inside its write transaction (entry
inserted, head moved, COMMIT not yet sent) and hangs there holding the write lock, so a kill lands
mid-write. With WB_WRITER_GAP=seconds, waits a random
0..GAP between appends (a reviewer's pace, compressed), so that two writers interleave.
"""
from __future__ import annotations

import hashlib
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
if "workbench" not in sys.modules:
    # load workbench.store without the package __init__ (which imports pandas): faster process start-up
    import types

    _pkg = types.ModuleType("workbench")
    _pkg.__path__ = [str(ROOT / "workbench")]
    sys.modules["workbench"] = _pkg

from sqlalchemy import event  # noqa: E402

from workbench.store import DecisionStore  # noqa: E402

INPUT = hashlib.sha256(b"input").hexdigest()
RULES = hashlib.sha256(b"rules").hexdigest()


def main() -> None:
    url, count, tag = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    go = Path(sys.argv[4]) if len(sys.argv) > 4 else None
    hang_at = int(os.environ.get("WB_WRITER_HANG_AT", "0") or 0)
    gap = float(os.environ.get("WB_WRITER_GAP", "0") or 0)
    store = DecisionStore(url)
    commits = [0]
    if hang_at:
        @event.listens_for(store.engine, "commit")
        def _hold(conn):  # noqa: ANN001 - fires before the COMMIT is sent
            commits[0] += 1
            if commits[0] == hang_at:
                print(f"PENDING {tag}-{hang_at - 1}", flush=True)
                time.sleep(120)
    print("READY", flush=True)
    if go is not None:
        deadline = time.monotonic() + 60
        while not go.exists():
            if time.monotonic() > deadline:
                sys.exit("no go signal")
            time.sleep(0.005)
    i = 0
    while count < 0 or i < count:
        e = store.record_decision(f"SUB-{tag}", INPUT, RULES, f"writer {tag}", "comment", comment=f"{tag}-{i}")
        print(f"OK {e.seq} {e.entry_hash} {tag}-{i}", flush=True)
        i += 1
        if gap:
            time.sleep(random.uniform(0, gap))
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
