"""Portfolio view of a batch output folder: filters, table, tier distribution, completeness by element."""
from __future__ import annotations

from pathlib import Path

import ipywidgets as w
from IPython.display import display

from workbench.i18n import column_label, t
from workbench.portfolio import completeness_matrix_figure, load_portfolio, tier_distribution_figure

from .common import STYLE, esc, figure_output, html_table
from .language import LanguageSwitch


class PortfolioView(w.VBox):
    def __init__(self, runs_dir: str | Path, lang: str = "zh", **kw):
        self.df, self.matrix = load_portfolio(runs_dir)
        self.runs_dir = Path(runs_dir)
        super().__init__(**kw)
        self.add_class("wb-portfolio")
        self.switch = LanguageSwitch(lang)
        self.switch.on_change(self.build)
        self.build(lang)

    def build(self, lang: str) -> None:
        self.lang = lang
        L = lambda k: t(k, lang)  # noqa: E731
        opts = lambda col: [(L("all"), "")] + [(str(v), str(v)) for v in sorted(self.df[col].dropna().unique())]  # noqa: E731
        self.f_tier = w.Dropdown(options=opts("tier"), description=L("proposed_tier"))
        self.f_cell = w.Dropdown(options=opts("cell_type"), description=L("cell_type"))
        self.f_status = w.Dropdown(options=opts("status"), description=L("status"))
        for c in (self.f_tier, self.f_cell, self.f_status):
            c.style.description_width = "auto"
            c.observe(lambda _: self.refresh(), names="value")
        self.table = w.HTML()
        self.table.add_class("wb-portfolio-table")
        self.figs = w.VBox()
        header = w.HTML(f"{STYLE}<h2 class='wb-app-title'>{esc(L('portfolio'))} — {esc(self.runs_dir.name)}</h2>")
        self.children = [w.HBox([header, self.switch], layout=w.Layout(justify_content="space-between")),
                         w.HBox([self.f_tier, self.f_cell, self.f_status]), self.table, self.figs]
        self.refresh()

    def refresh(self) -> None:
        df = self.df
        for col, widget in (("tier", self.f_tier), ("cell_type", self.f_cell), ("status", self.f_status)):
            if widget.value:
                df = df[df[col].astype(str) == widget.value]
        shown = df.drop(columns=["folder"]).rename(columns=lambda c: column_label(c, self.lang))
        self.table.value = html_table(shown, max_rows=500)
        matrix = self.matrix[self.matrix["submission_id"].isin(df["submission_id"])]
        self.figs.children = [figure_output(tier_distribution_figure(df, self.lang)),
                              figure_output(completeness_matrix_figure(matrix, self.lang))]


def open_portfolio(runs_dir: str = "", lang: str = "zh") -> None:
    """Notebook entry point: the portfolio of a `workbench batch` output folder."""
    from .app import _LAST, _error, _query

    q = _query()
    lang = q.get("lang", lang) if q.get("lang") in ("zh", "en") else lang
    from workbench.settings import Settings

    runs_dir = runs_dir or Settings.from_env().runs_dir or ""
    if not runs_dir or not Path(runs_dir).is_dir():
        _error("no batch output folder / 未找到批量审评输出目录 (workbench serve --runs DIR, or set runs_dir)")
        return
    view = PortfolioView(runs_dir, lang)
    display(view)
    _LAST["portfolio"] = view
