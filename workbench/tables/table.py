"""A standard table as data (review-output.md "Standard tables"): columns with their N, rows of cells
``{n, pct, text}``, bilingual title, footnotes and, when the table cannot be filled, a note saying why."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

POPULATIONS = {   # population code -> (中文, English)
    "screened": ("全部筛选受试者", "all screened subjects"),
    "enrolled": ("入组受试者", "enrolled subjects"),
    "safety": ("安全性分析集（已给药受试者）", "safety population (dosed subjects)"),
    "all": ("全部受试者", "all subjects"),
}


@dataclass
class Column:
    """One column: an arm (code as in the data), ``Total``, or a listing field. ``n``: subjects in it."""

    key: str
    label: str
    n: int | None = None
    label_zh: str | None = None      # the Chinese header when it differs (Total -> 合计, listing fields)
    control: bool = False

    def to_dict(self) -> dict:
        d = {"key": self.key, "label": self.label, "n": self.n}
        if self.label_zh is not None:
            d["label_zh"] = self.label_zh
        return d

    def title(self, lang: str) -> str:
        return self.label_zh if lang == "zh" and self.label_zh else self.label


@dataclass
class Row:
    """One row: labels, indentation level (0 group, 1 item, 2 statistic), cells by column key. ``key`` says what
    the row counts in machine-readable form (e.g. ``{"soc": ..., "pt": ...}``)."""

    label_zh: str
    label_en: str
    level: int = 0
    cells: dict[str, dict] = field(default_factory=dict)
    key: dict | None = None

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en

    def to_dict(self) -> dict:
        d = {"label_zh": self.label_zh, "label_en": self.label_en, "level": self.level, "cells": self.cells}
        if self.key is not None:
            d["key"] = self.key
        return d


@dataclass
class Table:
    """One standard table (or listing: ``kind == "listing"``, one row per record)."""

    id: str
    title_zh: str
    title_en: str
    population: str
    columns: list[Column] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    footnotes_zh: list[str] = field(default_factory=list)
    footnotes_en: list[str] = field(default_factory=list)
    filter: dict | None = None
    kind: str = "table"
    note_zh: str | None = None       # why the table is empty (absent domain ...), or None
    note_en: str | None = None
    reason_code: str | None = None

    def title(self, lang: str) -> str:
        return self.title_zh if lang == "zh" else self.title_en

    def footnotes(self, lang: str) -> list[str]:
        return self.footnotes_zh if lang == "zh" else self.footnotes_en

    def note(self, lang: str) -> str | None:
        return self.note_zh if lang == "zh" else self.note_en

    def population_label(self, lang: str) -> str:
        zh, en = POPULATIONS.get(self.population, (self.population, self.population))
        return zh if lang == "zh" else en

    @property
    def empty(self) -> bool:
        return not self.rows

    def footnote(self, zh: str, en: str) -> "Table":
        self.footnotes_zh.append(zh)
        self.footnotes_en.append(en)
        return self

    def to_dict(self) -> dict:
        d = {"id": self.id, "title_zh": self.title_zh, "title_en": self.title_en, "kind": self.kind,
             "population": self.population, "filter": self.filter,
             "columns": [c.to_dict() for c in self.columns], "rows": [r.to_dict() for r in self.rows],
             "footnotes_zh": list(self.footnotes_zh), "footnotes_en": list(self.footnotes_en)}
        if self.note_en is not None:
            d.update({"note_zh": self.note_zh, "note_en": self.note_en, "reason_code": self.reason_code})
        return d

    def cell(self, row_label_en: str, column: str) -> dict | None:
        """The cell of the first row with this English label (None when absent)."""
        for r in self.rows:
            if r.label_en == row_label_en:
                return r.cells.get(column)
        return None

    def to_frame(self, lang: str = "en") -> pd.DataFrame:
        """The table as shown: one column of row labels (indented by level) and one text column per column."""
        from .format import cell_text

        heads = [f"{c.title(lang)} (N={c.n})" if c.n is not None else c.title(lang) for c in self.columns]
        data = []
        for r in self.rows:
            texts = [cell_text(r.cells.get(c.key), lang) for c in self.columns]
            data.append(texts if self.kind == "listing" else ["  " * r.level + r.label(lang)] + texts)
        first = [] if self.kind == "listing" else [""]
        return pd.DataFrame(data, columns=first + heads)

    @classmethod
    def from_dict(cls, d: dict) -> "Table":
        cols = [Column(c["key"], c["label"], c.get("n"), c.get("label_zh")) for c in d.get("columns", [])]
        rows = [Row(r["label_zh"], r["label_en"], r.get("level", 0), r.get("cells", {}), r.get("key"))
                for r in d.get("rows", [])]
        return cls(d["id"], d["title_zh"], d["title_en"], d.get("population"), cols, rows,
                   list(d.get("footnotes_zh", [])), list(d.get("footnotes_en", [])), d.get("filter"),
                   d.get("kind", "table"), d.get("note_zh"), d.get("note_en"), d.get("reason_code"))
