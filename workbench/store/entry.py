"""One log entry as read back, and the decision in force for a submission."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import Enum

from .chain import content_fields
from .identity import UNRECORDED


class Action(str, Enum):
    """What a log entry records."""

    CONFIRM = "confirm"
    OVERRIDE = "override"
    COMMENT = "comment"
    SIGNOFF = "signoff"
    ROLE = "role"          # a role granted, renamed or revoked (DecisionStore.apply_roles)
    OVERLAY = "overlay"    # reviewer-supplied study facts (DecisionStore.record_overlay; JSON in ``comment``)


@dataclass(frozen=True)
class Entry:
    """One log entry: its content, when it was recorded (UTC ISO 8601), who recorded it, its place in the chain.

    ``reviewer`` is the printed name; ``identity`` the authenticated identity (None before identities were
    recorded) and ``identity_source`` where it came from (``header:NAME``, ``local`` or ``unrecorded``).
    A sign-off carries ``signs_hash``, the hash of the decision it signs; a role entry ``role_identity``,
    ``role`` and ``role_name``.
    """

    seq: int
    recorded_at: str
    submission_id: str
    input_sha256: str
    rules_sha256: str
    reviewer: str
    action: str
    tier: str | None
    proposed: str | None
    reason: str | None
    comment: str | None
    prev_hash: str
    entry_hash: str
    identity: str | None = None
    identity_source: str = UNRECORDED
    signs_hash: str | None = None
    role_identity: str | None = None
    role: str | None = None
    role_name: str | None = None
    chain_version: int = 1

    def content(self) -> dict:
        """The hashed fields of this entry's chain version, and the version."""
        return {**{k: getattr(self, k) for k in content_fields(self.chain_version)},
                "chain_version": self.chain_version}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_row(cls, row: Mapping) -> Entry:
        values = {k: row.get(k) for k in cls.__dataclass_fields__}
        values["chain_version"] = int(values["chain_version"] or 1)
        values["identity_source"] = values["identity_source"] or UNRECORDED
        return cls(**values)


@dataclass(frozen=True)
class CurrentDecision:
    """The decision in force for a submission: latest confirm/override, its sign-off, and whether it is stale."""

    submission_id: str
    decision: Entry | None
    signoff: Entry | None = None
    stale: bool = False
    stale_reasons_en: list[str] = field(default_factory=list)
    stale_reasons_zh: list[str] = field(default_factory=list)

    @property
    def tier(self) -> str | None:
        return self.decision.tier if self.decision else None

    @property
    def signed_off(self) -> bool:
        return self.signoff is not None

    def to_dict(self) -> dict:
        return {"submission_id": self.submission_id, "tier": self.tier, "signed_off": self.signed_off,
                "stale": self.stale, "stale_reasons_en": self.stale_reasons_en,
                "stale_reasons_zh": self.stale_reasons_zh,
                "decision": self.decision.to_dict() if self.decision else None,
                "signoff": self.signoff.to_dict() if self.signoff else None}
