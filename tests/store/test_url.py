"""Where the store lives: argument, $WORKBENCH_DB_URL, default SQLite file."""
from __future__ import annotations

import hashlib

from workbench.store import DecisionStore, default_sqlite_path, resolve_url

H = hashlib.sha256(b"x").hexdigest()


def test_default_location(monkeypatch, tmp_path):
    monkeypatch.delenv("WORKBENCH_DB_URL", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_sqlite_path() == tmp_path / ".local" / "share" / "stemcell-workbench" / "decisions.sqlite"
    with DecisionStore() as s:
        s.record_decision("S", H, H, "王", "confirm", proposed="T2")
    assert default_sqlite_path().is_file()


def test_env_var_and_argument(monkeypatch, tmp_path):
    env_db = tmp_path / "env.sqlite"
    monkeypatch.setenv("WORKBENCH_DB_URL", f"sqlite:///{env_db}")
    assert resolve_url() == f"sqlite:///{env_db}"
    with DecisionStore() as s:
        s.record_decision("S", H, H, "王", "confirm", proposed="T2")
    assert env_db.is_file()
    # an explicit argument wins; a bare path means a SQLite file (folders created)
    arg_db = tmp_path / "sub" / "dir" / "arg.sqlite"
    with DecisionStore(str(arg_db)) as s:
        assert s.entries() == []
    assert arg_db.is_file()
    assert resolve_url("postgresql://u@db.example/wb") == "postgresql://u@db.example/wb"


def test_wal_mode_on_sqlite(tmp_path):
    import sqlite3
    db = tmp_path / "w.sqlite"
    DecisionStore(str(db)).close()
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_in_memory_sqlite():
    with DecisionStore("sqlite://") as s:
        s.record_decision("S", H, H, "王", "confirm", proposed="T2")
        assert s.verify_chain().ok and len(s.entries()) == 1
