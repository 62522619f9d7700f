"""`workbench batch`: papermill per submission, failures recorded, skip/force, no partial outputs, same review.json."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from workbench.batch import parse_shard, plan_jobs, run_batch

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_data"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """Two real samples and one broken submission."""
    root = tmp_path_factory.mktemp("batch-root")
    for name in ("gb18030-esc-amd", "bare-sdtm"):
        shutil.copytree(SAMPLES / name, root / name)
    broken = root / "broken-sub" / "tabulations"
    broken.mkdir(parents=True)
    (broken / "dm.xpt").write_bytes(b"not a transport file")
    return root


@pytest.fixture(scope="module")
def first_run(root, tmp_path_factory):
    out = tmp_path_factory.mktemp("runs")
    t0 = time.perf_counter()
    outcomes = run_batch(root, out, jobs=2, progress=False, timeout=300)
    return out, outcomes, time.perf_counter() - t0


def test_good_submissions_produce_outputs_and_broken_is_recorded(first_run):
    out, outcomes, seconds = first_run
    status = {o.submission_id: o.status for o in outcomes}
    assert status == {"MH-RPE-105": "ok", "bare-sdtm": "ok", "broken-sub": "failed"}, status
    for sid in ("MH-RPE-105", "bare-sdtm"):
        for name in ("review.ipynb", "report.html", "review.json", "log.txt", "run.json"):
            assert (out / sid / name).is_file(), (sid, name)
    failed = json.loads((out / "broken-sub" / "run.json").read_text())
    assert failed["status"] == "failed" and "no readable dataset" in failed["error"]
    # house style: the executed notebook is kept even when the run fails, with the error visible
    nb = json.loads((out / "broken-sub" / "review.ipynb").read_text())
    assert any(o.get("output_type") == "error" for c in nb["cells"] for o in c.get("outputs", []))
    portfolio = pd.read_csv(out / "portfolio.csv", encoding="utf-8-sig")
    assert set(portfolio["submission_id"]) == {"MH-RPE-105", "bare-sdtm", "broken-sub"}
    row = portfolio.set_index("submission_id").loc["MH-RPE-105"]
    assert row["tier"] == "T2" and row["status"] == "ok" and row["cell_type"] == "ESC_DERIVED"
    assert pd.read_parquet(out / "portfolio.parquet").shape[0] == 3
    assert not list(out.glob(".tmp-*"))
    print(f"batch of 3 with --jobs 2: {seconds:.1f} s")


def test_rerun_skips_unchanged_and_force_reruns(root, first_run):
    out, _, _ = first_run
    before = (out / "bare-sdtm" / "review.json").stat().st_mtime_ns
    outcomes = {o.submission_id: o.status for o in run_batch(root, out, jobs=2, progress=False)}
    assert outcomes["bare-sdtm"] == "skipped" and outcomes["MH-RPE-105"] == "skipped"
    assert outcomes["broken-sub"] == "failed"  # failures are always retried
    assert (out / "bare-sdtm" / "review.json").stat().st_mtime_ns == before
    forced = {o.submission_id: o.status for o in run_batch(root, out, jobs=2, progress=False, force=True)}
    assert forced["bare-sdtm"] == "ok"
    assert (out / "bare-sdtm" / "review.json").stat().st_mtime_ns != before


def test_progress_in_a_log_is_one_plain_line_per_submission(root, first_run):
    """stderr that is not a terminal (CI logs, nohup) gets "review i/n id: status" lines, not a redrawn bar."""
    out, _, _ = first_run
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", "batch", str(root), "--out", str(out), "--jobs", "2"],
                          capture_output=True, text=True, timeout=300)
    assert "\r" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("review ")]
    assert len(lines) == 3, proc.stderr
    assert {ln.split(" ", 2)[2] for ln in lines} == {"MH-RPE-105: skipped", "bare-sdtm: skipped", "broken-sub: failed"}
    assert [ln.split()[1] for ln in lines] == ["1/3", "2/3", "3/3"]


def test_batch_and_interactive_give_the_same_review_json(first_run, tmp_path):
    from workbench.review import review_to_folder

    out, _, _ = first_run
    batch_doc = json.loads((out / "MH-RPE-105" / "review.json").read_text())
    review_to_folder(SAMPLES / "gb18030-esc-amd", tmp_path, generated_at=batch_doc["generated_at"])
    assert json.loads((tmp_path / "review.json").read_text()) == batch_doc


def test_interrupted_batch_leaves_no_partial_outputs(tmp_path):
    # one submission, so the Ctrl-C surely lands while its review runs (with several, a quick one could
    # finish between two looks at the output folder and rightly leave its results)
    root = tmp_path / "root"
    shutil.copytree(SAMPLES / "gb18030-esc-amd", root / "gb18030-esc-amd")
    out = tmp_path / "runs"
    proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "batch", str(root), "--out", str(out),
                             "--jobs", "1", "--force"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not list(out.glob(".tmp-*")):
        time.sleep(0.1)
    assert list(out.glob(".tmp-*")), "the batch never started a run"
    os.killpg(proc.pid, signal.SIGINT)
    proc.wait(timeout=60)
    time.sleep(0.5)
    assert not list(out.glob(".tmp-*"))
    assert not _processes_mentioning(str(out)), "a review worker outlived the interrupted batch"
    # Ctrl-C came while the first review ran: it was stopped, not waited for, and left nothing behind
    assert not [d.name for d in out.iterdir() if d.is_dir()]


def _processes_mentioning(text: str) -> list[int]:
    """Live processes whose command line contains ``text`` (the workers name their output folder)."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                cmdline = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                state = (d / "stat").read_text().split(") ", 1)[1][:1]
            except OSError:
                continue
            if text in cmdline and state != "Z":
                found.append(int(d.name))
    return found


def test_shards_partition_the_submissions(root):
    everything = {j.submission_id for j in plan_jobs(root)}
    parts = [{j.submission_id for j in plan_jobs(root, (k, 2))} for k in (1, 2)]
    assert parts[0] | parts[1] == everything and not parts[0] & parts[1]
    with pytest.raises(ValueError):
        parse_shard("3/2")


def test_shards_never_share_an_output_folder(tmp_path):
    """Two folders declaring one submission_id land in different shards: their output ids still differ."""
    for name in ("a-first", "b-second"):
        shutil.copytree(SAMPLES / "bare-sdtm", tmp_path / name)
        (tmp_path / name / "submission.yaml").write_text("submission_id: SAME-ID\n", encoding="utf-8")
    ids = [j.submission_id for k in (1, 2) for j in plan_jobs(tmp_path, (k, 2))]
    assert sorted(ids) == sorted(j.submission_id for j in plan_jobs(tmp_path))
    assert len(set(ids)) == 2 and "SAME-ID" in ids
