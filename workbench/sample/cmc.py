"""Batch records and release tests (`cmc/batches.csv`, `cmc/release_tests.csv`) for simulated lots."""
from __future__ import annotations

import numpy as np
import pandas as pd

from .spec import iso
from .study import Study
from .vocab import Attribute

# how a failed lot shows in its release tests: reason -> (attribute, failing result, attributes tested)
FAILURE_RESULTS = {
    "insufficient expansion": ("CELL_COUNT", 0.6, ("VIABILITY", "CELL_COUNT")),
    "bacterial contamination": ("STERILITY", "POSITIVE", None),
    "mycoplasma contamination": ("MYCOPLASMA", "POSITIVE", None),
    "post-thaw viability below specification": ("VIABILITY", 71.4, None),
    "endotoxin above specification": ("ENDOTOXIN", 0.82, None),
    "karyotype abnormality": ("KARYOTYPE", "47,XX,+12", None),
}


def add_failed_lots(study: Study, failures: list[tuple[str, str, str]], rng: np.random.Generator) -> None:
    """Extra lots that were made but never used: (status, reason, process version), spread over the study."""
    lots = study.lots
    lo, hi = float(lots["mfg"].min()), float(lots["mfg"].max())
    rows = []
    for j, (status, reason, ver) in enumerate(failures):
        mfg = float(np.floor(lo + (hi - lo) * (j + 0.5) / len(failures)) + rng.integers(0, 5))
        rows.append({"_si": -1, "k": 0, "first_use": np.nan, "mfg": mfg, "PROCVER": ver, "used": False,
                     "STATUS": status, "FAILREASON": reason})
    new = pd.concat([lots, pd.DataFrame(rows)], ignore_index=True)
    renumber(study, new)


def renumber(study: Study, lots: pd.DataFrame) -> None:
    """Number lots in manufacturing order (LOTID = prefix-YYnnn) and rewrite EXLOT accordingly."""
    lots = lots.sort_values(["mfg", "first_use"], kind="stable", na_position="last").reset_index(drop=True)
    years = pd.to_datetime(iso(lots["mfg"].to_numpy())).year % 100
    new_ids = [f"{study.spec.lot_prefix}-{y:02d}{k:03d}" for k, y in enumerate(years, start=1)]
    mapping = {old: new for old, new in zip(lots["LOTID"], new_ids) if isinstance(old, str)}
    lots["LOTID"] = new_ids
    ex = study.tables["EX"]
    ex["EXLOT"] = ex["EXLOT"].map(lambda v: mapping.get(v, v) if isinstance(v, str) else v).astype(object)
    study.lots = lots


def mark_failed(study: Study, status_reason: list[tuple[str, str]]) -> None:
    """Autologous lots of never-treated subjects: give each a failure status and reason, in order."""
    lots = study.lots
    idx = lots.index[~lots["used"]].tolist()
    for i, (status, reason) in zip(idx, status_reason):
        lots.at[i, "STATUS"] = status
        lots.at[i, "FAILREASON"] = reason


def batches_table(study: Study, site: str) -> pd.DataFrame:
    lots = study.lots
    return pd.DataFrame({"LOTID": lots["LOTID"], "PROCVER": lots["PROCVER"], "MFGDT": iso(lots["mfg"].to_numpy()),
                         "SITE": site, "STATUS": lots["STATUS"], "FAILREASON": lots["FAILREASON"]})


def release_table(study: Study, attributes: list[Attribute], rng: np.random.Generator,
                  karyotypes: dict[str, str] | None = None, commercial: str | None = None) -> pd.DataFrame:
    """One row per lot x attribute. Passing lots stay well inside specification and show no drift
    between process versions (values within +-1.5 SD of the attribute's centre)."""
    lots = study.lots
    rows = []
    numeric = [a for a in attributes if a.text is None]
    values = {a.name: np.round(a.mean + a.sd * np.clip(rng.standard_normal(len(lots)), -1.5, 1.5), a.decimals)
              for a in numeric}
    _no_drift(lots, values, numeric, commercial)
    for i, lot in lots.iterrows():
        fail = FAILURE_RESULTS.get(str(lot["FAILREASON"]).lower()) if lot["STATUS"] != "RELEASED" else None
        tested = fail[2] if fail and fail[2] else None
        for a in attributes:
            if tested is not None and a.name not in tested:
                continue
            if a.text is not None:
                spec_text = (karyotypes or {}).get(lot["LOTID"], a.text) if a.name == "KARYOTYPE" else a.text
                result = spec_text
            else:
                spec_text = None
                result = _fmt(values[a.name][i], a.decimals)
            if fail and a.name == fail[0]:
                result = fail[1] if isinstance(fail[1], str) else _fmt(fail[1], a.decimals)
            rows.append({"LOTID": lot["LOTID"], "ATTRIBUTE": a.name, "RESULT": result, "UNIT": a.unit or None,
                         "SPEC_LOW": _fmt(a.low, a.decimals) if a.low is not None else None,
                         "SPEC_HIGH": _fmt(a.high, a.decimals) if a.high is not None else None,
                         "SPEC_TEXT": spec_text})
    return pd.DataFrame(rows, columns=["LOTID", "ATTRIBUTE", "RESULT", "UNIT", "SPEC_LOW", "SPEC_HIGH", "SPEC_TEXT"])


def _no_drift(lots: pd.DataFrame, values: dict, numeric: list[Attribute], commercial: str | None) -> None:
    """Pull any commercial-process value that sits beyond 2.5 SD of the other used lots back to their mean."""
    used = lots["used"].to_numpy()
    com = (lots["PROCVER"] == commercial).to_numpy() if commercial else np.ones(len(lots), dtype=bool)
    for a in numeric:
        v = values[a.name]
        for _ in range(5):
            changed = False
            for ref in (used, used & ~com):
                if ref.sum() < 3:
                    continue
                m, sd = v[ref].mean(), v[ref].std(ddof=1)
                bad = used & com & (np.abs(v - m) > 2.5 * max(sd, 10 ** -a.decimals))
                if bad.any():
                    v[bad] = np.round(m, a.decimals)
                    changed = True
            if not changed:
                break


def _fmt(x: float, decimals: int) -> str:
    return f"{x:.{decimals}f}"
