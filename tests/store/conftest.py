"""Fixtures for the decision-store tests: a SQLite file per test, and a real PostgreSQL when one can be had.

PostgreSQL: ``$WORKBENCH_TEST_PG_URL`` (a server where we may CREATE DATABASE or CREATE SCHEMA),
else a throwaway cluster started with ``/usr/lib/postgresql/*/bin/initdb`` + ``pg_ctl`` in a temporary
folder on a free port (as user ``postgres`` via ``runuser``/``su`` when running as root: initdb
refuses root). Tests skip with the reason only when neither works.
"""
from __future__ import annotations

import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # the suite runs without an installed package too
    sys.path.insert(0, str(ROOT))

PG_ENV = "WORKBENCH_TEST_PG_URL"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return cmd
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *cmd]
    if shutil.which("su"):
        return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(cmd)]
    raise RuntimeError("running as root and neither runuser nor su is available to switch to user postgres")


class _Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("no /usr/lib/postgresql/*/bin/initdb found")
        self.bindir = Path(bins[-1]).parent
        self.base = Path(tempfile.mkdtemp(prefix="wb-pg-"))
        if os.geteuid() == 0:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                shutil.rmtree(self.base, ignore_errors=True)
                raise RuntimeError("running as root and there is no 'postgres' user for initdb") from None
            os.chown(self.base, pw.pw_uid, pw.pw_gid)
        self.data = self.base / "data"
        self.port = 0
        self.started = False

    def _run(self, cmd: list[str], timeout: float = 60) -> None:
        res = subprocess.run(_as_postgres(cmd), capture_output=True, text=True, timeout=timeout)
        if res.returncode != 0:
            detail = (res.stderr or res.stdout).strip()[-500:]
            raise RuntimeError(f"{Path(cmd[0]).name} failed ({res.returncode}): {detail}")

    def start(self) -> str:
        self._run([str(self.bindir / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres",
                   "-E", "UTF8", "--locale=C", "--no-sync"])
        last = None
        for _ in range(3):
            self.port = _free_port()
            opts = (f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
                    f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
            try:
                self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.base / "server.log"),
                           "-w", "-t", "30", "-o", opts, "start"])
                self.started = True
                return f"postgresql+psycopg2://postgres@127.0.0.1:{self.port}/postgres"
            except RuntimeError as exc:  # e.g. the port was taken in between
                last = exc
        raise RuntimeError(f"pg_ctl start failed: {last}")

    def stop(self) -> None:
        try:
            if self.started:
                self._run([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.base, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_admin_url():
    """URL of a PostgreSQL server for the tests, or a skip with the reason."""
    url = os.environ.get(PG_ENV)
    if url:
        yield url
        return
    try:
        import psycopg2  # noqa: F401
    except ImportError:
        pytest.skip("PostgreSQL tests: psycopg2 not installed")
    cluster = None
    try:
        cluster = _Cluster()
        url = cluster.start()
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        if cluster is not None:
            cluster.stop()
        pytest.skip(f"PostgreSQL tests: ${PG_ENV} not set and no throwaway cluster could be started: {exc}")
    try:
        yield url
    finally:
        cluster.stop()


@pytest.fixture
def pg_url(pg_admin_url):
    """A fresh, empty PostgreSQL schema (or database, if schemas cannot be created) for one test."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = "wb_" + uuid.uuid4().hex[:12]
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    base = make_url(pg_admin_url)
    mode = None
    try:
        with admin.connect() as conn:
            for mode, ddl in (("schema", f'CREATE SCHEMA "{name}"'), ("database", f'CREATE DATABASE "{name}"')):
                try:
                    conn.execute(text(ddl))
                    break
                except Exception as exc:  # noqa: BLE001 - no right to create it: try the other way
                    last = exc
            else:
                mode = None
                pytest.skip(f"PostgreSQL tests: cannot create a schema or a database on ${PG_ENV}: {last}")
        if mode == "schema":
            url = base.update_query_dict({"options": f"-csearch_path={name}"})
        else:
            url = base.set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        if mode is not None:
            with admin.connect() as conn:
                if mode == "schema":
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{name}" CASCADE'))
                else:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """The same store tests against a SQLite file and against a real PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'decisions.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def backend(store_url) -> str:
    return "sqlite" if store_url.startswith("sqlite") else "postgresql"
