"""The hash chain of the decision log: canonical JSON, entry hashes, and verification of a run of entries.

``entry_hash = SHA-256( canonical_json({"v": v, "seq": seq, "prev_hash": prev_hash, "content": content}) )``
where canonical JSON has sorted keys, no whitespace, UTF-8 (not ASCII-escaped) and no NaN, and ``content``
holds the fields of the entry's chain version: version 1 (entries written before identities were recorded)
the ten fields of :data:`CONTENT_FIELDS_V1`, version 2 those and the identity fields of :data:`CONTENT_FIELDS`.
An old entry keeps its version and its hash for ever: upgrading a store re-hashes nothing.
The first entry's ``prev_hash`` is :data:`GENESIS` (64 zeros). Pure functions: no database here.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

CHAIN_VERSION = 2          # the version new entries are written in
GENESIS = "0" * 64

# fields covered by the hash, in the order shown to people (the hash itself sorts keys)
CONTENT_FIELDS_V1 = ("recorded_at", "submission_id", "input_sha256", "rules_sha256", "reviewer", "action", "tier",
                     "proposed", "reason", "comment")
IDENTITY_FIELDS = ("identity", "identity_source", "signs_hash", "role_identity", "role", "role_name")
CONTENT_FIELDS = CONTENT_FIELDS_V1 + IDENTITY_FIELDS
_FIELDS = {1: CONTENT_FIELDS_V1, 2: CONTENT_FIELDS}


def content_fields(version: int | None) -> tuple[str, ...]:
    """The fields an entry of chain ``version`` hashes (None: version 1, an entry from before versions)."""
    try:
        return _FIELDS[int(version or 1)]
    except (KeyError, TypeError, ValueError):
        raise ValueError(f"unknown chain version {version!r}") from None


def canonical_json(seq: int, prev_hash: str, content: Mapping, version: int | None = None) -> bytes:
    """The exact bytes an entry's hash is computed over; ``version`` defaults to ``content["chain_version"]``,
    else 1."""
    v = int(version or content.get("chain_version") or 1)
    doc = {"v": v, "seq": int(seq), "prev_hash": prev_hash,
           "content": {k: content.get(k) for k in content_fields(v)}}
    return json.dumps(doc, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def entry_hash(seq: int, prev_hash: str, content: Mapping, version: int | None = None) -> str:
    """SHA-256 (hex) of :func:`canonical_json`."""
    return hashlib.sha256(canonical_json(seq, prev_hash, content, version)).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :meth:`DecisionStore.verify_chain`: ok, and one line per problem found."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    entries: int = 0
    head_seq: int | None = None
    head_hash: str | None = None

    def __bool__(self) -> bool:
        return self.ok


def verify_rows(rows: Iterable[Mapping], head: Mapping | None) -> VerifyResult:
    """Check rows (ordered by seq) and the head record: edits, deletions, reordering, a truncated tail, and
    entries written without an identity (chain version 1) after the store was upgraded."""
    problems: list[str] = []
    expected_seq, expected_prev, prev_seq = 1, GENESIS, None
    n = 0
    last_seq, last_hash = 0, GENESIS
    first_v2 = None
    for row in rows:
        n += 1
        seq = int(row["seq"])
        if seq != expected_seq:
            if seq > expected_seq:
                gap = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}–{seq - 1}"
                problems.append(f"entry seq {gap} missing: gap before seq {seq} (deleted entry?)")
            else:
                problems.append(f"entry seq {seq} out of order after seq {prev_seq}")
        if row["prev_hash"] != expected_prev:
            after = f"entry {prev_seq}" if prev_seq is not None else "the chain start"
            problems.append(f"entry {seq}: prev_hash does not match the hash of {after} "
                            f"(link broken: entry deleted, inserted or reordered)")
        version = row.get("chain_version") or 1
        try:
            recomputed = entry_hash(seq, row["prev_hash"], row, version)
        except ValueError:
            recomputed = None
            problems.append(f"entry {seq}: unknown chain version {version!r}")
        if recomputed is not None and recomputed != row["entry_hash"]:
            problems.append(f"entry {seq}: content does not match its entry_hash (entry edited)")
        if version == 1 and first_v2 is not None:
            problems.append(f"entry {seq}: written without an identity (chain version 1) after the store was "
                            f"upgraded at seq {first_v2} (an old workbench version, or written outside the store)")
        elif version != 1 and first_v2 is None:
            first_v2 = seq
        expected_seq, expected_prev, prev_seq = seq + 1, row["entry_hash"], seq
        last_seq, last_hash = seq, row["entry_hash"]
    head_seq = head_hash = None
    if head is None:
        problems.append("head record missing (store not initialised, or head deleted)")
    else:
        head_seq, head_hash = int(head["seq"]), head["entry_hash"]
        if head_seq > last_seq:
            problems.append(f"head records {head_seq} entries but the log ends at seq {last_seq} "
                            f"(tail truncated: entries {last_seq + 1}–{head_seq} missing)")
        elif head_seq < last_seq:
            problems.append(f"head records {head_seq} entries but the log goes on to seq {last_seq} "
                            f"(entries appended outside the store, or head rolled back)")
        elif head_hash != last_hash:
            problems.append(f"head hash does not match the hash of the last entry (seq {last_seq})")
    return VerifyResult(ok=not problems, problems=problems, entries=n, head_seq=head_seq, head_hash=head_hash)
