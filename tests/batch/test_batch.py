"""`workbench batch` on Dask: papermill per submission, failures recorded, skip/force, no partial outputs, the same
review.json on an embedded cluster, on a real multi-process cluster and interactively; a killed kernel is retried."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pandas as pd
import pytest

from workbench.batch import BatchError, parse_shard, plan_jobs, run_batch

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_data"
GOOD = {"MH-RPE-105": "gb18030-esc-amd", "bare-sdtm": "bare-sdtm", "HX-DAP-101": "fih-ipsc-parkinson"}
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    """Three real samples and one broken submission."""
    root = tmp_path_factory.mktemp("batch-root")
    for name in GOOD.values():
        shutil.copytree(SAMPLES / name, root / name)
    broken = root / "broken-sub" / "tabulations"
    broken.mkdir(parents=True)
    (broken / "dm.xpt").write_bytes(b"not a transport file")
    return root


@pytest.fixture(scope="module")
def first_run(root, tmp_path_factory):
    """The local run (embedded cluster, --jobs 2): the reference for every other run."""
    out = tmp_path_factory.mktemp("runs")
    t0 = time.perf_counter()
    outcomes = run_batch(root, out, jobs=2, progress=False, timeout=300)
    return out, outcomes, time.perf_counter() - t0


def review_hash(path: Path) -> str:
    """SHA-256 of a review.json without its volatile field (generated_at)."""
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc.pop("generated_at")
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def test_good_submissions_produce_outputs_and_broken_is_recorded(first_run):
    out, outcomes, seconds = first_run
    status = {o.submission_id: o.status for o in outcomes}
    assert status == {**{sid: "ok" for sid in GOOD}, "broken-sub": "failed"}, status
    for sid in GOOD:
        for name in ("review.ipynb", "report.html", "review.json", "log.txt", "run.json"):
            assert (out / sid / name).is_file(), (sid, name)
        run = json.loads((out / sid / "run.json").read_text())
        assert run["attempts"] == 1 and run["retried"] == []
    failed = json.loads((out / "broken-sub" / "run.json").read_text())
    assert failed["status"] == "failed" and "no readable dataset" in failed["error"]
    assert failed["attempts"] == 1, "a failing notebook is a finding about the submission, never retried"
    # house style: the executed notebook is kept even when the run fails, with the error visible
    nb = json.loads((out / "broken-sub" / "review.ipynb").read_text())
    assert any(o.get("output_type") == "error" for c in nb["cells"] for o in c.get("outputs", []))
    portfolio = pd.read_csv(out / "portfolio.csv", encoding="utf-8-sig")
    assert set(portfolio["submission_id"]) == {*GOOD, "broken-sub"}
    row = portfolio.set_index("submission_id").loc["MH-RPE-105"]
    assert row["tier"] == "T2" and row["status"] == "ok" and row["cell_type"] == "ESC_DERIVED"
    assert row["attempts"] == 1
    assert pd.read_parquet(out / "portfolio.parquet").shape[0] == 4
    assert not list(out.glob(".tmp-*")) and not list(out.glob(".old-*"))
    print(f"batch of 4 with --jobs 2: {seconds:.1f} s")


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
    assert proc.returncode == 0, proc.stderr
    assert "\r" not in proc.stderr, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("review ")]
    assert len(lines) == 4, proc.stderr
    assert {ln.split(" ", 2)[2] for ln in lines} == {*(f"{sid}: skipped" for sid in GOOD), "broken-sub: failed"}
    assert [ln.split()[1] for ln in lines] == ["1/4", "2/4", "3/4", "4/4"]
    assert [ln for ln in proc.stderr.splitlines() if not ln.startswith(("review ", "  broken-sub: failed"))] == []


def test_batch_and_interactive_give_the_same_review_json(first_run, tmp_path):
    from workbench.review import review_to_folder

    out, _, _ = first_run
    batch_doc = json.loads((out / "MH-RPE-105" / "review.json").read_text())
    review_to_folder(SAMPLES / "gb18030-esc-amd", tmp_path, generated_at=batch_doc["generated_at"])
    assert json.loads((tmp_path / "review.json").read_text()) == batch_doc


# --- a real cluster: a scheduler and two workers, each its own process, on loopback ---------------------------------

@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """`dask scheduler` + two `dask worker --nthreads 1` processes; yields the scheduler address."""
    d = tmp_path_factory.mktemp("dask-cluster")
    info = d / "scheduler.json"
    mark = f"wb-cluster-{uuid.uuid4().hex}"
    env = {**os.environ, "WB_TEST_MARK": mark}
    dask = [sys.executable, "-m", "dask"]
    procs = [subprocess.Popen([*dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--dashboard-address", "127.0.0.1:0", "--scheduler-file", str(info)],
                              stdout=open(d / "scheduler.log", "w"), stderr=subprocess.STDOUT, env=env, cwd=d,
                              start_new_session=True)]
    try:
        deadline = time.monotonic() + 60
        while not info.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        for k in (1, 2):
            procs.append(subprocess.Popen([*dask, "worker", "--scheduler-file", str(info), "--nthreads", "1",
                                           "--nworkers", "1", "--no-dashboard", "--host", "127.0.0.1",
                                           "--name", f"worker-{k}"],
                                          stdout=open(d / f"worker-{k}.log", "w"), stderr=subprocess.STDOUT,
                                          env=env, cwd=d, start_new_session=True))
        from distributed import Client

        with Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=90)
            workers = client.scheduler_info(n_workers=-1)["workers"]
            pids = {w["name"]: client.run(os.getpid, workers=[a])[a] for a, w in workers.items()}
        assert len(set(pids.values()) | {os.getpid()}) == 3, "scheduler and workers must be separate processes"
        yield {"address": address, "mark": mark, "logs": d}
    finally:
        for p in reversed(procs):
            _stop_group(p)


def _stop_group(proc: subprocess.Popen) -> None:
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            continue


def _main_cell_running(private: Path) -> bool:
    """The executed notebook papermill keeps saving says the review cell has started (and not finished)."""
    try:
        cells = json.loads((private / "review.ipynb").read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return False
    return any("review_to_folder" in "".join(c.get("source", "")) and
               c.get("metadata", {}).get("papermill", {}).get("status") == "running" for c in cells)


def _kernel_in(private: Path) -> int | None:
    """The kernel process running in a private run folder (the batch starts each kernel there)."""
    want = str(private.resolve())
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                if os.readlink(d / "cwd") == want and b"ipykernel" in (d / "cmdline").read_bytes():
                    return int(d.name)
            except OSError:
                continue
    return None


def _when_running(out: Path, sid: str, action, timeout: float = 120):
    """Wait until submission ``sid``'s review cell runs in its kernel, then call ``action(private, kernel_pid)``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for private in out.glob(f".tmp-{sid}-*"):
            if _main_cell_running(private) and (pid := _kernel_in(private)):
                return action(private, pid)
        time.sleep(0.05)
    raise AssertionError(f"the review of {sid} never started running")


