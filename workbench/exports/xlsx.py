"""tables.xlsx (openpyxl): a contents sheet, then one sheet per standard table with its title, population, the
table, footnotes (or the note of an empty table). Numbers are numbers: each column of a summary table is two
Excel columns (n and %, or a statistic and its second value: SD, max); listings' numeric texts become numbers."""
from __future__ import annotations

import io
import re

from ..tables.format import cell_text
from ..tables.table import Table

NUMBER = re.compile(r"^-?\d+(\.\d+)?$")
SUB_COUNT = {"zh": ("n", "%"), "en": ("n", "%")}
SUB_STAT = {"zh": ("n / 统计量", "% / 第二统计量"), "en": ("n / statistic", "% / 2nd statistic")}
WORDS = {"contents": ("目录", "Contents"), "table": ("表", "Table"), "title": ("标题", "Title"),
         "rows": ("行数", "Rows"), "note": ("说明", "Note"), "population": ("分析人群", "Population"),
         "item": ("项目", "Item")}


def _w(key: str, lang: str) -> str:
    zh, en = WORDS[key]
    return zh if lang == "zh" else en


def _has_stats(t: Table) -> bool:
    return any("values" in c for r in t.rows for c in r.cells.values())


def _number(text: str):
    if text and NUMBER.match(text):
        return float(text) if "." in text else int(text)
    return text


def _sheet(wb, t: Table, lang: str) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(t.id[:31])
    bold, grey = Font(bold=True), Font(color="52606D", size=9)
    head_fill = PatternFill("solid", fgColor="EEF3F8")
    ws.cell(1, 1, t.title(lang)).font = Font(bold=True, size=13)
    ws.cell(2, 1, f"{_w('population', lang)}: {t.population_label(lang)}").font = grey
    row = 4
    widths: dict[int, float] = {}

    def put(r, c, value, **style):
        cell = ws.cell(r, c, value)
        for k, v in style.items():
            setattr(cell, k, v)
        if value is not None:
            widths[c] = max(widths.get(c, 0), min(60, len(str(value)) * (2 if not str(value).isascii() else 1.1)))
        return cell

    if t.empty and t.note(lang):
        put(row, 1, t.note(lang), font=Font(italic=True, color="8A5A00"))
        row += 2
    elif t.kind == "listing":
        for j, c in enumerate(t.columns, start=1):
            put(row, j, c.title(lang), font=bold, fill=head_fill)
        for r in t.rows:
            row += 1
            for j, c in enumerate(t.columns, start=1):
                put(row, j, _number(cell_text(r.cells.get(c.key), lang)))
        ws.freeze_panes = ws.cell(5, 1)
        row += 2
    else:
        sub = (SUB_STAT if _has_stats(t) else SUB_COUNT)[lang]
        put(row, 1, _w("item", lang), font=bold, fill=head_fill)
        put(row + 1, 1, "", fill=head_fill)
        for j, c in enumerate(t.columns):
            col = 2 + 2 * j
            head = f"{c.title(lang)} (N={c.n})" if c.n is not None else c.title(lang)
            put(row, col, head, font=bold, fill=head_fill, alignment=Alignment(horizontal="center"))
            ws.merge_cells(start_row=row, start_column=col, end_row=row, end_column=col + 1)
            put(row + 1, col, sub[0], font=grey, fill=head_fill, alignment=Alignment(horizontal="center"))
            put(row + 1, col + 1, sub[1], font=grey, fill=head_fill, alignment=Alignment(horizontal="center"))
        row += 1
        for r in t.rows:
            row += 1
            put(row, 1, r.label(lang), alignment=Alignment(indent=2 * r.level),
                font=bold if r.level == 0 and not r.cells else Font())
            for j, c in enumerate(t.columns):
                cell = r.cells.get(c.key)
                if not cell:
                    continue
                col = 2 + 2 * j
                if "values" in cell:
                    vals = [v for v in cell["values"] if v is not None]
                    for k, v in enumerate(cell["values"][:2]):
                        if v is not None:
                            put(row, col + k, v).number_format = "0.###"
                    if not vals:
                        put(row, col, "—")
                elif cell.get("n") is not None:
                    put(row, col, cell["n"]).number_format = "0"
                    if cell.get("pct") is not None:
                        put(row, col + 1, cell["pct"]).number_format = "0.0"
                else:
                    put(row, col, cell_text(cell, lang))
        ws.freeze_panes = ws.cell(6, 2)
        row += 2
    for f in t.footnotes(lang):
        put(row, 1, f, font=grey)
        row += 1
    for c, wdt in widths.items():
        if c == 1 and t.kind != "listing":
            wdt = max(wdt, 24)
        ws.column_dimensions[get_column_letter(c)].width = max(8.0, min(70.0, wdt + 2))
    ws.column_dimensions["A"].width = min(70.0, max(ws.column_dimensions["A"].width or 0, 12.0))


def tables_xlsx(tables: list[Table], lang: str = "zh", submission_id: str = "") -> bytes:
    """The workbook as bytes: a contents sheet and one sheet per table."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = _w("contents", lang)
    ws.cell(1, 1, submission_id).font = Font(bold=True, size=13)
    for j, key in enumerate(("table", "title", "rows", "note"), start=1):
        ws.cell(3, j, _w(key, lang)).font = Font(bold=True)
    for i, t in enumerate(tables, start=4):
        ws.cell(i, 1, t.id)
        ws.cell(i, 2, t.title(lang))
        ws.cell(i, 3, len(t.rows))
        ws.cell(i, 4, t.note(lang) or "")
    for col, wdt in zip("ABCD", (32, 48, 8, 70)):
        ws.column_dimensions[col].width = wdt
    for t in tables:
        _sheet(wb, t, lang)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
