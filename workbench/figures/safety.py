"""Safety figures: TEAE heatmap SOC × arm, top preferred terms, risk-difference forest plot, Kaplan–Meier."""
from __future__ import annotations

import plotly.graph_objects as go

from ._common import arm_colours, data, draft, empty, layout, pct_text, reason_text, scatter, trace
from .labels import t


def _arms(d: dict) -> list[dict]:
    return d.get("overview", [])


def teae_heatmap(safety, lang: str = "zh") -> go.Figure:
    """Subjects with ≥1 TEAE per SOC (rows, most frequent on top) and arm (columns), % of dosed subjects."""
    d = data(safety)
    title = t("heatmap_title", lang)
    socs = [r for r in d.get("by_soc_pt", []) if r.get("level") == "soc"]
    arms = [a["arm"] for a in _arms(d)]
    if not socs or not arms:
        return empty(title, lang, reason_text(d, lang))
    socs = socs[::-1]                     # most frequent at the top
    z = [[r["by_arm"][a]["pct"] if r["by_arm"].get(a) else None for a in arms] for r in socs]
    text = [[f"{r['by_arm'][a]['n']} ({pct_text(r['by_arm'][a]['pct'])})" for a in arms] for r in socs]
    dosed = {a["arm"]: a["dosed"] for a in _arms(d)}
    xl = [f"{a}<br>N={dosed.get(a, 0)}" for a in arms]
    fig = draft(trace("heatmap", 
        z=z, x=xl, y=[r["soc"] for r in socs], text=text, texttemplate="%{text}", colorscale="Reds", zmin=0,
        colorbar={"title": t("percent_subjects", lang)},
        hovertemplate=f"{t('soc', lang)}: %{{y}}<br>{t('arm', lang)}: %{{x}}<br>{t('subjects', lang)}: %{{text}}"
                      "<extra></extra>"))
    fig.update_xaxes(title=t("arm", lang), side="bottom")
    fig.update_yaxes(title=t("soc", lang), automargin=True)
    return layout(fig, title, lang, height=max(350, 120 + 28 * len(socs)))


