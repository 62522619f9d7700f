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


def test_relative_sqlite_made_absolute_for_the_app(monkeypatch, tmp_path):
    """`workbench serve --db-url rel.sqlite`: the app's kernels run in another folder, so the server hands them
    an absolute path (else the decisions would land beside the notebooks, or in a folder removed on exit)."""
    from workbench.serve import serve_env
    from workbench.store.engine import absolute_url

    monkeypatch.chdir(tmp_path)
    for given in ("rel.sqlite", "sqlite:///rel.sqlite", "./sub/../rel.sqlite"):
        assert absolute_url(given) == f"sqlite:///{tmp_path / 'rel.sqlite'}", given
    for kept in ("sqlite://", "sqlite:///:memory:", "postgresql://u:secret@db.example/wb", f"sqlite:///{tmp_path}/a.db"):
        assert absolute_url(kept) == kept
    env = serve_env(tmp_path, "decisions.sqlite", "zh")
    assert env["WORKBENCH_DB_URL"] == f"sqlite:///{tmp_path / 'decisions.sqlite'}"
