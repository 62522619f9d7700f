"""The audit export as PDF (fpdf2), with a CJK font embedded (subset) so that any viewer shows the Chinese.

The font: ``$WORKBENCH_PDF_FONT`` (a .ttf/.otf/.ttc file), else Noto Sans CJK SC from Debian's
fonts-noto-cjk, else the first of a few common CJK fonts found. Without one the export refuses (RuntimeError)
rather than print empty boxes.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def _collection_index(path: str, prefer: str = "SC") -> int:
    if not path.lower().endswith(".ttc"):
        return 0
    from fontTools.ttLib import TTCollection

    coll = TTCollection(path, lazy=True)
    try:
        for i, font in enumerate(coll.fonts):
            family = str(font["name"].getDebugName(1) or "")
            if family.endswith(f" {prefer}") and "Mono" not in family:
                return i
    finally:
        coll.close()
    return 0


def find_cjk_font() -> tuple[str, int]:
    """(font file, index in a collection) of a font with Chinese glyphs; raises RuntimeError when none."""
    env = os.environ.get("WORKBENCH_PDF_FONT")
    if env:
        if not Path(env).is_file():
            raise RuntimeError(f"$WORKBENCH_PDF_FONT {env}: no such font file / 字体文件不存在")
        return env, _collection_index(env)
    for path in CANDIDATES:
        if Path(path).is_file():
            return path, _collection_index(path)
    if shutil.which("fc-match"):
        res = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True,
                             timeout=30, check=False)
        if res.returncode == 0 and Path(res.stdout.strip()).is_file():
            return res.stdout.strip(), _collection_index(res.stdout.strip())
    raise RuntimeError("no font with Chinese glyphs for the PDF (install fonts-noto-cjk, or set "
                       "$WORKBENCH_PDF_FONT) / 未找到中文字体（请安装 fonts-noto-cjk 或设置 WORKBENCH_PDF_FONT）")


def pdf_bytes(trail, tz: str = "UTC") -> bytes:
    """The export of ``trail`` (an :class:`workbench.audit.AuditTrail`) as PDF bytes: landscape A4."""
    from fpdf import FPDF
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    from .audit import header_rows, table_rows

    font, index = find_cjk_font()

    class _PDF(FPDF):
        def footer(self) -> None:
            self.set_y(-10)
            self.set_font("cjk", size=7)
            self.cell(0, 5, f"{trail.submission_id} · 审计链末条哈希 / chain head {trail.verify.head_hash or '—'} · "
                            f"第 {self.page_no()} 页，共 {{nb}} 页 / page {self.page_no()} of {{nb}}", align="C")

    pdf = _PDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Audit trail {trail.submission_id}")
    pdf.set_creator("stemcell-workbench")
    pdf.add_font("cjk", fname=font, collection_font_number=index)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_page()
    pdf.set_font("cjk", size=14)
    pdf.cell(0, 8, f"审评审计记录 / Audit trail — {trail.submission_id}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=8)
    with pdf.table(col_widths=(55, 222), first_row_as_headings=False, text_align="LEFT",
                   wrapmode=WrapMode.CHAR, line_height=4.2) as table:
        for label, value in header_rows(trail, tz):
            table.row([label, value])
    pdf.ln(3)
    heads, rows = table_rows(trail, tz)
    keep = list(range(8)) + [heads.index(h) for h in heads if h.endswith("Entry hash")]
    pdf.set_font("cjk", size=6.5)
    head_style = FontFace(emphasis=None, fill_color=(238, 243, 248))
    with pdf.table(col_widths=(8, 27, 27, 20, 30, 48, 9, 52, 56), text_align="LEFT", wrapmode=WrapMode.CHAR,
                   headings_style=head_style, line_height=3.4, repeat_headings=1) as table:
        table.row([heads[i] for i in keep])
        for row in rows:
            table.row([row[i] for i in keep])
    pdf.ln(2)
    pdf.set_font("cjk", size=7)
    pdf.multi_cell(0, 3.6, "每条记录的完整哈希（含 prev_hash、输入与规则哈希）见同名 CSV 导出；验证方法见 docs/decisions.md。"
                           " / Full hashes of every entry (prev_hash, input and rules hashes) are in the CSV "
                           "export; how to re-verify them: docs/decisions.md.")
    return bytes(pdf.output())
