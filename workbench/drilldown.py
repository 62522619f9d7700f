"""From a finding to the records behind it (the findings explorer's drill-down)."""
from __future__ import annotations

import re

import pandas as pd

from .findings import Finding
from .submission import Submission

_KEY_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+?)\s*$")


def _norm(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    text = str(v).strip()
    try:
        f = float(text)
        return str(int(f)) if f.is_integer() else text
    except ValueError:
        return text


def _same_key(series: pd.Series, value: str) -> pd.Series:
    """Compare as text, treating 3 and 3.0 as the same key."""
    return series.map(_norm) == _norm(value)


def _tables(sub: Submission, domain: str | None) -> list[tuple[str, pd.DataFrame]]:
    """The finding's own domain first, then the CMC and documents tables."""
    out = []
    if domain:
        key = domain.upper()
        table = sub.datasets.get(key) if key in sub.datasets else sub.supp.get(key) if key in sub.supp \
            else sub.adam.get(key)   # the analysis datasets of a data package (REC-*, PKG-*)
        if table is not None:
            out.append((key, table))
    for name, table in (("cmc/batches.csv", sub.batches), ("cmc/release_tests.csv", sub.release_tests),
                        ("documents/index.csv", sub.documents)):
        if table is not None:
            out.append((name, table))
    return out


def _key_column(name: str, table: pd.DataFrame, key: str) -> str | None:
    """The column holding ``key`` in this table: itself, or the domain-prefixed form (LOTID -> EXLOT)."""
    if key in table.columns:
        return key
    if key == "LOTID" and len(name) <= 8 and f"{name[:2]}LOT" in table.columns:
        return f"{name[:2]}LOT"
    return None


def records_for(sub: Submission, finding: Finding, limit: int = 200) -> list[tuple[str, pd.DataFrame]]:
    """Tables and rows behind a finding: rows matching its record key (``AESEQ=3``, ``LOTID=L007``, ``DOCID=…``)
    and subject. Only rows that match are returned; a key no table holds gives the subject's rows of its domain."""
    m = _KEY_RE.match(finding.record or "")
    key, value = (m.group(1).upper(), m.group(2)) if m else (None, None)
    found = []
    for name, table in _tables(sub, finding.domain):
        own = name == (finding.domain or "").upper()
        mask = pd.Series(True, index=table.index)
        applied = False
        if key:
            col = _key_column(name, table, key)
            if col is not None:
                mask &= _same_key(table[col], value)
                applied = True
        if finding.usubjid and "USUBJID" in table.columns and (applied or own):
            mask &= table["USUBJID"] == finding.usubjid
            applied = True
        if applied and mask.any():
            found.append((name, table[mask].head(limit)))
    return found
