"""Tables of the decision log, their append-only triggers, and creating or upgrading them.

Upgrading a store made before identities were recorded adds the identity columns (nullable: ALTER TABLE
... ADD COLUMN rewrites no row and fires no trigger) and sets the head's ``chain_version``; old entries keep
their content and hash (chain version 1, identity source "unrecorded").
"""
from __future__ import annotations

from sqlalchemy import Column, Index, Integer, MetaData, String, Table, Text, inspect, select, text
from sqlalchemy.engine import Connection

from .chain import CHAIN_VERSION, GENESIS

MAX_NAME = 200
PG_LOCK_KEY = 0x5743_4449  # "WCDI": serialises schema creation across processes (pg_advisory_xact_lock)

metadata = MetaData()

# added by chain version 2; nullable so that old rows stay as they are
IDENTITY_COLUMNS = (
    Column("chain_version", Integer),
    Column("identity", String(MAX_NAME)),
    Column("identity_source", String(80)),
    Column("signs_hash", String(64)),
    Column("role_identity", String(MAX_NAME)),
    Column("role", String(16)),
    Column("role_name", String(MAX_NAME)),
)

log_table = Table(
    "wb_decision_log", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),   # PRIMARY KEY: a lost race fails loudly
    Column("recorded_at", String(40), nullable=False),
    Column("submission_id", String(MAX_NAME), nullable=False),
    Column("input_sha256", String(64), nullable=False),
    Column("rules_sha256", String(64), nullable=False),
    Column("reviewer", String(MAX_NAME), nullable=False),
    Column("action", String(16), nullable=False),
    Column("tier", String(4)),
    Column("proposed", String(4)),
    Column("reason", Text),
    Column("comment", Text),
    Column("prev_hash", String(64), nullable=False, unique=True),
    Column("entry_hash", String(64), nullable=False, unique=True),
    *IDENTITY_COLUMNS,
    Index("ix_wb_decision_log_submission", "submission_id", "seq"),
)

head_table = Table(
    "wb_decision_head", metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),    # always 1
    Column("seq", Integer, nullable=False),
    Column("entry_hash", String(64), nullable=False),
    Column("chain_version", Integer, nullable=False),
)

_SQLITE_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS wb_decision_log_no_update BEFORE UPDATE ON wb_decision_log "
    "BEGIN SELECT RAISE(ABORT, 'wb_decision_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS wb_decision_log_no_delete BEFORE DELETE ON wb_decision_log "
    "BEGIN SELECT RAISE(ABORT, 'wb_decision_log is append-only'); END",
]
_PG_TRIGGERS = [
    "CREATE OR REPLACE FUNCTION wb_decision_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'wb_decision_log is append-only'; END $$",
    "CREATE TRIGGER wb_decision_log_no_change BEFORE UPDATE OR DELETE ON wb_decision_log "
    "FOR EACH ROW EXECUTE FUNCTION wb_decision_log_append_only()",
    "CREATE TRIGGER wb_decision_log_no_truncate BEFORE TRUNCATE ON wb_decision_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION wb_decision_log_append_only()",
]


def schema_current(conn: Connection) -> bool:
    """True when the tables, the head row and the identity columns are all there (nothing to do)."""
    insp = inspect(conn)
    if not insp.has_table(head_table.name) or not insp.has_table(log_table.name):
        return False
    head = conn.execute(select(head_table.c.chain_version).where(head_table.c.id == 1)).first()
    if head is None or head.chain_version < CHAIN_VERSION:
        return False
    have = {c["name"] for c in insp.get_columns(log_table.name)}
    return all(c.name in have for c in IDENTITY_COLUMNS)


def create_or_upgrade(conn: Connection) -> list[str]:
    """Inside a write transaction: create the tables (and triggers) or add what an older store lacks.
    Returns the columns added (empty for a new or current store)."""
    dialect = conn.dialect.name
    if dialect == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_LOCK_KEY})
    created = not inspect(conn).has_table(log_table.name)
    metadata.create_all(conn)
    if created and dialect == "sqlite":
        for ddl in _SQLITE_TRIGGERS:
            conn.exec_driver_sql(ddl)
    elif created and dialect == "postgresql":
        for ddl in _PG_TRIGGERS:
            conn.exec_driver_sql(ddl)
    have = {c["name"] for c in inspect(conn).get_columns(log_table.name)}
    added = []
    for col in IDENTITY_COLUMNS:
        if col.name not in have:
            ddl_type = col.type.compile(dialect=conn.dialect)
            conn.exec_driver_sql(f"ALTER TABLE {log_table.name} ADD COLUMN {col.name} {ddl_type}")
            added.append(col.name)
    head = conn.execute(select(head_table.c.chain_version).where(head_table.c.id == 1)).first()
    if head is None:
        last = conn.execute(select(log_table.c.seq, log_table.c.entry_hash)
                            .order_by(log_table.c.seq.desc()).limit(1)).first()
        seq, h = (last.seq, last.entry_hash) if last else (0, GENESIS)
        conn.execute(head_table.insert().values(id=1, seq=seq, entry_hash=h, chain_version=CHAIN_VERSION))
    elif head.chain_version < CHAIN_VERSION:
        conn.execute(head_table.update().where(head_table.c.id == 1).values(chain_version=CHAIN_VERSION))
    return added