def top_pt_bars(safety, lang: str = "zh", top: int = 15) -> go.Figure:
    """The ``top`` most frequent preferred terms (subjects, overall), % of dosed subjects per arm."""
    d = data(safety)
    pts = [r for r in d.get("by_soc_pt", []) if r.get("level") == "pt"]
    arms = _arms(d)
    title = t("top_pt_title", lang, k=min(top, len(pts)) if pts else top)
    if not pts or not arms:
        return empty(title, lang, reason_text(d, lang))
    pts = sorted(pts, key=lambda r: (-r["n"], r["pt"]))[:top][::-1]
    colours = arm_colours([(a["arm"], bool(a.get("control"))) for a in arms])
    fig = draft()
    for a in arms[::-1]:          # horizontal groups stack bottom-up: first arm on top, legend in arm order
        arm = a["arm"]
        fig.add_trace(trace("bar", 
            y=[r["pt"] for r in pts], x=[r["by_arm"][arm]["pct"] or 0 for r in pts], orientation="h",
            name=f"{arm} (N={a['dosed']})", marker={"color": colours[arm]},
            customdata=[[r["by_arm"][arm]["n"], r["soc"]] for r in pts],
            hovertemplate=f"{t('pt', lang)}: %{{y}}<br>{t('soc', lang)}: %{{customdata[1]}}<br>{t('arm', lang)}: "
                          f"{arm}<br>{t('subjects', lang)}: %{{customdata[0]}} (%{{x:.1f}}%)<extra></extra>"))
    fig.update_layout(barmode="group", legend={"traceorder": "reversed"})
    fig.update_xaxes(title=t("percent_subjects", lang))
    fig.update_yaxes(title=t("pt", lang), automargin=True)
    return layout(fig, title, lang, height=max(380, 140 + 22 * len(pts) * max(1, len(arms)) // 2))


def risk_difference_forest(safety, lang: str = "zh", comparison: str | None = None, top: int = 25) -> go.Figure:
    """Forest plot of TEAE risk differences per PT vs control with Newcombe 95% CIs (``comparison``: an active
    arm or 'POOLED'; default pooled when present, else the first active arm)."""
    d = data(safety)
    rows = d.get("risk_differences", [])
    comps = list(dict.fromkeys(r["comparison"] for r in rows))
    if comparison is None and comps:
        comparison = "POOLED" if "POOLED" in comps else comps[0]
    label = t("pooled", lang) if comparison == "POOLED" else (comparison or "—")
    title = t("rd_title", lang, comparison=label)
    sel = [r for r in rows if r["comparison"] == comparison and r.get("risk_difference") is not None]
    if not sel:
        return empty(title, lang, reason_text(d, lang))
    sel = sorted(sel, key=lambda r: (-(r["n_active"] + r["n_control"]), r["pt"]))[:top]
    sel = sorted(sel, key=lambda r: r["risk_difference"])
    y = [r["pt"] for r in sel]
    hover = [f"{t('pt', lang)}: {r['pt']}<br>{t('soc', lang)}: {r['soc']}<br>{t('active', lang)}: "
             f"{r['n_active']}/{r['denom_active']}<br>{t('control', lang)}: {r['n_control']}/{r['denom_control']}"
             f"<br>{t('risk_difference', lang)}: {r['risk_difference']:.3f}"
             f"<br>{t('ci95', lang)}: {r['ci_low']:.3f} – {r['ci_high']:.3f}" for r in sel]
    colours = ["#d62728" if r["ci_low"] > 0 else "#1f77b4" if r["ci_high"] < 0 else "#555555" for r in sel]
    fig = draft(trace("scatter", 
        x=[r["risk_difference"] for r in sel], y=y, mode="markers", name=t("risk_difference", lang),
        marker={"size": 9, "color": colours, "symbol": "square"},
        error_x={"type": "data", "symmetric": False, "array": [r["ci_high"] - r["risk_difference"] for r in sel],
                 "arrayminus": [r["risk_difference"] - r["ci_low"] for r in sel], "color": "#555"},
        hovertext=hover, hoverinfo="text"))
    fig.add_vline(x=0, line={"color": "black", "dash": "dot"})
    fig.update_xaxes(title=t("risk_difference", lang), range=[-1.05, 1.05], zeroline=False)
    fig.update_yaxes(title=t("pt", lang), automargin=True)
    return layout(fig, title, lang, height=max(350, 120 + 24 * len(sel)), showlegend=False)


def km_curves(safety, lang: str = "zh", show_ci: bool = True) -> go.Figure:
    """Kaplan–Meier curves of time to first serious TEAE per arm (censoring marks, optional 95% CI bands)."""
    d = data(safety)
    title = t("km_title", lang)
    curves = [k for k in d.get("km", []) if k.get("time")]
    if not curves:
        return empty(title, lang, reason_text(d, lang))
    colours = arm_colours([(k["arm"], bool(k.get("control"))) for k in curves])
    fig = draft()
    for k in curves:
        colour = colours[k["arm"]]
        name = f"{k['arm']} (N={k['n']}, {t('serious_ae', lang)}={k['events']})"
        times, surv = k["time"], k["survival"]
        if show_ci:
            fig.add_trace(scatter(len(times), x=times, y=k["ci_high"], mode="lines", line={"width": 0, "shape": "hv"},
                                  showlegend=False, hoverinfo="skip", legendgroup=k["arm"]))
            fig.add_trace(scatter(len(times), x=times, y=k["ci_low"], mode="lines", fill="tonexty",
                                  line={"width": 0, "shape": "hv"}, fillcolor=_alpha(colour, 0.15),
                                  showlegend=False, hoverinfo="skip", legendgroup=k["arm"]))
        fig.add_trace(scatter(len(times), x=times, y=surv, mode="lines", name=name, legendgroup=k["arm"],
                              line={"shape": "hv", "color": colour, "width": 2},
                              customdata=list(zip(k["at_risk"], k["n_events"])),
                              hovertemplate=f"{t('arm', lang)}: {k['arm']}<br>{t('day', lang)}: %{{x:.0f}}<br>"
                                            f"{t('survival', lang)}: %{{y:.3f}}<br>{t('at_risk', lang)}: "
                                            f"%{{customdata[0]}}<extra></extra>"))
        cx = [x for x, c in zip(times, k["n_censored"]) if c]
        cy = [y for y, c in zip(surv, k["n_censored"]) if c]
        if cx:
            fig.add_trace(scatter(len(cx), x=cx, y=cy, mode="markers", name=t("censored", lang),
                                  legendgroup=k["arm"], showlegend=False,
                                  marker={"symbol": "line-ns-open", "size": 8, "color": colour},
                                  hovertemplate=f"{t('censored', lang)}: %{{x:.0f}} {t('days', lang)}<extra></extra>"))
    fig.update_xaxes(title=t("km_x", lang), rangemode="tozero")
    fig.update_yaxes(title=t("km_y", lang), range=[0, 1.03], tickformat=".0%")
    return layout(fig, title, lang, height=460)


def _alpha(hex_colour: str, a: float) -> str:
    h = hex_colour.lstrip("#")
    r, g, b = (int(h[i:i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{a})"
