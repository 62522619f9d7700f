"""From a finding to the records behind it (the findings explorer's drill-down)."""
from __future__ import annotations

import re

import pandas as pd

from .findings import Finding
from .submission import Submission

_KEY_RE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+?)\s*$")


def _same_key(series: pd.Series, value: str) -> pd.Series:
    """Compare as text, treating 3 and 3.0 as the same key."""
    def norm(v):
        if v is None or (isinstance(v, float) and v != v):
            return ""
        text = str(v).strip()
        try:
            f = float(text)
            return str(int(f)) if f.is_integer() else text
        except ValueError:
            return text
    return series.map(norm) == norm(value)


def table_for(sub: Submission, domain: str | None) -> pd.DataFrame | None:
    """The table a finding's domain names: an SDTM domain, SUPP--, or the CMC / documents tables."""
    if not domain:
        return None
    key = domain.upper()
    special = {"BATCHES": sub.batches, "CMC": sub.batches, "RELEASE_TESTS": sub.release_tests,
               "DOCUMENTS": sub.documents}
    if key in special:
        return special[key]
    return sub.datasets.get(key) if key in sub.datasets else sub.supp.get(key)


def records_for(sub: Submission, finding: Finding, limit: int = 200) -> pd.DataFrame:
    """Records of the finding's domain for its subject and record key (``AESEQ=3``, ``LOTID=L007`` …)."""
    table = table_for(sub, finding.domain)
    if table is None:
        # lot and document keys are meaningful without a domain
        for candidate in (sub.batches, sub.release_tests, sub.documents):
            if candidate is not None and finding.record:
                m = _KEY_RE.match(finding.record)
                if m and m.group(1).upper() in candidate.columns:
                    return candidate[_same_key(candidate[m.group(1).upper()], m.group(2))].head(limit)
        return pd.DataFrame()
    mask = pd.Series(True, index=table.index)
    if finding.usubjid and "USUBJID" in table.columns:
        mask &= table["USUBJID"] == finding.usubjid
    if finding.record:
        m = _KEY_RE.match(finding.record)
        if m and m.group(1).upper() in table.columns:
            mask &= _same_key(table[m.group(1).upper()], m.group(2))
    if not (finding.usubjid or finding.record):
        return table.head(0)
    return table[mask].head(limit)
