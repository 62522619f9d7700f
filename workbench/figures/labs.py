"""Laboratory figures drawn from :class:`workbench.analyses.labs.LabsResult`: the eDISH plot (hepatic safety) and
a chosen test's values by visit."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from ._common import arm_colours, draft, empty, layout, scatter, trace
from .labels import t

X_LINE, Y_LINE = 3.0, 2.0   # ALT or AST > 3×ULN, total bilirubin > 2×ULN


def _arms(labs) -> list[tuple[str, bool]]:
    h = getattr(labs, "hepatic", None)
    if h is None or len(h) == 0:
        return []
    return [(r["ARM"], bool(r["CONTROL"])) for r in h.to_dict("records") if r["ARM"] != "ALL"]


def _reason(labs, lang: str, hepatic: bool = False) -> str | None:
    from ..analyses._common import reason

    code = getattr(labs, "hepatic_reason_code" if hepatic else "reason_code", None)
    if not code:
        return None
    r = reason(code)
    return r["reason_zh"] if lang == "zh" else r["reason"]


def edish(labs, lang: str = "zh") -> go.Figure:
    """Per evaluable subject: peak post-baseline ALT or AST ×ULN (x) against peak total bilirubin ×ULN (y), log
    axes, the 3×ULN and 2×ULN lines, coloured by arm, hover = subject. WebGL above 1,000 points per arm."""
    title = t("edish_title", lang)
    e = getattr(labs, "edish", None)
    if e is None or len(e) == 0:
        return empty(title, lang, _reason(labs, lang, hepatic=True) or _reason(labs, lang))
    ok = (e["TRANS_X"] > 0) & (e["BILI_X"] > 0)
    points = e[ok]
    if points.empty:
        return empty(title, lang, t("edish_not_plotted", lang, n=len(e)))
    arms = _arms(labs)
    colours = arm_colours(arms)
    fig = draft()
    order = [a for a, _ in arms] + sorted({a for a in points["ARM"].dropna()} - {a for a, _ in arms})
    for arm in order + [None]:
        p = points[points["ARM"].isna()] if arm is None else points[points["ARM"] == arm]
        if p.empty:
            continue
        name = f"{arm if arm is not None else '—'} (n={len(p)})"
        custom = [[u, _x(a), _x(s), _x(b)] for u, a, s, b in zip(p["USUBJID"], p["ALT_X"], p["AST_X"], p["BILI_X"])]
        fig.add_trace(scatter(len(p), x=p["TRANS_X"].tolist(), y=p["BILI_X"].tolist(), mode="markers", name=name,
                              marker={"color": colours.get(arm, "#333333"), "size": 7, "opacity": 0.8,
                                      "line": {"width": 0.5, "color": "white"}},
                              customdata=custom,
                              hovertemplate=f"{t('subject', lang)}: %{{customdata[0]}}<br>{t('arm', lang)}: "
                                            f"{arm if arm is not None else '—'}<br>{t('alt', lang)}: %{{customdata[1]}}"
                                            f" ×ULN<br>{t('ast', lang)}: %{{customdata[2]}} ×ULN<br>{t('bili', lang)}:"
                                            f" %{{customdata[3]}} ×ULN<extra></extra>"))
    xs = points["TRANS_X"].tolist() + [X_LINE]
    ys = points["BILI_X"].tolist() + [Y_LINE]
    x_rng = [math.log10(min(xs)) - 0.15, math.log10(max(xs)) + 0.25]
    y_rng = [math.log10(min(ys)) - 0.15, math.log10(max(ys)) + 0.25]
    fig.add_vline(x=X_LINE, line={"color": "#c0392b", "dash": "dash", "width": 1})
    fig.add_hline(y=Y_LINE, line={"color": "#c0392b", "dash": "dash", "width": 1})
    for text, x, y, xa, ya in ((t("edish_hys", lang), 1, 1, "right", "top"), (t("edish_chole", lang), 0, 1, "left", "top"),
                               (t("edish_temple", lang), 1, 0, "right", "bottom"),
                               (t("edish_normal", lang), 0, 0, "left", "bottom")):
        fig.add_annotation(text=text, x=x, y=y, xref="x domain", yref="y domain", xanchor=xa, yanchor=ya,
                           showarrow=False, font={"size": 11, "color": "#7f8c8d"})
    fig.update_xaxes(title=t("edish_x", lang), type="log", range=x_rng, **_ticks(x_rng))
    fig.update_yaxes(title=t("edish_y", lang), type="log", range=y_rng, **_ticks(y_rng))
    missing = int((~ok).sum())
    sub = f"<br><sup>{t('edish_not_plotted', lang, n=missing)}</sup>" if missing else ""
    fig.update_layout(meta={"wb_subject": "customdata.0"})   # a point's subject id (the app opens its profile)
    return layout(fig, title + sub, lang, height=520)


TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)


def _ticks(log_range: list[float]) -> dict:
    """Readable ticks on a log axis (0.5, 1, 2, 3, 5, 10 …) within the range."""
    vals = [v for v in TICKS if log_range[0] <= math.log10(v) <= log_range[1]]
    return {"tickvals": vals, "ticktext": [f"{v:g}" for v in vals]} if len(vals) >= 2 else {}


def _x(v) -> str:
    return "—" if v is None or v != v else f"{v:.2f}"


def lab_tests(labs) -> list[tuple[str, str]]:
    """(test code, label) of the tests :func:`lab_over_time` can draw, in table order."""
    tests = getattr(labs, "tests", None)
    by_visit = getattr(labs, "by_visit", None)
    if tests is None or len(tests) == 0 or by_visit is None or len(by_visit) == 0:
        return []
    keys = set(by_visit["KEY"])
    return [(str(r["KEY"]), str(r["LABEL"])) for r in tests.to_dict("records") if r["KEY"] in keys]


def default_test(labs) -> str | None:
    """The key shown first: ALT when present, else the first test."""
    choices = lab_tests(labs)
    if not choices:
        return None
    tests = labs.tests.set_index(labs.tests["KEY"].astype(str))
    for key, _ in choices:
        if str(tests.loc[key, "TESTCD"]).upper() == "ALT":
            return key
    return choices[0][0]


def lab_over_time(labs, lang: str = "zh", test: str | int | None = None, change: bool = False) -> go.Figure:
    """Mean ± SD per arm by visit (baseline first) of one LB test (``test``: its key, as :func:`lab_tests` lists,
    or its LBTESTCD; default ALT, else the first test); ``change`` for the change from baseline."""
    choices = dict(lab_tests(labs))
    key = None
    if test is not None and str(test) in choices:
        key = str(test)
    elif test is not None:
        hit = labs.tests[labs.tests["TESTCD"].astype(str).str.upper() == str(test).upper()]
        key = str(hit["KEY"].iloc[0]) if len(hit) and str(hit["KEY"].iloc[0]) in choices else None
    else:
        key = default_test(labs)
    label = choices.get(key, str(test) if test is not None else "—")
    title = t("lab_time_change_title" if change else "lab_time_title", lang, test=label)
    if key is None:
        return empty(title, lang, _reason(labs, lang))
    d = labs.by_visit[(labs.by_visit["KEY"].astype(str) == key) & (labs.by_visit["ARM"] != "__total__")]
    if change:
        d = d[d["ORDER"] >= 0]
    p = "C_" if change else ""
    d = d[d[f"{p}N"].fillna(0) > 0]
    if d.empty:
        return empty(title, lang, t("no_data", lang))
    visits = d.drop_duplicates("ORDER").sort_values("ORDER")
    names = [t("baseline", lang) if o < 0 else str(v) for o, v in zip(visits["ORDER"], visits["VISIT"])]
    pos = {o: n for o, n in zip(visits["ORDER"], names)}
    arms = _arms(labs)
    colours = arm_colours(arms)
    fig = draft()
    for arm, _ in arms:
        a = d[d["ARM"] == arm].sort_values("ORDER")
        if a.empty:
            continue
        fig.add_trace(trace("scatter", x=[pos[o] for o in a["ORDER"]], y=a[f"{p}MEAN"].tolist(), mode="lines+markers",
                            name=arm, marker={"color": colours.get(arm)}, line={"color": colours.get(arm)},
                            error_y={"type": "data", "array": a[f"{p}SD"].fillna(0).tolist(), "visible": True,
                                     "thickness": 1},
                            customdata=a[[f"{p}N", f"{p}SD"]].fillna(0).to_numpy().tolist(),
                            hovertemplate=f"{t('arm', lang)}: {arm}<br>{t('visit', lang)}: %{{x}}<br>{t('mean', lang)}: "
                                          f"%{{y:.3g}}<br>{t('sd', lang)}: %{{customdata[1]:.3g}}<br>{t('n', lang)}: "
                                          f"%{{customdata[0]}}<extra></extra>"))
    fig.update_xaxes(title=t("visit", lang), type="category", categoryorder="array", categoryarray=names)
    fig.update_yaxes(title=label)
    if change:
        fig.add_hline(y=0, line={"color": "black", "dash": "dot", "width": 1})
    return layout(fig, title, lang, height=440)
