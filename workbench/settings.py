"""One settings object shared by the CLI, the notebooks and the app (house style, after voila)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

LANGS = ("zh", "en")


def default_db_url() -> str:
    base = Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "stemcell-workbench"
    return f"sqlite:///{base / 'decisions.sqlite'}"


@dataclass(frozen=True)
class Settings:
    """Language, rules file, decision database, output folder, and where the reviewer's identity comes from.

    There is no reviewer name to set: the identity is the request header ``user_header`` (set by the
    authenticating proxy; `workbench serve --user-header`), else the operating-system account.
    Environment overrides: WORKBENCH_LANG, WORKBENCH_RULES, WORKBENCH_DB_URL, WORKBENCH_USER_HEADER.
    """

    lang: str = "zh"
    rules_path: str | None = None
    db_url: str = field(default_factory=default_db_url)
    out_dir: str | None = None
    user_header: str | None = None

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, not {self.lang!r}")

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        env = {"lang": os.environ.get("WORKBENCH_LANG"), "rules_path": os.environ.get("WORKBENCH_RULES"),
               "db_url": os.environ.get("WORKBENCH_DB_URL"), "user_header": os.environ.get("WORKBENCH_USER_HEADER")}
        values = {k: v for k, v in env.items() if v}
        values.update({k: v for k, v in overrides.items() if v is not None and v != ""})
        return cls(**values)

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)
