"""The portfolio: one row per submission of a batch output folder, and its figures."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .enums import TIER_CODES
from .findings import ELEMENT_LABELS, Element

COLUMNS = ["submission_id", "title", "product", "cell_type", "design", "subjects_dosed", "tier", "critical", "major",
           "minor", "info", "completeness", "mtd", "efficacy_signal", "status", "error", "run_seconds", "attempts",
           "folder"]


def _row(run_dir: Path) -> tuple[dict, dict] | None:
    try:
        run = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    row = {c: None for c in COLUMNS}
    row.update(submission_id=run.get("submission_id", run_dir.name), status=run.get("status"),
               error=run.get("error"), run_seconds=run.get("seconds"), attempts=run.get("attempts"),
               folder=run.get("folder"))
    scorecard: dict = {}
    try:
        doc = json.loads((run_dir / "review.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return row, scorecard
    study, tier, an = doc.get("study") or {}, doc.get("tier") or {}, doc.get("analyses") or {}
    sev = doc.get("findings_by_severity") or {}
    mtd = ((an.get("dlt") or {}).get("mtd") or {}).get("arm")
    row.update(title=study.get("title"), product=study.get("product"), cell_type=study.get("cell_type"),
               design=study.get("design"), subjects_dosed=study.get("subjects_dosed"), tier=tier.get("proposed"),
               critical=sev.get("critical"), major=sev.get("major"), minor=sev.get("minor"), info=sev.get("info"),
               completeness=doc.get("completeness"), mtd=mtd, efficacy_signal=(an.get("efficacy") or {}).get("signal"))
    scorecard = doc.get("scorecard") or {}
    return row, scorecard


def load_portfolio(out_dir: str | Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(portfolio rows, element status matrix submission × element) from a batch output folder."""
    rows, matrix = [], []
    for run_dir in sorted(p for p in Path(out_dir).iterdir() if p.is_dir() and not p.name.startswith(".")):
        got = _row(run_dir)
        if got is None:
            continue
        row, card = got
        rows.append(row)
        for el in Element:
            if el.value in card:
                matrix.append({"submission_id": row["submission_id"], "element": el.value,
                               "status": card[el.value].get("status")})
    return (pd.DataFrame(rows, columns=COLUMNS),
            pd.DataFrame(matrix, columns=["submission_id", "element", "status"]))


def write_portfolio(out_dir: str | Path) -> pd.DataFrame:
    """Write portfolio.csv (UTF-8 with BOM, opens in Excel) and portfolio.parquet atomically."""
    from .review import atomic_write

    df, _ = load_portfolio(out_dir)
    out = Path(out_dir)
    atomic_write(out / "portfolio.csv", "\ufeff" + df.to_csv(index=False))
    import io

    buf = io.BytesIO()
    df.astype({c: "object" for c in ("mtd", "efficacy_signal", "error", "title")}).to_parquet(buf, index=False)
    atomic_write(out / "portfolio.parquet", buf.getvalue())
    return df


STATUS_SCORE = {"complete": 2, "gaps": 1, "unusable": 0}


def tier_distribution_figure(df: pd.DataFrame, lang: str = "zh"):
    """Bar chart: submissions per proposed tier."""
    import plotly.graph_objects as go

    from .figures._common import new_figure

    tiers = list(TIER_CODES)
    counts = df["tier"].value_counts().reindex(tiers, fill_value=0)
    colors = ["#8a1c1c", "#c0392b", "#d68910", "#2874a6", "#1e8449"]
    fig = new_figure(go.Bar(x=tiers, y=counts.values, marker_color=colors,
                           hovertemplate="%{x}: %{y}<extra></extra>"))
    fig.update_layout(title="各证据等级的申报数" if lang == "zh" else "Submissions by proposed tier",
                      xaxis_title="建议证据等级" if lang == "zh" else "Proposed tier",
                      yaxis_title="申报数" if lang == "zh" else "Submissions", height=360,
                      yaxis={"tickformat": ",d", "rangemode": "tozero"})
    return fig


def completeness_matrix_figure(matrix: pd.DataFrame, lang: str = "zh"):
    """Heatmap: element status (complete / gaps / unusable) per submission."""
    import plotly.graph_objects as go

    from .figures._common import new_figure

    if matrix.empty:
        return new_figure()
    piv = matrix.assign(score=matrix["status"].map(STATUS_SCORE)).pivot(
        index="submission_id", columns="element", values="score")
    cols = [el.value for el in Element if el.value in piv.columns]
    piv = piv[cols]
    labels = [ELEMENT_LABELS[Element(c)][0 if lang == "zh" else 1] for c in cols]
    names = {2: "完整" if lang == "zh" else "complete", 1: "有缺口" if lang == "zh" else "gaps",
             0: "不可用" if lang == "zh" else "unusable"}
    text = piv.map(lambda v: names.get(v, "") if v == v else "")
    fig = new_figure(go.Heatmap(z=piv.values, x=labels, y=list(piv.index), text=text.values, texttemplate="%{text}",
                               zmin=0, zmax=2, showscale=False,
                               colorscale=[[0, "#f5b7b1"], [0.5, "#fdebd0"], [1, "#d5f5e3"]],
                               hovertemplate="%{y} · %{x}: %{text}<extra></extra>"))
    fig.update_layout(title="各申报关键信息完整性" if lang == "zh" else "Key-information completeness by submission",
                      height=max(300, 60 + 40 * len(piv)), xaxis_tickangle=-20)
    return fig
