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


def _merge(target: dict, update: dict) -> dict:
    """Plotly's ``update`` semantics on plain dicts: nested objects are merged, anything else replaced;
    a text ``title`` is the title's ``text``."""
    for key, value in update.items():
        if key == "title" and isinstance(value, str):
            value = {"text": value}
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        elif isinstance(value, dict):
            target[key] = _merge({}, value)
        else:
            target[key] = value
    return target


_SPAN_ANCHORS = {   # annotation_position -> (x or y of the annotation on the line's axis domain, x/yanchor)
    ("h", "top left"): (0, "left", "bottom"), ("h", "top right"): (1, "right", "bottom"),
    ("h", "bottom left"): (0, "left", "top"), ("h", "bottom right"): (1, "right", "top"),
    ("v", "top left"): (1, "right", "top"), ("v", "top right"): (1, "left", "top"),
    ("v", "bottom left"): (0, "right", "bottom"), ("v", "bottom right"): (0, "left", "bottom"),
}


class Draft:
    """A single-plot figure assembled as plain data and validated once by :meth:`build`.

    Supports the few ``go.Figure`` calls the figure functions make (``add_trace``, ``update_layout``,
    ``update_xaxes``/``update_yaxes``, ``add_annotation``, ``add_hline``/``add_vline``/``add_hrect``) and
    produces the same figure as making them on a ``go.Figure``, without plotly re-validating the whole
    layout at every call (which cost several milliseconds per call and dominated the report)."""

    def __init__(self, *traces, layout: dict | None = None):
        self.data = list(traces)
        self.layout: dict = {"template": HOUSE_TEMPLATE}
        if layout:
            _merge(self.layout, layout)

    def add_trace(self, trace) -> "Draft":
        self.data.append(trace)
        return self

    def update_layout(self, update: dict | None = None, **kw) -> "Draft":
        _merge(self.layout, {**(update or {}), **kw})
        return self

    def update_xaxes(self, **kw) -> "Draft":
        _merge(self.layout.setdefault("xaxis", {}), kw)
        return self

    def update_yaxes(self, **kw) -> "Draft":
        _merge(self.layout.setdefault("yaxis", {}), kw)
        return self

    def add_annotation(self, **kw) -> "Draft":
        self.layout.setdefault("annotations", []).append(_merge({}, kw))
        return self

    def add_shape(self, **kw) -> "Draft":
        self.layout.setdefault("shapes", []).append(_merge({}, kw))
        return self

    def _span_annotation(self, kind: str, value, text, position: str | None) -> None:
        if text is None:
            return
        at, anchor, vanchor = _SPAN_ANCHORS[(kind, position or "top right")]
        if kind == "h":
            self.add_annotation(showarrow=False, text=text, x=at, xanchor=anchor, xref="x domain", y=value,
                                yanchor=vanchor, yref="y")
        else:
            self.add_annotation(showarrow=False, text=text, x=value, xanchor=anchor, xref="x", y=at,
                                yanchor=vanchor, yref="y domain")

    def add_hline(self, y, line: dict | None = None, annotation_text=None, annotation_position=None) -> "Draft":
        self.add_shape(type="line", x0=0, x1=1, xref="x domain", y0=y, y1=y, yref="y",
                       **({"line": line} if line is not None else {}))
        self._span_annotation("h", y, annotation_text, annotation_position)
        return self

    def add_vline(self, x, line: dict | None = None, annotation_text=None, annotation_position=None) -> "Draft":
        self.add_shape(type="line", x0=x, x1=x, xref="x", y0=0, y1=1, yref="y domain",
                       **({"line": line} if line is not None else {}))
        self._span_annotation("v", x, annotation_text, annotation_position)
        return self

    def add_hrect(self, y0, y1, **shape) -> "Draft":
        self.add_shape(type="rect", x0=0, x1=1, xref="x domain", y0=y0, y1=y1, yref="y", **shape)
        return self

    def build(self) -> go.Figure:
        return go.Figure(data=self.data or None, layout=self.layout)


def draft(*traces, **layout_kw) -> Draft:
    """A :class:`Draft` with the house template (and these traces and layout properties)."""
    return Draft(*traces, layout=layout_kw or None)


def data(result) -> dict:
    """An analysis result object or its ``to_dict()`` form -> the dict form."""
    if result is None:
        return {}
    if hasattr(result, "to_dict") and not isinstance(result, dict):
        d = result.to_dict()
        return d if isinstance(d, dict) else {"items": d}
    return result


def trace(kind: str, **kw) -> dict:
    """A trace as plain data (``{"type": kind, ...}``): validated once, when its figure is built."""
    return {"type": kind, **kw}


def scatter(n_points: int, **kw) -> dict:
    """A scatter trace, or scattergl when it has more than WEBGL_THRESHOLD points."""
    return trace("scattergl" if n_points > WEBGL_THRESHOLD else "scatter", **kw)


def apply_layout(fig, title: str, lang: str, height: int = 450, width: int | None = None, **kw):
    """House layout on a figure or :class:`Draft`: title, white template, CJK-capable fonts, legend beside."""
    check_lang(lang)
    fig.update_layout(title={"text": title, "x": 0.01, "xanchor": "left"},
                      font={"family": FONT, "size": 13}, height=height, width=width,
                      margin={"l": 70, "r": 30, "t": 70, "b": 60},
                      legend={"orientation": "v", "yanchor": "top", "y": 1, "x": 1.02, "xanchor": "left"},
                      hoverlabel={"font": {"family": FONT}}, **kw)
    return fig


def layout(fig, title: str, lang: str, height: int = 450, width: int | None = None, **kw) -> go.Figure:
    """House layout (:func:`apply_layout`); a :class:`Draft` is built into its figure."""
    apply_layout(fig, title, lang, height, width, **kw)
    return fig.build() if isinstance(fig, Draft) else fig


def empty(title: str, lang: str, message: str | None = None) -> go.Figure:
    """A figure that says there is nothing to draw (with the analysis' reason when known)."""
    fig = draft()
    fig.add_annotation(text=message or t("no_data", lang), showarrow=False, x=0.5, y=0.5, xref="paper",
                       yref="paper", font={"size": 15})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return layout(fig, title, lang, height=300)


def reason_text(d: dict, lang: str, key: str = "reason") -> str | None:
    """The analysis' reason in the chosen language, if it has one."""
    if not d:
        return None
    text = d.get(f"{key}_zh") if lang == "zh" and d.get(f"{key}_zh") else d.get(key)
    if isinstance(text, str):   # the project's codes (randomized_controlled …) in words
        from ..i18n import humanise

        text = humanise(text, lang)
    return text


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
