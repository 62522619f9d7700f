"""`workbench review` writes tables.xlsx, review.docx and tables/<id>.csv: opened here with openpyxl and
python-docx, every table is there with its title; numbers are numbers; the figures are images (Chromium)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from workbench.cli import main
from workbench.tables import TABLE_IDS

SAMPLE = Path(__file__).resolve().parents[2] / "sample_data" / "fih-ipsc-parkinson"


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    folder = tmp_path_factory.mktemp("review")
    assert main(["review", str(SAMPLE), "--out", str(folder), "--lang", "zh"]) == 0
    return folder


def test_xlsx_has_every_table_with_title_and_numbers(out):
    doc = json.loads((out / "review.json").read_text(encoding="utf-8"))
    wb = load_workbook(out / "tables.xlsx")
    assert wb.sheetnames[0] == "目录" and wb.sheetnames[1:] == list(TABLE_IDS)
    by_id = {t["id"]: t for t in doc["tables"]}
    for tid in TABLE_IDS:
        ws = wb[tid]
        assert ws["A1"].value == by_id[tid]["title_zh"]
        text = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        for foot in by_id[tid]["footnotes_zh"]:
            assert foot in text, (tid, foot)
        if by_id[tid].get("note_zh") and not by_id[tid]["rows"]:
            assert by_id[tid]["note_zh"] in text
    ws = wb["ae_overview"]
    values = {(r[0].value): [c.value for c in r[1:]] for r in ws.iter_rows(min_row=6) if r[0].value}
    any_teae = next(v for k, v in values.items() if "TEAE" in k and "≥1" in k)
    total = by_id["ae_overview"]["rows"][1]["cells"]["Total"]
    assert any_teae[-2:] == [total["n"], total["pct"]]
    assert all(isinstance(v, (int, float)) for v in any_teae if v is not None)   # numbers, not "18 (100.0)"
    assert ws.column_dimensions["A"].width >= 20


def test_docx_has_study_tier_findings_every_table_and_images(out):
    doc = json.loads((out / "review.json").read_text(encoding="utf-8"))
    word = Document(out / "review.docx")
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    for t in doc["tables"]:
        assert t["title_zh"] in headings, t["id"]
    assert "研究概况" in headings and "建议证据等级" in headings and any(h.startswith("发现") for h in headings)
    text = "\n".join(p.text for p in word.paragraphs)
    assert doc["tier"]["proposed"] in text
    assert len(word.inline_shapes) >= 8, "the figures are embedded as images"   # Chromium renders them offline
    cells = {c.text for table in word.tables for row in table.rows for c in row.cells}
    assert any(c.startswith("T0.") for c in cells)   # the tier's criteria
    eg = next(t for t in doc["tables"] if t["id"] == "ecg_summary")
    assert eg["note_zh"] in text   # an absent domain says why in the document too


def test_csv_per_table(out):
    for tid in TABLE_IDS:
        text = (out / "tables" / f"{tid}.csv").read_text(encoding="utf-8-sig")
        assert text.strip(), tid
    assert "缺少 EG 数据集" in (out / "tables" / "ecg_summary.csv").read_text(encoding="utf-8-sig")
    head = (out / "tables" / "ae_overview.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert "合计 (N=18)" in head


def test_no_images_leaves_the_figures_out_with_a_note(tmp_path):
    assert main(["review", str(SAMPLE), "--out", str(tmp_path), "--lang", "en", "--no-images"]) == 0
    word = Document(tmp_path / "review.docx")
    assert len(word.inline_shapes) == 0
    assert any("Figures not included" in p.text for p in word.paragraphs)


def test_rendering_images_leaves_the_process_temp_folder_alone(tmp_path):
    """The PNG job runs in a thread while the main thread writes tables.xlsx (openpyxl writes a scratch file through
    ``tempfile``): the job must not swap the process's temp folder, or that scratch file lands in a folder the job
    then deletes (a FileNotFoundError seen in CI). Files made meanwhile stay where tempfile put them."""
    import tempfile
    import time

    import plotly.graph_objects as go

    from workbench.exports.images import RenderJob, chromium_path

    if chromium_path() is None:
        pytest.skip("no Chromium on this machine")
    folder = tempfile.gettempdir()
    job = RenderJob(["fig"], [go.Figure(go.Scatter(x=[1, 2, 3], y=[2, 1, 3]))])
    seen, made, deadline = set(), [], time.monotonic() + 20
    while not job._future.done() and time.monotonic() < deadline:
        seen.add(tempfile.gettempdir())
        with tempfile.NamedTemporaryFile(delete=False, dir=None) as fh:
            fh.write(b"x")
            made.append(fh.name)
        time.sleep(0.01)
    images, why = job.result()
    assert why is None and images[0] and images[0][:8] == b"\x89PNG\r\n\x1a\n"
    assert seen == {folder}
    assert made and all(Path(p).exists() for p in made)
    for p in made:
        Path(p).unlink()