def test_cluster_run_equals_local_run_and_a_killed_kernel_is_retried_once(root, first_run, dask_cluster, tmp_path):
    local_out, _, _ = first_run
    out = tmp_path / "cluster-runs"
    out.mkdir()
    killed: list[int] = []

    def kill(private, pid):
        os.kill(pid, signal.SIGKILL)       # the kernel dies in the middle of the review cell
        killed.append(pid)

    watcher = threading.Thread(target=_when_running, args=(out, "MH-RPE-105", kill), daemon=True)
    watcher.start()
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", "batch", str(root), "--out", str(out),
                           "--scheduler", dask_cluster["address"]], capture_output=True, text=True, timeout=300)
    watcher.join(timeout=10)
    assert proc.returncode == 0, proc.stderr
    assert killed, "the test never killed a kernel"
    assert "1 retried after a kernel failure" in proc.stdout, proc.stdout
    runs = {p.parent.name: json.loads(p.read_text()) for p in out.glob("*/run.json")}
    assert {sid: r["status"] for sid, r in runs.items()} == {**{sid: "ok" for sid in GOOD}, "broken-sub": "failed"}
    retried = runs["MH-RPE-105"]
    assert retried["attempts"] == 2 and len(retried["retried"]) == 1, retried
    assert retried["retried"][0]["attempt"] == 1 and retried["retried"][0]["reason"].startswith("kernel died"), retried
    assert all(runs[sid]["attempts"] == 1 for sid in ("bare-sdtm", "HX-DAP-101", "broken-sub"))
    log = (out / "MH-RPE-105" / "log.txt").read_text()
    assert "attempt 1 failed (kernel died" in log and "attempt 2 of MH-RPE-105" in log
    # the same review.json as the local run, submission by submission (generated_at apart)
    for sid in GOOD:
        assert review_hash(out / sid / "review.json") == review_hash(local_out / sid / "review.json"), sid
    row = pd.read_csv(out / "portfolio.csv", encoding="utf-8-sig").set_index("submission_id").loc["MH-RPE-105"]
    assert row["attempts"] == 2 and row["status"] == "ok"
    assert not list(out.glob(".tmp-*"))


def test_a_scheduler_that_does_not_answer_is_a_one_line_error(root, tmp_path, monkeypatch):
    import socket

    import workbench.batch as batch

    with socket.socket() as s:   # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setattr(batch, "CONNECT_TIMEOUT_S", 2)
    with pytest.raises(BatchError, match="no Dask scheduler answers"):
        run_batch(root, tmp_path / "runs", scheduler=f"tcp://127.0.0.1:{port}", progress=False)


