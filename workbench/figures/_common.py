"""Shared figure plumbing: layout, WebGL switch, empty figures, accepting results or their dicts."""
from __future__ import annotations

import math

import plotly.graph_objects as go

from .labels import check_lang, t

WEBGL_THRESHOLD = 1000        # scatter traces with more points than this use go.Scattergl
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, Arial, sans-serif"
ARM_COLOURS = ["#7f7f7f", "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
               "#bcbd22", "#17becf"]
GRADE_COLOURS = {1: "#9ecae1", 2: "#fdae6b", 3: "#e6550d", 4: "#a50f15", 5: "#000000"}


# A light "plotly_white"-like template built once: plotly's stock templates are deep-copied into every
# figure that uses them (about 30 ms each), which dominated the cost of a review's figures.
HOUSE_TEMPLATE = go.layout.Template(layout={
    "paper_bgcolor": "white", "plot_bgcolor": "white", "colorway": ARM_COLOURS[1:] + ARM_COLOURS[:1],
    "xaxis": {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8", "automargin": True},
    "yaxis": {"gridcolor": "#EBF0F8", "linecolor": "#EBF0F8", "zerolinecolor": "#EBF0F8", "automargin": True},
    "hovermode": "closest"})


def new_figure(*traces, **kw) -> go.Figure:
    """A go.Figure with the house template (never plotly's default template)."""
    layout = dict(kw.pop("layout", None) or {})
    layout.setdefault("template", HOUSE_TEMPLATE)
    return go.Figure(data=list(traces) or None, layout=layout, **kw)


def data(result) -> dict:
    """An analysis result object or its ``to_dict()`` form -> the dict form."""
    if result is None:
        return {}
    if hasattr(result, "to_dict") and not isinstance(result, dict):
        d = result.to_dict()
        return d if isinstance(d, dict) else {"items": d}
    return result


def scatter(n_points: int, **kw):
    """go.Scatter, or go.Scattergl when the trace has more than WEBGL_THRESHOLD points."""
    return (go.Scattergl if n_points > WEBGL_THRESHOLD else go.Scatter)(**kw)


def layout(fig: go.Figure, title: str, lang: str, height: int = 450, width: int | None = None, **kw) -> go.Figure:
    """House layout: title, white template, CJK-capable fonts, legend below the plot."""
    check_lang(lang)
    fig.update_layout(title={"text": title, "x": 0.01, "xanchor": "left"},
                      font={"family": FONT, "size": 13}, height=height, width=width,
                      margin={"l": 70, "r": 30, "t": 70, "b": 60},
                      legend={"orientation": "v", "yanchor": "top", "y": 1, "x": 1.02, "xanchor": "left"},
                      hoverlabel={"font": {"family": FONT}}, **kw)
    return fig


def empty(title: str, lang: str, message: str | None = None) -> go.Figure:
    """A figure that says there is nothing to draw (with the analysis' reason when known)."""
    fig = new_figure()
    fig.add_annotation(text=message or t("no_data", lang), showarrow=False, x=0.5, y=0.5, xref="paper",
                       yref="paper", font={"size": 15})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, title, lang, height=300)


def reason_text(d: dict, lang: str, key: str = "reason") -> str | None:
    """The analysis' reason in the chosen language, if it has one."""
    if not d:
        return None
    return d.get(f"{key}_zh") if lang == "zh" and d.get(f"{key}_zh") else d.get(key)


def fmt_dose(dose, unit: str | None) -> str:
    """1e6, 'cells/kg' -> '1×10⁶ cells/kg'; None -> '—'."""
    if dose is None or (isinstance(dose, float) and math.isnan(dose)):
        return "—"
    if dose == 0:
        return "0"
    exp = int(math.floor(math.log10(abs(dose))))
    mant = dose / 10 ** exp
    sup = str(exp).translate(str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹"))
    m = f"{mant:.3g}"
    text = f"10{sup}" if m == "1" else f"{m}×10{sup}"
    if abs(exp) < 3:
        text = f"{dose:g}"
    return f"{text} {unit}" if unit else text


def arm_label(arm: str, dose=None, unit=None, control: bool = False, lang: str = "zh") -> str:
    if control:
        return f"{arm}（{t('control', lang)}）" if lang == "zh" else f"{arm} ({t('control', lang)})"
    if dose is None:
        return str(arm)
    return f"{arm}<br>{fmt_dose(dose, unit)}"


def arm_colour(i: int) -> str:
    return ARM_COLOURS[i % len(ARM_COLOURS)]


def arm_colours(arms: list[tuple[str, bool]]) -> dict[str, str]:
    """Arm -> colour: controls grey, active arms the palette in dose order (same colours in every figure)."""
    out, k = {}, 1
    for arm, control in arms:
        if control:
            out[arm] = ARM_COLOURS[0]
        else:
            out[arm] = ARM_COLOURS[1 + (k - 1) % (len(ARM_COLOURS) - 1)]
            k += 1
    return out


def pct_text(v) -> str:
    return "—" if v is None else f"{v:.1f}%"
