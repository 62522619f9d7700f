"""The global filter panel: arm, site, sex, age band, race, population flags, subject search.

It only collects the reviewer's choice (a :class:`workbench.filters.ViewFilter`); the app recomputes the review on
the filtered submission through the library and rebuilds every section with it."""
from __future__ import annotations

from collections.abc import Callable

import ipywidgets as w

from workbench.filters import AGE_BAND_LABELS, SEX_LABELS, ViewFilter
from workbench.i18n import t

from .common import esc


class FilterPanel(w.VBox):
    """Multi-selects for the options the data offer; Apply / Clear call ``on_apply(ViewFilter)``."""

    def __init__(self, options: dict, current: ViewFilter, lang: str, on_apply: Callable[[ViewFilter], None], **kw):
        self.lang, self.on_apply = lang, on_apply
        L = lambda k: t(k, lang)  # noqa: E731

        def multi(key, choices, selected, width="190px"):
            box = w.SelectMultiple(options=choices, value=tuple(v for v in selected if v in {c[1] for c in choices}),
                                   rows=min(4, max(2, len(choices))), description=L(key),
                                   layout=w.Layout(width=width))
            box.style.description_width = "auto"
            box.add_class(f"wb-filter-{key.removeprefix('filter_')}")
            return box

        self.arms = multi("filter_arm", [(f"{code} · {label}" if label and label != code else code, code)
                                         for code, label in options.get("arms", [])], current.arms, "260px")
        self.sites = multi("filter_site", [(s, s) for s in options.get("sites", [])], current.sites)
        self.sexes = multi("filter_sex", [(f"{s} · {SEX_LABELS[s][0 if lang == 'zh' else 1]}" if s in SEX_LABELS else s, s)
                                          for s in options.get("sexes", [])], current.sexes, "150px")
        self.ages = multi("filter_age", [(AGE_BAND_LABELS[b][0 if lang == "zh" else 1], b)
                                         for b in options.get("age_bands", [])], current.age_bands, "170px")
        self.races = multi("filter_race", [(r, r) for r in options.get("races", [])], current.races, "260px")
        self.flags = multi("filter_flag", [(f if f != "DOSED" else L("flag_dosed"), f)
                                           for f in options.get("flags", [])], current.flags, "190px")
        self.search = w.Text(value=current.subjects, description=L("filter_subject"), layout=w.Layout(width="260px"))
        self.search.style.description_width = "auto"
        self.search.add_class("wb-filter-subject")
        self.apply_btn = w.Button(description=L("filter_apply"), button_style="primary", icon="filter")
        self.apply_btn.add_class("wb-filter-apply")
        self.clear_btn = w.Button(description=L("filter_clear"), icon="times")
        self.clear_btn.add_class("wb-filter-clear")
        self.apply_btn.on_click(lambda _: self.on_apply(self.value()))
        self.clear_btn.on_click(lambda _: self.on_apply(ViewFilter()))
        self.status = w.HTML()
        self.status.add_class("wb-filter-status")
        body = w.HBox([self.arms, self.sites, self.sexes, self.ages, self.races, self.flags],
                      layout=w.Layout(flex_flow="row wrap"))
        super().__init__([body, w.HBox([self.search, self.apply_btn, self.clear_btn]), self.status], **kw)
        self.add_class("wb-filter-panel")

    def value(self) -> ViewFilter:
        return ViewFilter(arms=self.arms.value, sites=self.sites.value, sexes=self.sexes.value,
                          age_bands=self.ages.value, races=self.races.value, flags=self.flags.value,
                          subjects=self.search.value)

    def show_status(self, f: ViewFilter, n_selected: int | None, n_total: int) -> None:
        L = lambda k: t(k, self.lang)  # noqa: E731
        if f.empty:
            self.status.value = f"<span class='wb-muted'>{esc(L('filter_none'))} ({n_total})</span>"
        else:
            colon, stop = ("：", "。") if self.lang == "zh" else (": ", ". ")
            self.status.value = (f"<div class='wb-warn'>{esc(L('filter_active'))}{colon}{esc(f.describe(self.lang))} — "
                                 f"{n_selected} / {n_total} {esc(L('subjects'))}{stop}{esc(L('filter_tier_note'))}</div>")
