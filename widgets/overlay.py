"""The reviewer overlay form: what the data cannot tell, stated by the reviewer, saved in the decision store
(same hash-chained log) and applied to the review — never written into the submission."""
from __future__ import annotations

from collections.abc import Callable
from typing import get_args

import ipywidgets as w
import pandas as pd

from workbench.i18n import t, value_label
from workbench.manifest import Better, Blinding, CellType, Design, EndpointType, Source, Stage
from workbench.overlay import Overlay, OverlayError

from .common import esc

NONE = ""


def _choices(literal, lang: str):
    return [("—", NONE)] + [(value_label(v, lang), v) for v in get_args(literal)]


class OverlayForm(w.VBox):
    """Fields for cell type, source, design, stage, blinding, control arm(s), primary endpoint and required
    follow-up; Save calls ``on_save(Overlay)`` (the app records it and recomputes the review)."""

    def __init__(self, sub, current: Overlay | None, lang: str, on_save: Callable[[Overlay], str | None], **kw):
        self.lang, self.on_save = lang, on_save
        L = lambda k: t(k, lang)  # noqa: E731
        cur = current or Overlay()
        pe = cur.primary_endpoint

        def drop(key, literal, value):
            d = w.Dropdown(options=_choices(literal, lang), value=value or NONE, description=L(key),
                           layout=w.Layout(width="300px"))
            d.style.description_width = "120px"
            d.add_class(f"wb-ov-{key.removeprefix('ov_')}")
            return d

        self.cell_type = drop("cell_type", CellType, cur.cell_type)
        self.source = drop("ov_source", Source, cur.source)
        self.design = drop("design", Design, cur.design)
        self.stage = drop("stage", Stage, cur.stage)
        self.blinding = drop("ov_blinding", Blinding, cur.blinding)
        arms = list(sub.study.arms["ARM"]) if len(sub.study.arms) else []
        self.control = w.SelectMultiple(options=arms, value=tuple(a for a in cur.control_arms if a in arms),
                                        description=L("ov_control"), rows=min(4, max(2, len(arms))),
                                        layout=w.Layout(width="300px"))
        self.control.style.description_width = "120px"
        domains = sorted(sub.datasets)
        self.ep_domain = w.Dropdown(options=[("—", NONE)] + [(d, d) for d in domains],
                                    value=pe.domain if pe and pe.domain in domains else NONE,
                                    description=L("ov_ep_domain"), layout=w.Layout(width="300px"))
        self.ep_testcd = w.Dropdown(options=[("—", NONE)], description=L("ov_ep_testcd"), layout=w.Layout(width="300px"))
        self.ep_visit = w.Dropdown(options=[("—", NONE)], description=L("ov_ep_visit"), layout=w.Layout(width="300px"))
        self.ep_type = drop("ov_ep_type", EndpointType, pe.type if pe else None)
        self.ep_better = drop("ov_ep_better", Better, pe.better if pe else None)
        for c, name in ((self.ep_domain, "ep_domain"), (self.ep_testcd, "ep_testcd"), (self.ep_visit, "ep_visit")):
            c.style.description_width = "120px"
            c.add_class(f"wb-ov-{name}")
        self.sub = sub
        self.ep_domain.observe(lambda ch: self._domain_changed(ch["new"]), names="value")
        self._domain_changed(self.ep_domain.value, pe)
        self.followup = w.BoundedIntText(value=cur.required_followup_days or 0, min=0, max=36500,
                                         description=L("ov_followup"), layout=w.Layout(width="300px"))
        self.followup.style.description_width = "120px"
        self.note = w.Textarea(value=cur.note or "", placeholder=L("ov_note_hint"), description=L("ov_note"),
                               layout=w.Layout(width="620px", height="60px"))
        self.note.style.description_width = "120px"
        self.save = w.Button(description=L("ov_save"), button_style="primary", icon="save")
        self.save.add_class("wb-overlay-save")
        self.message = w.HTML()
        self.message.add_class("wb-overlay-message")
        self.save.on_click(lambda _: self._save())
        grid = w.GridBox([self.cell_type, self.source, self.design, self.stage, self.blinding, self.control,
                          self.ep_domain, self.ep_testcd, self.ep_visit, self.ep_type, self.ep_better, self.followup],
                         layout=w.Layout(grid_template_columns="repeat(2, 320px)"))
        super().__init__([w.HTML(f"<p class='wb-muted'>{esc(L('ov_explain'))}</p>"), grid, self.note,
                          w.HBox([self.save, self.message])], **kw)
        self.add_class("wb-overlay-form")

    def _domain_changed(self, domain, pe=None) -> None:
        df = self.sub.domain(domain) if domain else None
        tests, visits = [], []
        if df is not None:
            tcol, vcol = f"{domain}TESTCD", "VISIT"
            if tcol in df.columns:
                tests = sorted({str(v) for v in df[tcol].dropna().unique()})[:500]
            if vcol in df.columns:   # in visit order (VISITNUM) where the data has it
                v = df[[vcol] + (["VISITNUM"] if "VISITNUM" in df.columns else [])].dropna(subset=[vcol]).astype(
                    {vcol: str})
                if "VISITNUM" in v.columns:
                    v["VISITNUM"] = pd.to_numeric(v["VISITNUM"], errors="coerce")
                order = v.groupby(vcol)["VISITNUM"].min() if "VISITNUM" in v.columns else None
                visits = sorted(set(v[vcol]), key=lambda x: (order is None or pd.isna(order.get(x)),
                                                            0 if order is None else order.get(x), x))[:500]
        self.ep_testcd.options = [("—", NONE)] + [(v, v) for v in tests]
        self.ep_visit.options = [("—", NONE)] + [(v, v) for v in visits]
        if pe is not None:
            self.ep_testcd.value = pe.testcd if pe.testcd in tests else NONE
            self.ep_visit.value = pe.visit if pe.visit in visits else NONE

    def value(self) -> Overlay:
        data = {k: getattr(self, k).value or None for k in ("cell_type", "source", "design", "stage", "blinding")}
        data["control_arms"] = list(self.control.value)
        if self.ep_domain.value and self.ep_testcd.value:
            data["primary_endpoint"] = {"domain": self.ep_domain.value, "testcd": self.ep_testcd.value,
                                        "visit": self.ep_visit.value or None,
                                        **({"type": self.ep_type.value} if self.ep_type.value else {}),
                                        **({"better": self.ep_better.value} if self.ep_better.value else {})}
        data["required_followup_days"] = self.followup.value or None
        data["note"] = self.note.value.strip() or None
        return Overlay.parse({k: v for k, v in data.items() if v not in (None, [])})

    def _save(self) -> None:
        try:
            overlay = self.value()
        except OverlayError as exc:
            self.message.value = f"<span class='wb-error'>{esc(exc)}</span>"
            return
        problem = self.on_save(overlay)
        self.message.value = (f"<span class='wb-error'>{esc(problem)}</span>" if problem else
                              f"<span class='wb-ok'>{esc(t('ov_saved', self.lang))}</span>")
