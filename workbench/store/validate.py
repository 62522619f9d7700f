"""Checks on the values of an entry (bilingual refusals) and the clock."""
from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError

from ..enums import TIER_CODES
from .errors import DecisionError

MAX_TEXT = 20_000
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


def text_value(value: Any, name: str, zh: str, *, required: bool, limit: int = MAX_TEXT) -> str | None:
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


def sha_value(value: Any, name: str, zh: str) -> str:
    v = value.strip().lower() if isinstance(value, str) else value
    if not isinstance(v, str) or not _HEX64.match(v):
        raise DecisionError(f"{name} must be a SHA-256 hex digest (64 hex characters)",
                            f"{zh}必须是 SHA-256 十六进制摘要（64 位）", name)
    return v


def tier_value(value: Any, name: str, zh: str, *, required: bool) -> str | None:
    if value is None or value == "":
        if required:
            raise DecisionError(f"{name} is required", f"必须给出{zh}", name)
        return None
    v = getattr(value, "value", value)
    if not isinstance(v, str) or v.strip().upper() not in TIER_CODES:
        raise DecisionError(f"{name} must be one of {', '.join(TIER_CODES)} (got {value!r})",
                            f"{zh}必须是 {'、'.join(TIER_CODES)} 之一（当前：{value!r}）", name)
    return v.strip().upper()


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def retryable(exc: DBAPIError) -> bool:
    code = getattr(getattr(exc, "orig", None), "pgcode", None)
    if code is not None:
        # unique violation (lost race), serialization failure, deadlock, lock not available
        return code in ("23505", "40001", "40P01", "55P03")
    if isinstance(exc, IntegrityError):
        return "unique" in str(exc.orig).lower() or "primary key" in str(exc.orig).lower()
    msg = str(getattr(exc, "orig", exc)).lower()
    return any(w in msg for w in ("locked", "busy", "deadlock", "serializ", "could not obtain lock"))
