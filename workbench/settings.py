"""One settings object shared by the CLI, the notebooks and the app (house style, after voila).

:meth:`Settings.from_env` is the one place the workbench reads its environment variables; everything else is
handed a ``Settings`` (the app's kernels are separate processes, so `workbench serve` passes settings to them as
these variables). The request of a page (its query string, the proxy's identity header) is not a setting: Voila
gives it per request.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

LANGS = ("zh", "en")
ENV = {   # field -> environment variable
    "lang": "WORKBENCH_LANG", "rules_path": "WORKBENCH_RULES", "db_url": "WORKBENCH_DB_URL",
    "user_header": "WORKBENCH_USER_HEADER", "root": "WORKBENCH_ROOT", "runs_dir": "WORKBENCH_RUNS",
    "cache_dir": "WORKBENCH_CACHE_DIR", "tz": "WORKBENCH_TZ", "checks": "WORKBENCH_CHECKS",
}


def data_home() -> Path:
    """``$XDG_DATA_HOME`` (default ``~/.local/share``)."""
    return Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share").expanduser()


def default_db_url() -> str:
    return f"sqlite:///{data_home() / 'stemcell-workbench' / 'decisions.sqlite'}"


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return str(Path(base) / "stemcell-workbench")


@dataclass(frozen=True)
class Settings:
    """Language, rules file, decision database, submissions root, batch output, cache folder, time zone shown,
    analysts' check files, and where the reviewer's identity comes from (``user_header``: the request header set
    by the authenticating proxy; else the operating-system account).

    Environment: WORKBENCH_LANG, WORKBENCH_RULES, WORKBENCH_DB_URL, WORKBENCH_USER_HEADER, WORKBENCH_ROOT,
    WORKBENCH_RUNS, WORKBENCH_CACHE_DIR (else $XDG_CACHE_HOME/stemcell-workbench), WORKBENCH_TZ,
    WORKBENCH_CHECKS (files separated by the path separator).
    """

    lang: str = "zh"
    rules_path: str | None = None
    db_url: str = field(default_factory=default_db_url)
    out_dir: str | None = None
    user_header: str | None = None
    root: str = "sample_data"
    runs_dir: str | None = None
    cache_dir: str = field(default_factory=default_cache_dir)
    tz: str = "UTC"
    checks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.lang not in LANGS:
            raise ValueError(f"lang must be one of {LANGS}, not {self.lang!r}")

    @classmethod
    def from_env(cls, **overrides) -> "Settings":
        values: dict = {}
        for name, var in ENV.items():
            v = (os.environ.get(var) or "").strip()
            if v:
                values[name] = tuple(p for p in v.split(os.pathsep) if p) if name == "checks" else v
        values.update({k: v for k, v in overrides.items() if v is not None and v != ""})
        return cls(**values)

    def to_env(self) -> dict[str, str]:
        """The environment variables that carry these settings to another process (the app's kernels)."""
        out = {}
        for name, var in ENV.items():
            v = getattr(self, name)
            if v:
                out[var] = os.pathsep.join(v) if name == "checks" else str(v)
        return out

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    def load_checks(self) -> list[str]:
        """Import the analysts' check files named in ``checks``; the ids they registered."""
        from .checks import load_checks

        ids: list[str] = []
        for path in self.checks:
            ids += load_checks(path)
        return ids
