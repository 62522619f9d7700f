"""CMC control charts: release results per attribute by lot in manufacturing order."""
from __future__ import annotations

import plotly.graph_objects as go

from ._common import ARM_COLOURS, data, draft, empty, layout, reason_text, scatter, trace
from .labels import t


def _attr(d: dict, attribute: str) -> dict | None:
    key = attribute.strip().upper()
    return next((a for a in d.get("attributes", []) if a["attribute"] == key), None)


def cmc_control_chart(cmc, attribute: str, lang: str = "zh") -> go.Figure:
    """Results by lot in manufacturing order, coloured by process version (symbol: clinical lot), with the
    specification limits, the clinical-lot mean ± 3 SD band, and commercial lots outside it circled."""
    d = data(cmc)
    a = _attr(d, attribute)
    title = t("cmc_title", lang, attribute=attribute.upper())
    if a is None or not a.get("results"):
        return empty(title, lang, reason_text(d, lang))
    res = a["results"]
    lots = [r["lotid"] for r in res]
    unit = a.get("unit")
    fig = draft()
    if not a.get("numeric"):
        return _text_chart(a, lots, lang)
    if a.get("lower_3sd") is not None:
        fig.add_hrect(y0=a["lower_3sd"], y1=a["upper_3sd"], fillcolor="rgba(44,160,44,0.12)", line_width=0,
                      layer="below")
        fig.add_trace(trace("scatter", x=[None], y=[None], mode="lines", name=t("band_3sd", lang),
                                 line={"color": "rgba(44,160,44,0.4)", "width": 10}))
        fig.add_hline(y=a["clinical_mean"], line={"color": "#2ca02c", "width": 1.5},
                      annotation_text=t("clinical_mean", lang), annotation_position="bottom right")
    versions = list(dict.fromkeys(r.get("procver") for r in res))
    for i, v in enumerate(versions):
        rs = [r for r in res if r.get("procver") == v]
        name = t("process", lang, v=v) if v else t("process_unknown", lang)
        yes, no = t("yes", lang), t("no", lang)
        fig.add_trace(scatter(len(rs), x=[r["lotid"] for r in rs], y=[r["value"] for r in rs], mode="markers",
                              name=name,
                              marker={"size": 10, "color": ARM_COLOURS[(i + 1) % len(ARM_COLOURS)],
                                      "symbol": ["circle" if r.get("clinical") else "diamond-open" for r in rs]},
                              customdata=[[r.get("status") or "—", yes if r.get("clinical") else no,
                                           r.get("result") or "—", r.get("mfgdt") or "—"] for r in rs],
                              hovertemplate=f"{t('lot', lang)}: %{{x}}<br>{name}<br>{t('result', lang)}: "
                                            f"%{{customdata[2]}} {unit or ''}<br>{t('status', lang)}: "
                                            f"%{{customdata[0]}}<br>{t('clinical_lot', lang)}: %{{customdata[1]}}"
                                            f"<extra>%{{customdata[3]}}</extra>"))
    for symbol, key in (("circle", "clinical_lot"), ("diamond-open", "not_clinical_lot")):   # symbol legend
        fig.add_trace(trace("scatter", x=[None], y=[None], mode="markers", name=t(key, lang),
                                 marker={"size": 10, "color": "#555", "symbol": symbol}))
    out = [r for r in res if r.get("outside_clinical_range")]
    if out:
        fig.add_trace(trace("scatter", x=[r["lotid"] for r in out], y=[r["value"] for r in out], mode="markers",
                                 name=t("outside_band", lang),
                                 marker={"size": 20, "color": "rgba(0,0,0,0)", "line": {"color": "#d62728",
                                                                                        "width": 2}},
                                 hoverinfo="skip"))
    for key, label in (("spec_low", "spec_low"), ("spec_high", "spec_high")):
        if a.get(key) is not None:
            fig.add_hline(y=a[key], line={"dash": "dash", "color": "#d62728"},
                          annotation_text=f"{t(label, lang)} {a[key]:g}", annotation_position="top left")
    fig.update_xaxes(title=t("lot_order", lang), type="category", categoryorder="array", categoryarray=lots)
    ytitle = t("result", lang) + (f"（{unit}）" if unit and lang == "zh" else f" ({unit})" if unit else "")
    span = [r["value"] for r in res if r.get("value") is not None]
    span += [v for v in (a.get("lower_3sd"), a.get("upper_3sd"), a.get("spec_low"), a.get("spec_high")) if v is not None]
    yrange = None
    if span:
        lo, hi = min(span), max(span)
        pad = (hi - lo) * 0.08 or abs(hi) * 0.1 or 1.0
        yrange = [lo - pad, hi + pad]
    fig.update_yaxes(title=ytitle, range=yrange)
    return layout(fig, title, lang, height=420)


def _text_chart(a: dict, lots: list[str], lang: str) -> go.Figure:
    """Text results (sterility, karyotype ...): within / out of specification per lot."""
    res = a["results"]
    cats = {True: t("within_spec", lang), False: t("out_of_spec", lang), None: t("not_judged", lang)}
    colours = {True: "#2ca02c", False: "#d62728", None: "#999999"}
    fig = draft()
    for key in (True, False, None):
        rs = [r for r in res if r.get("within_spec") is key]
        if not rs:
            continue
        fig.add_trace(trace("scatter", x=[r["lotid"] for r in rs], y=[cats[key]] * len(rs), mode="markers",
                                 name=cats[key], marker={"size": 12, "color": colours[key]},
                                 text=[r.get("result") or "—" for r in rs],
                                 hovertemplate=f"{t('lot', lang)}: %{{x}}<br>{t('result', lang)}: %{{text}}"
                                               "<extra></extra>"))
    fig.update_xaxes(title=t("lot_order", lang), type="category", categoryorder="array", categoryarray=lots)
    fig.update_yaxes(title=t("result", lang), categoryorder="array",
                     categoryarray=[cats[None], cats[False], cats[True]])
    return layout(fig, t("text_attribute", lang, attribute=a["attribute"]), lang, height=320)


def cmc_control_charts(cmc, lang: str = "zh") -> dict[str, go.Figure]:
    """One control chart per attribute (attribute -> figure), in the analysis' attribute order."""
    d = data(cmc)
    return {a["attribute"]: cmc_control_chart(d, a["attribute"], lang) for a in d.get("attributes", [])}
