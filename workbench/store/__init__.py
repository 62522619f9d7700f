"""Reviewer decision store: append-only, hash-chained audit log (SQLite by default, any SQLAlchemy URL).

Public API::

    from workbench.store import DecisionStore, Identity, identity_from_environ
    store = DecisionStore()            # $WORKBENCH_DB_URL or ~/.local/share/stemcell-workbench/decisions.sqlite
    store.apply_roles("roles.yaml")    # who is a reviewer, who a lead (entries in the chain)
    me = identity_from_environ()       # the proxy's header (workbench serve --user-header), else local:<user>
    store.record_decision(sid, input_sha256, rules_sha256, me, "override", tier="T2", proposed="T3", reason="...")
    store.current(sid, input_sha256, rules_sha256).stale
    store.verify_chain().ok
    signature_rows(store.history(sid), "zh")   # printed name, identity, time with zone, meaning
"""
from .chain import CHAIN_VERSION, GENESIS, VerifyResult, canonical_json, entry_hash
from .decisions import DecisionStore
from .engine import ENV_URL, default_sqlite_path, resolve_url
from .entry import Action, CurrentDecision, Entry
from .errors import DecisionError, StoreError
from .identity import ENV_USER_HEADER, Identity, identity_from_environ, identity_from_header, source_label
from .roles import LEAD, REVIEWER, RoleGrant, RolesError, load_roles
from .signatures import SIGNATURE_FIELDS, format_time, signature_labels, signature_rows

__all__ = ["Action", "CHAIN_VERSION", "CurrentDecision", "DecisionError", "DecisionStore", "ENV_URL",
           "ENV_USER_HEADER", "Entry", "GENESIS", "Identity", "LEAD", "REVIEWER", "RoleGrant", "RolesError",
           "SIGNATURE_FIELDS", "StoreError", "VerifyResult", "canonical_json", "default_sqlite_path", "entry_hash",
           "format_time", "identity_from_environ", "identity_from_header", "load_roles", "resolve_url",
           "signature_labels", "signature_rows", "source_label"]
