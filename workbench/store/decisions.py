"""Reviewer decisions: an append-only, hash-chained audit log (evidence-tiers.md, "Reviewer decision").

Every confirm, override, comment, sign-off and role change is one entry; nothing is updated or deleted
through this API (a later decision supersedes an earlier one). One chain covers the whole store. A head
record (last seq and hash) is written in the same transaction as each entry, so a truncated tail is
detected too. Each entry records who made it (an authenticated identity, never free text), and the store
enforces the roles: only a lead signs off, never their own decision. See docs/decisions.md.
"""
from __future__ import annotations

import os
import random
import time
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from .chain import CHAIN_VERSION, CONTENT_FIELDS, GENESIS, VerifyResult, entry_hash, verify_rows
from .engine import SQLITE_BEGIN_OPTION, is_sqlite, make_engine, resolve_url
from .entry import Action, CurrentDecision, Entry
from .errors import DecisionError, StoreError
from .actors import identity_of, printed_name, signoff_refusals
from .identity import Identity
from .roles import ROLES_SUBJECT, RoleGrant, grants_sha256, load_roles, parse_roles, \
    role_changes, roles_from_rows
from .schema import MAX_NAME, create_or_upgrade, head_table, log_table, schema_current
from .validate import TIER_CODES, now, retryable, sha_value, text_value, tier_value

__all__ = ["Action", "CurrentDecision", "DecisionError", "DecisionStore", "Entry", "StoreError", "TIER_CODES"]

MAX_ATTEMPTS = 30
_DECISIONS = (Action.CONFIRM.value, Action.OVERRIDE.value)


