"""Portfolio table and view from a batch-shaped output folder."""
from __future__ import annotations

import json
from pathlib import Path

from widgets.portfolio import PortfolioView
from workbench.portfolio import load_portfolio, write_portfolio
from workbench.review import review_to_folder

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


def test_portfolio_rows_and_view(tmp_path):
    for name in ("bare-sdtm", "gb18030-esc-amd"):
        review = review_to_folder(SAMPLES / name, tmp_path / name)
        (tmp_path / name / "run.json").write_text(json.dumps({"submission_id": review.submission.submission_id,
                                                               "status": "ok",
                                                               "seconds": 1.0, "folder": name}))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "run.json").write_text(json.dumps({"submission_id": "broken", "status": "failed",
                                                              "error": "SubmissionError: no readable dataset"}))
    df = write_portfolio(tmp_path)
    assert (tmp_path / "portfolio.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    rows = df.set_index("submission_id")
    assert rows.loc["MH-RPE-105", "tier"] == "T2" and rows.loc["bare-sdtm", "tier"] == "T0"
    assert rows.loc["broken", "status"] == "failed" and rows.loc["MH-RPE-105", "mtd"] == "DL3"
    _, matrix = load_portfolio(tmp_path)
    assert len(matrix) == 16  # 2 reviewed submissions x 8 elements
    view = PortfolioView(tmp_path, "en")
    assert "MH-RPE-105" in view.table.value and len(view.figs.children) == 2
    view.f_tier.value = "T0"
    assert "MH-RPE-105" not in view.table.value and "bare-sdtm" in view.table.value
