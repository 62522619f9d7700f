"""Reviewer decisions: an append-only, hash-chained audit log (evidence-tiers.md, "Reviewer decision").

Every confirm, override, comment and sign-off is one entry; nothing is updated or
deleted through this API (a later decision supersedes an earlier one). One chain
covers the whole store. A head record (last seq and hash) is written in the same
transaction as each entry, so a truncated tail is detected too. See docs/decisions.md.
"""
from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from enum import Enum
from typing import Any, Iterator

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, inspect, select, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from .chain import CHAIN_VERSION, CONTENT_FIELDS, GENESIS, VerifyResult, entry_hash, verify_rows
from .engine import SQLITE_BEGIN_OPTION, is_sqlite, make_engine, resolve_url

TIER_CODES = ("T0", "T1", "T2", "T3", "T4")
MAX_ATTEMPTS = 30
MAX_TEXT = 20_000
MAX_NAME = 200
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_PG_LOCK_KEY = 0x5743_4449  # "WCDI": serialises schema creation across processes (pg_advisory_xact_lock)


class Action(str, Enum):
    """What a log entry records."""

    CONFIRM = "confirm"
    OVERRIDE = "override"
    COMMENT = "comment"
    SIGNOFF = "signoff"


class DecisionError(ValueError):
    """A decision the store refuses (missing reason, wrong tier, no reviewer...), with a bilingual message."""

    def __init__(self, message_en: str, message_zh: str, field: str | None = None):
        super().__init__(f"{message_en} / {message_zh}")
        self.message_en, self.message_zh, self.field = message_en, message_zh, field

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en


class StoreError(RuntimeError):
    """The database could not be written or read (after bounded retries), or the log is inconsistent."""


metadata = MetaData()

log_table = Table(
    "wb_decision_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),   # PRIMARY KEY: a lost race fails loudly
    Column("recorded_at", String(40), nullable=False),
    Column("submission_id", String(MAX_NAME), nullable=False),
    Column("input_sha256", String(64), nullable=False),
    Column("rules_sha256", String(64), nullable=False),
    Column("reviewer", String(MAX_NAME), nullable=False),
    Column("action", String(16), nullable=False),
    Column("tier", String(4)),
    Column("proposed", String(4)),
    Column("reason", Text),
    Column("comment", Text),
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("entry_hash", String(64), nullable=False, unique=True),
    Index("ix_wb_decision_log_submission", "submission_id", "seq"),
)

head_table = Table(
    "wb_decision_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),    # always 1
    Column("seq", Integer, nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("chain_version", Integer, nullable=False),
)

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS wb_decision_log_no_update BEFORE UPDATE ON wb_decision_log "
    "BEGIN SELECT RAISE(ABORT, 'wb_decision_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS wb_decision_log_no_delete BEFORE DELETE ON wb_decision_log "
    "BEGIN SELECT RAISE(ABORT, 'wb_decision_log is append-only'); END",
]
_PG_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION wb_decision_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'wb_decision_log is append-only'; END $$",
    "CREATE TRIGGER wb_decision_log_no_change BEFORE UPDATE OR DELETE ON wb_decision_log "
    "FOR EACH ROW EXECUTE FUNCTION wb_decision_log_append_only()",
    "CREATE TRIGGER wb_decision_log_no_truncate BEFORE TRUNCATE ON wb_decision_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION wb_decision_log_append_only()",
]


@dataclass(frozen=True)
class Entry:
    """One log entry: its content, when it was recorded (UTC ISO 8601), and its place in the chain."""

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

    def content(self) -> dict:
        return {k: getattr(self, k) for k in CONTENT_FIELDS}

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_row(cls, row: Mapping) -> Entry:
        return cls(**{k: row[k] for k in cls.__dataclass_fields__})


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


# ------------------------------------------------------------- validation --

def _text(value: Any, name: str, zh: str, *, required: bool, limit: int = MAX_TEXT) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise DecisionError(f"{name} is required", f"必须填写{zh}", name)
        return None
    if not isinstance(value, str):
        raise DecisionError(f"{name} must be text", f"{zh}必须为文本", name)
    if "\x00" in value:
        raise DecisionError(f"{name} contains a NUL character", f"{zh}含有非法字符（NUL）", name)
    if len(value) > limit:
        raise DecisionError(f"{name} is longer than {limit} characters", f"{zh}超过 {limit} 个字符", name)
    return value


def _sha(value: Any, name: str, zh: str) -> str:
    v = value.strip().lower() if isinstance(value, str) else value
    if not isinstance(v, str) or not _HEX64.match(v):
        raise DecisionError(f"{name} must be a SHA-256 hex digest (64 hex characters)",
                            f"{zh}必须是 SHA-256 十六进制摘要（64 位）", name)
    return v


