"""The review notebook executed by papermill: parameters cell, batch mode, and no code injection."""
from __future__ import annotations

import json
from pathlib import Path

import papermill as pm
import pytest

REPO = Path(__file__).resolve().parents[2]
NOTEBOOK = REPO / "notebooks" / "review.ipynb"


def test_notebooks_have_a_parameters_cell():
    for name in ("review.ipynb", "index.ipynb", "portfolio.ipynb"):
        nb = json.loads((REPO / "notebooks" / name).read_text())
        tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1, name
    params = pm.inspect_notebook(str(NOTEBOOK))
    assert {"submission_path", "rules_path", "lang", "db_url"} <= set(params)
    assert "reviewer" not in params          # no free-text reviewer name: the identity comes from the deployment


def test_batch_mode_writes_review(tmp_path):
    out = tmp_path / "out"
    pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "executed.ipynb"), kernel_name="python3", progress_bar=False,
                        parameters={"submission_path": str(REPO / "sample_data" / "bare-sdtm"), "out_dir": str(out),
                                    "lang": "en"})
    doc = json.loads((out / "review.json").read_text())
    assert doc["schema_version"] == "1" and any(f["check_id"] == "MAN-001" for f in doc["findings"])
    executed = (tmp_path / "executed.ipynb").read_text()
    assert "Proposed evidence tier" in executed


@pytest.mark.parametrize("evil", ['x"; import os; open("MARKER", "w"); "', "a'b\n__import__('os').system('touch MARKER')#",
                                  "\\\"'''\"\"\"\nMARKER = 1"])
def test_parameters_cannot_inject_code(tmp_path, evil):
    """A hostile submission path is passed as a string literal (issue: parameters cannot inject code)."""
    folder = tmp_path / evil.replace("/", "_")
    (folder / "tabulations").mkdir(parents=True)
    (folder / "tabulations" / "dm.csv").write_text("USUBJID,ARMCD\nX-1,A\n")
    out = tmp_path / "out"
    pm.execute_notebook(str(NOTEBOOK), str(tmp_path / "executed.ipynb"), kernel_name="python3", progress_bar=False,
                        cwd=str(tmp_path), parameters={"submission_path": str(folder), "out_dir": str(out)})
    assert not (tmp_path / "MARKER").exists()
    doc = json.loads((out / "review.json").read_text())
    assert doc["submission_id"]  # the review ran on exactly that folder
