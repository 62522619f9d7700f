"""REC-004 (placeholder while the library's hepatic analysis lands)."""
from __future__ import annotations

from .result import not_applicable


def hepatic_flags(sub):
    return not_applicable("REC-004", "pending", "pending")
