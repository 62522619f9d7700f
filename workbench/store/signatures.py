"""Signature manifestation (21 CFR 11.50): for each entry the printed name, the identity, the time with its
zone and the meaning (confirm / override / sign-off ...), as rows every output shares - the app's tier panel,
report.html, the audit export (CSV, PDF) and review documents.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone, tzinfo

from .entry import Entry
from .identity import source_label
from .roles import role_label

SIGNATURE_FIELDS = ("seq", "time", "printed_name", "identity", "identity_source", "meaning", "tier", "statement",
                    "entry_hash")
_LABELS = {
    "seq": ("序号", "#"),
    "time": ("时间（含时区）", "Time (with zone)"),
    "printed_name": ("签名人姓名", "Printed name"),
    "identity": ("身份", "Identity"),
    "identity_source": ("身份来源", "Identity source"),
    "meaning": ("含义", "Meaning"),
    "tier": ("等级", "Tier"),
    "statement": ("理由或意见", "Reason or comment"),
    "entry_hash": ("记录哈希", "Entry hash"),
}
LANGS = ("zh", "en", "both")


def _pick(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"


def signature_labels(lang: str = "zh") -> dict[str, str]:
    """Column headers of :func:`signature_rows` in ``lang`` (zh, en, or both)."""
    return {k: _pick(zh, en, lang) for k, (zh, en) in _LABELS.items()}


def _zone(tz: str | tzinfo | None) -> tuple[tzinfo, str]:
    if tz is None or tz == "UTC" or tz is timezone.utc:
        return timezone.utc, "UTC"
    if isinstance(tz, tzinfo):
        return tz, str(tz)
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(tz), tz
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r} (e.g. UTC, Asia/Shanghai) / 未知时区 {tz!r}") from None


def format_time(recorded_at: str, tz: str | tzinfo | None = "UTC") -> str:
    """``2026-05-01 18:23:45 +08:00 (Asia/Shanghai)`` from a stored UTC ISO 8601 time (seconds shown)."""
    zone, name = _zone(tz)
    try:
        t = datetime.fromisoformat(recorded_at)
    except (TypeError, ValueError):
        return str(recorded_at)
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    local = t.astimezone(zone)
    off = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M:%S} {off[:3]}:{off[3:]} ({name})"


def meaning(e: Entry, lang: str = "zh", seq_of: dict[str, int] | None = None) -> str:
    """What the entry means, in words: confirm / override / sign-off (of which decision) / comment / role change."""
    if e.action == "confirm":
        return _pick(f"确认（采纳建议等级 {e.proposed}）", f"Confirm (accepts the proposed tier {e.proposed})", lang)
    if e.action == "override":
        return _pick(f"改判（建议 {e.proposed}，定为 {e.tier}）", f"Override (proposed {e.proposed}, decided {e.tier})",
                     lang)
    if e.action == "signoff":
        ref = None
        if e.signs_hash:
            n = (seq_of or {}).get(e.signs_hash)
            ref = f"#{n}" if n is not None else f"{e.signs_hash[:12]}…"
        zh = f"签署（批准结论 {ref}：{e.tier}）" if ref else f"签署（批准结论 {e.tier}）"
        en = f"Sign-off (approves decision {ref}: {e.tier})" if ref else f"Sign-off (approves the decided tier {e.tier})"
        return _pick(zh, en, lang)
    if e.action == "comment":
        return _pick("意见", "Comment", lang)
    if e.action == "overlay":
        from ..overlay import Overlay, OverlayError

        try:
            what = Overlay.from_json(e.comment or "{}")
            detail_zh, detail_en = what.describe("zh"), what.describe("en")
        except (OverlayError, ValueError):
            detail_zh = detail_en = e.comment or ""
        return _pick(f"审评人员补充信息：{detail_zh}", f"Reviewer overlay: {detail_en}", lang)
    if e.action == "role":
        named = f" ({e.role_name})" if e.role_name else ""
        return _pick(f"角色变更：{e.role_identity}{named} → {role_label(e.role, 'zh')}",
                     f"Role change: {e.role_identity}{named} → {role_label(e.role, 'en')}", lang)
    return e.action


def signature_rows(entries: Iterable[Entry], lang: str = "zh", tz: str | tzinfo | None = "UTC") -> list[dict]:
    """One row per entry (chain order kept) with :data:`SIGNATURE_FIELDS`: printed name, identity, identity
    source, time with zone, meaning, tier, reason or comment, entry hash. Entries recorded before identities
    were have identity "—" and source "unrecorded". ``lang``: zh, en or both."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    entries = list(entries)
    seq_of = {e.entry_hash: e.seq for e in entries}
    rows = []
    for e in entries:
        rows.append({
            "seq": e.seq,
            "time": format_time(e.recorded_at, tz),
            "printed_name": e.reviewer,
            "identity": e.identity or "—",
            "identity_source": source_label(e.identity_source, lang),
            "meaning": meaning(e, lang, seq_of),
            "tier": e.tier or "",
            "statement": e.reason or ("" if e.action == "overlay" else e.comment) or "",
            "entry_hash": e.entry_hash,
        })
    return rows
