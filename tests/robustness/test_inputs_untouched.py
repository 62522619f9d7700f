"""Inputs are never modified (SECURITY.md 1, "writing into the submission"): every file of every bundled sample
is hashed before and after `workbench review` (each sample), `workbench batch` (over a copy of one small
sample: ~15 s per submission) and `workbench serve` (the landing page and a review page, which run the
notebooks server-side). Also no file appears in, or disappears from, a sample folder, and folder mtimes stay."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import runner

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_data"
SAMPLE_NAMES = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())
SMALL = "bare-sdtm"


@pytest.fixture(scope="module")
def samples_before():
    """Snapshot of sample_data taken before this module runs anything (and before it starts the app)."""
    return runner.snapshot(SAMPLES)


def _env(tmp: Path) -> dict:
    env = runner.cli_env(tmp)
    env["XDG_DATA_HOME"] = str(tmp / "data")
    return env


def _assert_untouched(before: dict, what: str) -> None:
    changes = runner.diff(before, runner.snapshot(SAMPLES))
    assert changes == [], f"sample_data changed by {what}:\n" + "\n".join(changes[:40])


def test_review_leaves_every_sample_untouched(samples_before, tmp_path):
    env = _env(tmp_path)

    def review(name: str) -> runner.Outcome:
        return runner.review_cli(SAMPLES / name, tmp_path / "out" / name, env, tmp_path, tmp_path / "logs" / name,
                                 timeout=180)

    with ThreadPoolExecutor(2) as ex:
        outcomes = dict(zip(SAMPLE_NAMES, ex.map(review, SAMPLE_NAMES)))
    for name, o in outcomes.items():
        assert o.exit == "0", (name, o.exit, o.killed, o.stderr[-2000:])
        assert o.doc is not None and o.doc["inputs"], name
    _assert_untouched(samples_before, "workbench review")
    assert list((tmp_path / "tmpdir").iterdir()) == []
    # the inputs hashed in review.json are the files as they are on disk
    doc = outcomes[SMALL].doc
    for f in doc["inputs"]:
        assert samples_before[f"{SMALL}/{f['path']}"][3] == f["sha256"], f["path"]


@pytest.mark.slow
def test_batch_leaves_its_input_untouched(samples_before, tmp_path):
    root = tmp_path / "root"
    shutil.copytree(SAMPLES / SMALL, root / SMALL, copy_function=shutil.copy2)
    before = runner.snapshot(root)
    env = _env(tmp_path)
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", "batch", str(root), "--out", str(tmp_path / "runs"),
                           "--jobs", "1", "--timeout", "300"], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=400)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (tmp_path / "runs" / SMALL / "review.json").is_file()
    changes = runner.diff(before, runner.snapshot(root))
    assert changes == [], "batch changed its input:\n" + "\n".join(changes)
    _assert_untouched(samples_before, "workbench batch")


@pytest.mark.slow
def test_serve_leaves_every_sample_untouched(samples_before, reaped_served_app):
    """The landing page reviews every sample; a review page runs the review notebook for one (server-side)."""
    served_app = reaped_served_app
    name = "gb18030-esc-amd"
    pages = {"index": f"{served_app['base']}/voila/render/index.ipynb?lang=en",
             "review": f"{served_app['base']}/voila/render/review.ipynb?submission={name}&lang=en"}
    bodies = {}
    for key, url in pages.items():
        with urllib.request.urlopen(url, timeout=300) as r:
            assert r.status == 200, (url, r.status)
            bodies[key] = r.read().decode("utf-8", errors="replace")
    # the notebooks ran server-side: the review cell displayed the app (built after run_review), the index its picker
    assert "ReviewApp(" in bodies["review"], "review page did not run the review notebook"
    assert "application/vnd.jupyter.widget-view+json" in bodies["index"]
    assert "Traceback" not in bodies["review"] and "Traceback" not in bodies["index"]
    _assert_untouched(samples_before, "workbench serve")


def test_snapshot_sees_a_change(tmp_path):
    """The snapshot itself detects a rewritten byte with the same size and mtime, a new file and a touched folder."""
    d = tmp_path / "s"
    (d / "sub").mkdir(parents=True)
    f = d / "sub" / "a.csv"
    f.write_bytes(b"USUBJID\nA\n")
    st = f.stat()
    before = runner.snapshot(d)
    f.write_bytes(b"USUBJID\nB\n")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
    changes = runner.diff(before, runner.snapshot(d))
    assert changes == ["changed: 'sub/a.csv'"]
    (d / "sub" / "b").write_text("x")
    assert {"added: 'sub/b'", "changed: 'sub/'"} <= set(runner.diff(before, runner.snapshot(d)))
    json.dumps(before)  # snapshots are plain data (written into failure messages)
