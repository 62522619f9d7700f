"""Reviewer decision store: append-only, hash-chained audit log (SQLite by default, any SQLAlchemy URL).

Public API::

    from workbench.store import DecisionStore
    store = DecisionStore()            # $WORKBENCH_DB_URL or ~/.local/share/stemcell-workbench/decisions.sqlite
    store.record_decision(sid, input_sha256, rules_sha256, "王审评", "override",
                          tier="T2", proposed="T3", reason="...")
    store.current(sid, input_sha256, rules_sha256).stale
    store.verify_chain().ok
"""
from .chain import CHAIN_VERSION, GENESIS, VerifyResult, canonical_json, entry_hash
from .decisions import Action, CurrentDecision, DecisionError, DecisionStore, Entry, StoreError
from .engine import ENV_URL, default_sqlite_path, resolve_url

__all__ = ["Action", "CHAIN_VERSION", "CurrentDecision", "DecisionError", "DecisionStore", "ENV_URL", "Entry",
           "GENESIS", "StoreError", "VerifyResult", "canonical_json", "default_sqlite_path", "entry_hash",
           "resolve_url"]
