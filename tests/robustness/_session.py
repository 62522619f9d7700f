"""One reviewer app session for the two-session test: opens the store only after the go signal (so both
sessions create the schema of a brand-new SQLite file at once) and records decisions on one submission.

usage: python _session.py URL TAG GO_FILE COUNT
Cycles confirm -> override -> comment -> sign-off as identity ``lead-TAG`` (both sessions apply the same roles
file at once: both are leads), printing ``OK seq entry_hash action TAG-i`` after each commit. A sign-off of the
session's own decision is refused by the four-eyes rule; the session then records a comment instead
(``REFUSED TAG-i`` first), so that each session still writes COUNT entries.
"""
from __future__ import annotations

import hashlib
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from workbench.store import DecisionError, DecisionStore, Identity  # noqa: E402

SUBMISSION = "SCX-2026-001"
INPUT = hashlib.sha256(b"the submission as reviewed").hexdigest()
RULES = hashlib.sha256(b"default rules").hexdigest()


def main() -> None:
    url, tag, go, count = sys.argv[1], sys.argv[2], Path(sys.argv[3]), int(sys.argv[4])
    print("READY", flush=True)
    deadline = time.monotonic() + 60
    while not go.exists():
        if time.monotonic() > deadline:
            sys.exit("no go signal")
        time.sleep(0.002)
    store = DecisionStore(url)
    store.apply_roles({"identities": {"lead-A": {"role": "lead", "name": "审评员 A"},
                                      "lead-B": {"role": "lead", "name": "审评员 B"}}})
    who = Identity(f"lead-{tag}", "header:X-Remote-User")
    for i in range(count):
        step = i % 4
        note = f"{tag}-{i}"
        if step == 0:
            e = store.confirm(SUBMISSION, INPUT, RULES, who, "T2", comment=note)
        elif step == 1:
            e = store.override(SUBMISSION, INPUT, RULES, who, "T2", "T1", reason=f"依从性记录不完整 ({note})",
                               comment=note)
        elif step == 2:
            e = store.comment(SUBMISSION, INPUT, RULES, who, note)
        else:
            try:
                e = store.signoff(SUBMISSION, INPUT, RULES, who, comment=note)
            except DecisionError as exc:
                if "four-eyes" not in exc.message_en:
                    raise
                print(f"REFUSED {note}", flush=True)
                e = store.comment(SUBMISSION, INPUT, RULES, who, note)
        print(f"OK {e.seq} {e.entry_hash} {e.action} {note}", flush=True)
        time.sleep(random.uniform(0, 0.004))
    store.close()
    print("DONE", flush=True)


if __name__ == "__main__":
    main()
