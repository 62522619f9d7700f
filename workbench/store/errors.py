"""The store's two exceptions: a refused entry (bilingual) and a database failure."""
from __future__ import annotations


class DecisionError(ValueError):
    """A decision the store refuses (missing reason, wrong tier, no identity, four-eyes...), with a bilingual
    message; nothing was written."""

    def __init__(self, message_en: str, message_zh: str, field: str | None = None):
        super().__init__(f"{message_en} / {message_zh}")
        self.message_en, self.message_zh, self.field = message_en, message_zh, field

    def message(self, lang: str = "zh") -> str:
        return self.message_zh if lang == "zh" else self.message_en


class StoreError(RuntimeError):
    """The database could not be written or read (after bounded retries), or the log is inconsistent."""