def _tier(value: Any, name: str, zh: str, *, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            raise DecisionError(f"{name} is required", f"必须给出{zh}", name)
        return None
    v = getattr(value, "value", value)
    if not isinstance(v, str) or v.strip().upper() not in TIER_CODES:
        raise DecisionError(f"{name} must be one of {', '.join(TIER_CODES)} (got {value!r})",
                            f"{zh}必须是 {'、'.join(TIER_CODES)} 之一（当前：{value!r}）", name)
    return v.strip().upper()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _retryable(exc: DBAPIError) -> bool:
    code = getattr(getattr(exc, "orig", None), "pgcode", None)
    if code is not None:
        # unique violation (lost race), serialization failure, deadlock, lock not available
        return code in ("23505", "40001", "40P01", "55P03")
    if isinstance(exc, IntegrityError):
        return "unique" in str(exc.orig).lower() or "primary key" in str(exc.orig).lower()
    msg = str(getattr(exc, "orig", exc)).lower()
    return any(w in msg for w in ("locked", "busy", "deadlock", "serializ", "could not obtain lock"))


# ------------------------------------------------------------------ store --

class DecisionStore:
    """Reviewer decisions for many submissions, in one hash-chained log.

    ``url``: any SQLAlchemy URL, or a file path for SQLite; default ``$WORKBENCH_DB_URL``,
    else ``~/.local/share/stemcell-workbench/decisions.sqlite``.
    """

    def __init__(self, url: str | None = None, *, max_attempts: int = MAX_ATTEMPTS):
        self.url = resolve_url(url)
        self.engine: Engine = make_engine(self.url)
        self.max_attempts = max_attempts
        self._sqlite = is_sqlite(self.engine)
        self._retry(self._init_schema)

    # -- plumbing ------------------------------------------------------------
    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> DecisionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"DecisionStore({self.engine.url.render_as_string(hide_password=True)!r})"

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """A write transaction: SQLite ``BEGIN IMMEDIATE`` (write lock first); elsewhere READ COMMITTED."""
        with self.engine.connect() as conn:
            if self._sqlite:
                conn = conn.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            with conn.begin():
                yield conn

    def _retry(self, fn: Callable[[], Any]) -> Any:
        for attempt in range(1, self.max_attempts + 1):
            try:
                return fn()
            except DBAPIError as exc:
                if attempt >= self.max_attempts or not _retryable(exc):
                    raise StoreError(f"decision store {self!r}: {exc.__class__.__name__}: "
                                     f"{str(getattr(exc, 'orig', exc)).strip()} (attempt {attempt})") from exc
                time.sleep(random.uniform(0, min(0.5, 0.01 * 2 ** attempt)))
        raise AssertionError("unreachable")  # pragma: no cover

    def _init_schema(self) -> None:
        with self._read() as conn:
            if inspect(conn).has_table(head_table.name) and \
                    conn.execute(select(head_table.c.id).where(head_table.c.id == 1)).first() is not None:
                return
        with self._write() as conn:
            dialect = conn.dialect.name
            if dialect == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            created = not inspect(conn).has_table(log_table.name)
            metadata.create_all(conn)
            if created and dialect == "sqlite":
                for ddl in _SQLITE_TRIGGERS:
                    conn.exec_driver_sql(ddl)
            elif created and dialect == "postgresql":
                for ddl in _PG_TRIGGERS:
                    conn.exec_driver_sql(ddl)
            if conn.execute(select(head_table.c.id).where(head_table.c.id == 1)).first() is None:
                last = conn.execute(select(log_table.c.seq, log_table.c.entry_hash)
                                    .order_by(log_table.c.seq.desc()).limit(1)).first()
                seq, h = (last.seq, last.entry_hash) if last else (0, GENESIS)
                conn.execute(head_table.insert().values(id=1, seq=seq, entry_hash=h, chain_version=CHAIN_VERSION))

    def _append(self, build: Callable[[Connection], dict]) -> Entry:
        """Append one entry: lock the head, check it against the tail, build the content, insert, move the head."""

        def attempt() -> Entry:
            with self._write() as conn:
                head = conn.execute(select(head_table.c.seq, head_table.c.entry_hash)
                                    .where(head_table.c.id == 1).with_for_update()).first()
                if head is None:
                    raise StoreError("decision store has no head record: run verify_chain()")
                last = conn.execute(select(log_table.c.seq, log_table.c.entry_hash)
                                    .order_by(log_table.c.seq.desc()).limit(1)).first()
                last_seq, last_hash = (last.seq, last.entry_hash) if last else (0, GENESIS)
                if (head.seq, head.entry_hash) != (last_seq, last_hash):
                    raise StoreError(f"decision log is inconsistent (head seq {head.seq}, last entry seq {last_seq}); "
                                     f"nothing was recorded — run verify_chain() / 审计日志不一致，未记录，请先校验")
                content = build(conn)
                content["recorded_at"] = _now()
                seq = last_seq + 1
                h = entry_hash(seq, last_hash, content)
                conn.execute(log_table.insert().values(seq=seq, prev_hash=last_hash, entry_hash=h,
                                                       **{k: content[k] for k in CONTENT_FIELDS}))
                moved = conn.execute(head_table.update().where(head_table.c.id == 1)
                                     .where(head_table.c.seq == last_seq).values(seq=seq, entry_hash=h))
                if moved.rowcount != 1:
                    raise IntegrityError("head moved concurrently", None, Exception("unique: head moved"))
                return Entry(seq=seq, prev_hash=last_hash, entry_hash=h, **{k: content[k] for k in CONTENT_FIELDS})

        return self._retry(attempt)

    @staticmethod
    def _latest(conn: Connection, submission_id: str) -> tuple[Entry | None, Entry | None]:
        """(latest confirm/override, latest sign-off after it) for a submission."""
        rows = conn.execute(select(log_table).where(log_table.c.submission_id == submission_id)
                            .where(log_table.c.action.in_([Action.CONFIRM.value, Action.OVERRIDE.value,
                                                           Action.SIGNOFF.value]))
                            .order_by(log_table.c.seq)).mappings().all()
        decision = signoff = None
        for r in rows:
            e = Entry.from_row(r)
            if e.action in (Action.CONFIRM.value, Action.OVERRIDE.value):
                decision, signoff = e, None
            elif decision is not None and e.input_sha256 == decision.input_sha256 \
                    and e.rules_sha256 == decision.rules_sha256:
                signoff = e
        return decision, signoff

    # -- API -----------------------------------------------------------------
    def record_decision(self, submission_id: str, input_sha256: str, rules_sha256: str, reviewer: str,
                        action: str | Action, tier: str | None = None, proposed: str | None = None,
                        reason: str | None = None, comment: str | None = None) -> Entry:
        """Append a confirm, override, comment or sign-off; returns the stored entry.

        confirm: ``proposed`` required, the decided tier is the proposed one.
        override: ``proposed`` and a different ``tier`` required, with a written ``reason``.
        comment: ``comment`` text required. signoff: signs the current, non-stale decision.
        Raises :class:`DecisionError` (bilingual) when refused, :class:`StoreError` on database failure.
        """
        sid = _text(submission_id, "submission_id", "申报编号", required=True, limit=MAX_NAME).strip()
        who = _text(reviewer, "reviewer", "审评人姓名", required=True, limit=MAX_NAME).strip()
        ish = _sha(input_sha256, "input_sha256", "输入数据哈希")
        rsh = _sha(rules_sha256, "rules_sha256", "规则文件哈希")
        try:
            act = Action(getattr(action, "value", action))
        except ValueError:
            raise DecisionError(f"action must be one of {', '.join(a.value for a in Action)} (got {action!r})",
                                f"操作必须是 {'、'.join(a.value for a in Action)} 之一（当前：{action!r}）",
                                "action") from None
        tier_v = _tier(tier, "tier", "证据等级", required=False)
        prop_v = _tier(proposed, "proposed", "建议等级", required=act in (Action.CONFIRM, Action.OVERRIDE))
        reason_v = _text(reason, "reason", "理由", required=False)
        if act is Action.OVERRIDE and reason_v is None:
            raise DecisionError(f"an override needs a written reason (why the proposed tier {prop_v} is not accepted)",
                                f"改判须填写理由（说明不采纳建议等级 {prop_v} 的原因）", "reason")
        comment_v = _text(comment, "comment", "意见", required=act is Action.COMMENT)
        if act is Action.CONFIRM:
            if tier_v is not None and tier_v != prop_v:
                raise DecisionError(f"a confirmation takes the proposed tier {prop_v}; to choose {tier_v}, "
                                    f"record an override with a reason",
                                    f"确认即采用建议等级 {prop_v}；如改为 {tier_v}，请以改判方式记录并填写理由", "tier")
            tier_v = prop_v
        elif act is Action.OVERRIDE:
            if tier_v is None:
                raise DecisionError("an override needs the chosen tier", "改判须给出所定等级", "tier")
            if tier_v == prop_v:
                raise DecisionError(f"an override must choose a tier other than the proposed {prop_v}; "
                                    f"use confirm to accept it",
                                    f"改判等级须不同于建议等级 {prop_v}；如同意建议请使用“确认”", "tier")
        base = {"submission_id": sid, "input_sha256": ish, "rules_sha256": rsh, "reviewer": who,
                "action": act.value, "tier": tier_v, "proposed": prop_v, "reason": reason_v, "comment": comment_v}

        def build(conn: Connection) -> dict:
            if act is not Action.SIGNOFF:
                return dict(base)
            decision, _ = self._latest(conn, sid)
            if decision is None:
                raise DecisionError(f"nothing to sign off: no confirmed or overridden tier for {sid}",
                                    f"无可签署内容：{sid} 尚无确认或改判的等级", "action")
            if decision.input_sha256 != ish or decision.rules_sha256 != rsh:
                raise DecisionError(f"the decision for {sid} (seq {decision.seq}) was recorded against other inputs "
                                    f"or rules: confirm or override again before signing off",
                                    f"{sid} 的结论（序号 {decision.seq}）基于不同的输入数据或规则文件，"
                                    f"请重新确认或改判后再签署", "input_sha256")
            if tier_v is not None and tier_v != decision.tier:
                raise DecisionError(f"sign-off tier {tier_v} differs from the decided tier {decision.tier}",
                                    f"签署等级 {tier_v} 与所定等级 {decision.tier} 不一致", "tier")
            return dict(base, tier=decision.tier, proposed=decision.proposed)

        return self._append(build)

    def confirm(self, submission_id: str, input_sha256: str, rules_sha256: str, reviewer: str, proposed: str,
                comment: str | None = None) -> Entry:
        return self.record_decision(submission_id, input_sha256, rules_sha256, reviewer, Action.CONFIRM,
                                    proposed=proposed, comment=comment)

    def override(self, submission_id: str, input_sha256: str, rules_sha256: str, reviewer: str, proposed: str,
                 tier: str, reason: str, comment: str | None = None) -> Entry:
        return self.record_decision(submission_id, input_sha256, rules_sha256, reviewer, Action.OVERRIDE,
                                    tier=tier, proposed=proposed, reason=reason, comment=comment)

    def comment(self, submission_id: str, input_sha256: str, rules_sha256: str, reviewer: str, comment: str
                ) -> Entry:
        return self.record_decision(submission_id, input_sha256, rules_sha256, reviewer, Action.COMMENT,
                                    comment=comment)

    def signoff(self, submission_id: str, input_sha256: str, rules_sha256: str, reviewer: str,
                comment: str | None = None) -> Entry:
        return self.record_decision(submission_id, input_sha256, rules_sha256, reviewer, Action.SIGNOFF,
                                    comment=comment)

    def history(self, submission_id: str) -> list[Entry]:
        """Every entry for a submission, oldest first (superseded ones included)."""
        def read() -> list[Entry]:
            with self._read() as conn:
                rows = conn.execute(select(log_table).where(log_table.c.submission_id == submission_id)
                                    .order_by(log_table.c.seq)).mappings().all()
            return [Entry.from_row(r) for r in rows]
        return self._retry(read)

    def entries(self) -> list[Entry]:
        """The whole log, in chain order."""
        def read() -> list[Entry]:
            with self._read() as conn:
                rows = conn.execute(select(log_table).order_by(log_table.c.seq)).mappings().all()
            return [Entry.from_row(r) for r in rows]
        return self._retry(read)

    def current(self, submission_id: str, input_sha256: str, rules_sha256: str | None = None) -> CurrentDecision:
        """The decision in force; ``stale`` when it was recorded against other inputs (or rules, if given)."""
        def read() -> tuple[Entry | None, Entry | None]:
            with self._read() as conn:
                return self._latest(conn, submission_id)
        decision, signoff = self._retry(read)
        if decision is None:
            return CurrentDecision(submission_id, None)
        en, zh = [], []
        if input_sha256 is not None and decision.input_sha256 != str(input_sha256).strip().lower():
            en.append(f"recorded against input {decision.input_sha256[:12]}…, the submission is now "
                      f"{str(input_sha256)[:12]}…")
            zh.append(f"结论基于输入数据 {decision.input_sha256[:12]}…，当前为 {str(input_sha256)[:12]}…")
        if rules_sha256 is not None and decision.rules_sha256 != str(rules_sha256).strip().lower():
            en.append(f"recorded under rules {decision.rules_sha256[:12]}…, rules now {str(rules_sha256)[:12]}…")
            zh.append(f"结论基于规则文件 {decision.rules_sha256[:12]}…，当前为 {str(rules_sha256)[:12]}…")
        return CurrentDecision(submission_id, decision, signoff, bool(en), en, zh)

    def verify_chain(self) -> VerifyResult:
        """Recompute every hash and link; detects edited, deleted, reordered entries and a truncated tail."""
        def read() -> VerifyResult:
            with self._read() as conn:
                rows = conn.execute(select(log_table).order_by(log_table.c.seq)).mappings().all()
                head = conn.execute(select(head_table).where(head_table.c.id == 1)).mappings().first()
            return verify_rows(rows, head)
        return self._retry(read)
