"""Database URL resolution and engines set up for safe concurrent appends.

SQLite: WAL journal, ``synchronous=FULL``, a busy timeout, and pysqlite's own
transaction handling switched off so that SQLAlchemy's ``begin`` emits
``BEGIN IMMEDIATE`` for writes (the write lock is taken before the chain tail is
read) and ``BEGIN`` for reads. PostgreSQL and other servers: the default
isolation (READ COMMITTED); writers serialise on ``SELECT … FOR UPDATE`` of the head row.
"""
from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import StaticPool

ENV_URL = "WORKBENCH_DB_URL"
BUSY_TIMEOUT_S = 30.0
SQLITE_BEGIN_OPTION = "workbench_sqlite_begin"


def default_sqlite_path() -> Path:
    """``$XDG_DATA_HOME/stemcell-workbench/decisions.sqlite`` (default ``~/.local/share/…``)."""
    from ..settings import data_home

    return data_home() / "stemcell-workbench" / "decisions.sqlite"


def resolve_url(url: str | os.PathLike | None = None) -> str:
    """The database URL: the argument, else ``$WORKBENCH_DB_URL``, else the default SQLite file.

    A plain filesystem path (no ``://``) means a SQLite file at that path.
    """
    if url is None:
        from ..settings import Settings

        url = Settings.from_env().db_url    # $WORKBENCH_DB_URL, else the default SQLite file
    raw = os.fspath(url)
    if "://" not in raw:
        return f"sqlite:///{Path(raw).expanduser().resolve()}"
    return raw


def absolute_url(url: str | os.PathLike | None = None) -> str:
    """:func:`resolve_url` with a relative SQLite file made absolute against the current folder, for handing
    to another process (the app's kernels run in another folder)."""
    resolved = resolve_url(url)
    u = make_url(resolved)
    database = u.database or ""
    if u.get_backend_name() != "sqlite" or database in ("", ":memory:") or database.startswith("file:"):
        return resolved
    return u.set(database=str(Path(database).expanduser().resolve())).render_as_string(hide_password=False)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str, busy_timeout_s: float = BUSY_TIMEOUT_S) -> Engine:
    """An engine for ``url``; SQLite files get their folder created and the hooks described above."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite":
        return create_engine(u, pool_pre_ping=True, future=True)
    database = u.database or ""
    memory = database in ("", ":memory:") or database.startswith("file::memory:")
    kwargs: dict = {"connect_args": {"timeout": busy_timeout_s, "check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = StaticPool
    else:
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(u, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # noqa: ANN001
        dbapi_conn.isolation_level = None      # we issue BEGIN ourselves (see _on_begin)
        cur = dbapi_conn.cursor()
        try:
            cur.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            if not memory:
                cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
            cur.execute("PRAGMA foreign_keys = ON")
        finally:
            cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # noqa: ANN001
        mode = conn.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