class DecisionStore:
    """Reviewer decisions for many submissions, in one hash-chained log.

    ``url``: any SQLAlchemy URL, or a file path for SQLite; default ``$WORKBENCH_DB_URL``,
    else ``~/.local/share/stemcell-workbench/decisions.sqlite``. A store made by an earlier version is
    upgraded in place (identity columns added; old entries untouched).
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
                if attempt >= self.max_attempts or not retryable(exc):
                    raise StoreError(f"decision store {self!r}: {exc.__class__.__name__}: "
                                     f"{str(getattr(exc, 'orig', exc)).strip()} (attempt {attempt})") from exc
                time.sleep(random.uniform(0, min(0.5, 0.01 * 2 ** attempt)))
        raise AssertionError("unreachable")  # pragma: no cover

    def _init_schema(self) -> None:
        with self._read() as conn:
            if schema_current(conn):
                return
        with self._write() as conn:
            create_or_upgrade(conn)

    def _append(self, build: Callable[[Connection], list[dict]]) -> list[Entry]:
        """Append entries in one transaction: lock the head, check it against the tail, build the contents
        (which may refuse: nothing is written), insert them, move the head."""

        def attempt() -> list[Entry]:
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
                stamp = now()
                out = []
                seq, prev = last_seq, last_hash
                for content in build(conn):
                    content = {k: content.get(k) for k in CONTENT_FIELDS} | {"recorded_at": stamp}
                    seq += 1
                    h = entry_hash(seq, prev, content, CHAIN_VERSION)
                    conn.execute(log_table.insert().values(seq=seq, prev_hash=prev, entry_hash=h,
                                                           chain_version=CHAIN_VERSION, **content))
                    out.append(Entry(seq=seq, prev_hash=prev, entry_hash=h, chain_version=CHAIN_VERSION, **content))
                    prev = h
                if not out:
                    return out
                moved = conn.execute(head_table.update().where(head_table.c.id == 1)
                                     .where(head_table.c.seq == last_seq).values(seq=seq, entry_hash=prev))
                if moved.rowcount != 1:
                    raise IntegrityError("head moved concurrently", None, Exception("unique: head moved"))
                return out

        return self._retry(attempt)

    @staticmethod
    def _latest(conn: Connection, submission_id: str) -> tuple[Entry | None, Entry | None]:
        """(latest confirm/override, latest sign-off of it) for a submission."""
        rows = conn.execute(select(log_table).where(log_table.c.submission_id == submission_id)
                            .where(log_table.c.action.in_([*_DECISIONS, Action.SIGNOFF.value]))
                            .order_by(log_table.c.seq)).mappings().all()
        decision = signoff = None
        for r in rows:
            e = Entry.from_row(r)
            if e.action in _DECISIONS:
                decision, signoff = e, None
            elif decision is not None and (e.signs_hash == decision.entry_hash or (
                    e.signs_hash is None and e.input_sha256 == decision.input_sha256
                    and e.rules_sha256 == decision.rules_sha256)):
                signoff = e
        return decision, signoff

    @staticmethod
    def _roles(conn: Connection) -> dict[str, RoleGrant]:
        rows = conn.execute(select(log_table.c.role_identity, log_table.c.role, log_table.c.role_name)
                            .where(log_table.c.action == Action.ROLE.value).order_by(log_table.c.seq)).mappings()
        return roles_from_rows(rows)

    # -- API -----------------------------------------------------------------
    def record_decision(self, submission_id: str, input_sha256: str, rules_sha256: str, reviewer: Identity | str,
                        action: str | Action, tier: str | None = None, proposed: str | None = None,
                        reason: str | None = None, comment: str | None = None) -> Entry:
        """Append a confirm, override, comment or sign-off; returns the stored entry.

        ``reviewer``: the :class:`Identity` recording it (from the deployment: ``identity_from_environ()``);
        a plain name means the operating-system account running this process (``local:<user>``) with that
        printed name. When roles are named, only a reviewer or a lead records anything.
        confirm: ``proposed`` required, the decided tier is the proposed one.
        override: ``proposed`` and a different ``tier`` required, with a written ``reason``.
        comment: ``comment`` text required. signoff: signs the current, non-stale decision; only a lead, and
        not the identity that recorded the decision (four-eyes).
        Raises :class:`DecisionError` (bilingual) when refused, :class:`StoreError` on database failure.
        """
        sid = text_value(submission_id, "submission_id", "申报编号", required=True, limit=MAX_NAME).strip()
        if sid == ROLES_SUBJECT:
            raise DecisionError(f"{sid} is reserved for role entries", f"{sid} 保留给角色记录", "submission_id")
        actor = identity_of(reviewer)
        ish = sha_value(input_sha256, "input_sha256", "输入数据哈希")
        rsh = sha_value(rules_sha256, "rules_sha256", "规则文件哈希")
        try:
            act = Action(getattr(action, "value", action))
            if act in (Action.ROLE, Action.OVERLAY):
                raise ValueError
        except ValueError:
            allowed = [a.value for a in Action if a not in (Action.ROLE, Action.OVERLAY)]
            raise DecisionError(f"action must be one of {', '.join(allowed)} (got {action!r})",
                                f"操作必须是 {'、'.join(allowed)} 之一（当前：{action!r}）", "action") from None
        tier_v = tier_value(tier, "tier", "证据等级", required=False)
        prop_v = tier_value(proposed, "proposed", "建议等级", required=act in (Action.CONFIRM, Action.OVERRIDE))
        reason_v = text_value(reason, "reason", "理由", required=False)
        if act is Action.OVERRIDE and reason_v is None:
            raise DecisionError(f"an override needs a written reason (why the proposed tier {prop_v} is not accepted)",
                                f"改判须填写理由（说明不采纳建议等级 {prop_v} 的原因）", "reason")
        comment_v = text_value(comment, "comment", "意见", required=act is Action.COMMENT)
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
        base = {"submission_id": sid, "input_sha256": ish, "rules_sha256": rsh, "action": act.value,
                "tier": tier_v, "proposed": prop_v, "reason": reason_v, "comment": comment_v,
                "identity": actor.identity, "identity_source": actor.source}

        def build(conn: Connection) -> list[dict]:
            roles = self._roles(conn)
            content = dict(base, reviewer=printed_name(roles, actor))
            if act is not Action.SIGNOFF:
                return [content]
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
            en, zh = signoff_refusals(actor, roles, decision)
            if en:
                raise DecisionError("sign-off refused: " + "; ".join(en), "签署被拒绝：" + "；".join(zh), "identity")
            return [dict(content, tier=decision.tier, proposed=decision.proposed, signs_hash=decision.entry_hash)]

        return self._append(build)[0]

    def confirm(self, submission_id: str, input_sha256: str, rules_sha256: str, reviewer: Identity | str,
                proposed: str, comment: str | None = None) -> Entry:
        return self.record_decision(submission_id, input_sha256, rules_sha256, reviewer, Action.CONFIRM,
                                    proposed=proposed, comment=comment)

    def override(self, submission_id: str, input_sha256: str, rules_sha256: str, reviewer: Identity | str,
                 proposed: str, tier: str, reason: str, comment: str | None = None) -> Entry:
        return self.record_decision(submission_id, input_sha256, rules_sha256, reviewer, Action.OVERRIDE,
                                    tier=tier, proposed=proposed, reason=reason, comment=comment)

    def comment(self, submission_id: str, input_sha256: str, rules_sha256: str, reviewer: Identity | str,
                comment: str) -> Entry:
        return self.record_decision(submission_id, input_sha256, rules_sha256, reviewer, Action.COMMENT,
                                    comment=comment)

    def signoff(self, submission_id: str, input_sha256: str, rules_sha256: str, reviewer: Identity | str,
                comment: str | None = None) -> Entry:
        return self.record_decision(submission_id, input_sha256, rules_sha256, reviewer, Action.SIGNOFF,
                                    comment=comment)

    def apply_roles(self, roles: str | os.PathLike | Mapping, actor: Identity | str | None = None) -> list[Entry]:
        """Make the roles in force those of ``roles`` (a roles file, or its content as a mapping): one entry per
        grant, rename or revocation, appended in one transaction; nothing when they already are. ``actor``:
        who applies them (default the operating-system account). Raises ``RolesError`` for a bad file."""
        if isinstance(roles, Mapping):
            grants = parse_roles(roles)
            digest, origin = grants_sha256(grants), None
        else:
            grants, digest = load_roles(roles)
            origin = f"roles file {Path(roles).resolve()}"
        who = identity_of(actor)

        def build(conn: Connection) -> list[dict]:
            return [{"submission_id": ROLES_SUBJECT, "input_sha256": digest, "rules_sha256": digest,
                     "reviewer": who.printed_name, "action": Action.ROLE.value, "comment": origin,
                     "identity": who.identity, "identity_source": who.source,
                     "role_identity": g.identity, "role": g.role, "role_name": g.name}
                    for g in role_changes(self._roles(conn), grants)]

        return self._append(build)

    def roles(self) -> dict[str, RoleGrant]:
        """The roles in force: identity -> RoleGrant(identity, role, name)."""
        def read() -> dict[str, RoleGrant]:
            with self._read() as conn:
                return self._roles(conn)
        return self._retry(read)

    def record_overlay(self, submission_id: str, input_sha256: str, rules_sha256: str, reviewer: Identity | str,
                       overlay) -> Entry:
        """Append the reviewer's overlay (a :class:`workbench.overlay.Overlay`; its canonical JSON in ``comment``):
        what the data cannot tell, stated by the reviewer. The latest one is in force; a decision recorded before
        it is stale. Any reviewer or lead may record one (when roles are named)."""
        from ..overlay import Overlay

        if not isinstance(overlay, Overlay):
            raise DecisionError("overlay must be a workbench.overlay.Overlay", "overlay 必须是 Overlay 对象", "overlay")
        sid = text_value(submission_id, "submission_id", "申报编号", required=True, limit=MAX_NAME).strip()
        if sid == ROLES_SUBJECT:
            raise DecisionError(f"{sid} is reserved for role entries", f"{sid} 保留给角色记录", "submission_id")
        actor = identity_of(reviewer)
        base = {"submission_id": sid, "input_sha256": sha_value(input_sha256, "input_sha256", "输入数据哈希"),
                "rules_sha256": sha_value(rules_sha256, "rules_sha256", "规则文件哈希"),
                "action": Action.OVERLAY.value, "tier": None, "proposed": None,
                "reason": text_value(overlay.note, "note", "说明", required=False),
                "comment": overlay.to_json(), "identity": actor.identity, "identity_source": actor.source}

        def build(conn: Connection) -> list[dict]:
            return [dict(base, reviewer=printed_name(self._roles(conn), actor))]

        return self._append(build)[0]

    def overlay(self, submission_id: str):
        """(the overlay in force for ``submission_id`` or None, the entry that recorded it or None)."""
        from ..overlay import Overlay

        def read():
            with self._read() as conn:
                row = conn.execute(select(log_table).where(log_table.c.submission_id == submission_id)
                                   .where(log_table.c.action == Action.OVERLAY.value)
                                   .order_by(log_table.c.seq.desc()).limit(1)).mappings().first()
            return None if row is None else Entry.from_row(row)
        entry = self._retry(read)
        if entry is None:
            return None, None
        return Overlay.from_json(entry.comment or "{}"), entry

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
        _, overlay_entry = self.overlay(submission_id)
        if overlay_entry is not None and overlay_entry.seq > decision.seq:
            en.append(f"the reviewer overlay changed after it (seq {overlay_entry.seq})")
            zh.append(f"其后审评人员补充信息（overlay）有变更（序号 {overlay_entry.seq}）")
        return CurrentDecision(submission_id, decision, signoff, bool(en), en, zh)

    def verify_chain(self) -> VerifyResult:
        """Recompute every hash and link; detects edited, deleted, reordered entries and a truncated tail."""
        def read() -> VerifyResult:
            with self._read() as conn:
                rows = conn.execute(select(log_table).order_by(log_table.c.seq)).mappings().all()
                head = conn.execute(select(head_table).where(head_table.c.id == 1)).mappings().first()
            return verify_rows(rows, head)
        return self._retry(read)