def test_interrupted_batch_leaves_no_partial_outputs(tmp_path):
    # one submission, so the Ctrl-C surely lands while its review runs (with several, a quick one could
    # finish between two looks at the output folder and rightly leave its results)
    root = tmp_path / "root"
    shutil.copytree(SAMPLES / "gb18030-esc-amd", root / "gb18030-esc-amd")
    out = tmp_path / "runs"
    mark = f"wb-interrupt-{uuid.uuid4().hex}"
    proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "batch", str(root), "--out", str(out),
                             "--jobs", "1", "--force"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "WB_TEST_MARK": mark}, start_new_session=True,
                            preexec_fn=_default_sigint)
    kernel = _when_running(out, "MH-RPE-105", lambda private, pid: pid)
    os.killpg(proc.pid, signal.SIGINT)     # Ctrl-C at a terminal: the whole foreground group
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert b"Traceback" not in err and b"Kernel died" not in err, err.decode()   # workers keep quiet
    assert not list(out.glob(".tmp-*"))
    assert not _alive(kernel), "the kernel outlived the interrupted batch"
    assert not _processes_marked(mark), "a worker or kernel outlived the interrupted batch"
    # Ctrl-C came while the review ran: it was stopped, not waited for, and left nothing behind
    assert not [d.name for d in out.iterdir() if d.is_dir()]


def _default_sigint() -> None:
    """A batch started from a background job inherits SIGINT ignored (as `nohup cmd &` does): the test wants the
    terminal's behaviour whatever ran pytest."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][:1] != "Z"
    except OSError:
        return False


def _processes_marked(mark: str) -> list[int]:
    """Live processes started under the test's marker (workers and kernels inherit the environment)."""
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and int(d.name) != os.getpid():
            try:
                if mark.encode() in (d / "environ").read_bytes() and _alive(int(d.name)):
                    found.append(int(d.name))
            except OSError:
                continue
    return found


def test_a_submission_over_its_time_is_recorded_as_timeout_not_retried(tmp_path):
    root = tmp_path / "root"
    shutil.copytree(SAMPLES / "bare-sdtm", root / "bare-sdtm")
    # 1 s: less than a kernel start and the review's imports take, so the deadline always comes first
    [outcome] = run_batch(root, tmp_path / "runs", jobs=1, timeout=1, progress=False)
    assert (outcome.status, outcome.attempts) == ("timeout", 1)
    run = json.loads((tmp_path / "runs" / "bare-sdtm" / "run.json").read_text())
    assert run["status"] == "timeout" and run["error"] == "no result within 1 s" and run["retried"] == []
    assert not (tmp_path / "runs" / "bare-sdtm" / "review.json").exists()
    assert not list((tmp_path / "runs").glob(".tmp-*"))


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


def test_a_live_shards_private_folder_survives_another_shards_start(tmp_path):
    """Shards share one --out: a starting batch removes a killed run's leftovers, never a running one's folder."""
    from workbench.batch_worker import PrivateFolder, remove_stale_private_folders

    live = PrivateFolder(tmp_path, "LIVE", "aaaa")          # held by a run in flight
    dead = PrivateFolder(tmp_path, "DEAD", "bbbb")
    dead._lock.close()                                      # its run was killed: the lock is gone
    young = tmp_path / ".tmp-YOUNG-cccc-x"                  # no lock file yet (just created, or being renamed)
    young.mkdir()
    remove_stale_private_folders(tmp_path)
    assert live.path.is_dir() and young.is_dir() and not dead.path.exists()
    assert not (young / ".lock").exists(), "the cleaner must not create lock files"
    live.publish(tmp_path / "LIVE")
    assert (tmp_path / "LIVE").is_dir() and not list(tmp_path.glob(".tmp-LIVE-*"))


def test_batch_loads_an_analysts_check_file(tmp_path):
    """`workbench batch --checks FILE`: the analyst's check runs in every review; a broken file stops the batch
    before it starts (exit 2, one line)."""
    import re

    doc = (REPO / "docs" / "extending.md").read_text(encoding="utf-8")
    mod = tmp_path / "my_checks.py"
    mod.write_text(re.findall(r"```python\n(.*?)```", doc, flags=re.S)[0], encoding="utf-8")
    root = tmp_path / "root"
    shutil.copytree(SAMPLES / "gb18030-esc-amd", root / "gb18030-esc-amd")
    run = subprocess.run([sys.executable, "-m", "workbench.cli", "batch", str(root), "--out", str(tmp_path / "out"),
                          "--jobs", "1", "--checks", str(mod), "--no-images"], capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    review = json.loads((tmp_path / "out" / "MH-RPE-105" / "review.json").read_text(encoding="utf-8"))
    assert "LAB-001" in {c["check_id"] for c in review["checks"]}
    from docx import Document   # --no-images reaches the notebook: review.docx says its figures were left out

    word = Document(str(tmp_path / "out" / "MH-RPE-105" / "review.docx"))
    assert any("images not requested" in para.text for para in word.paragraphs)
    assert json.loads((tmp_path / "out" / "MH-RPE-105" / "run.json").read_text())["checks_sha256"]
    bad = tmp_path / "bad.py"
    bad.write_text("raise RuntimeError('nope')\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "workbench.cli", "batch", str(root), "--out", str(tmp_path / "o2"),
                          "--checks", str(bad)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "bad.py" in run.stderr
