"""`workbench batch`: the review notebook executed with papermill once per submission, on Dask.

By default an embedded ``LocalCluster`` (``--jobs N`` worker processes, one thread each) runs the batch
on this machine; ``--scheduler tcp://HOST:PORT`` (or ``DASK_SCHEDULER_ADDRESS``) runs the same batch on
an existing Dask cluster whose workers have the workbench installed and see ROOT and ``--out`` at the same
paths (shared storage). One Dask task per submission (:func:`workbench.batch_worker.review_submission`):
papermill and a fresh kernel in the worker, a private folder renamed into ``OUT/<id>/`` when the run
ends. A failed or timed-out submission keeps its executed notebook and log, is marked failed in the
portfolio, and never stops the others. Ctrl-C cancels the futures, stops the kernels in flight and
leaves no partial output folder.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import secrets
import shutil
import signal
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .batch_worker import PrivateFolder, RUN_FILE, Task, remove_stale_private_folders, review_submission
from .discover import discover
from .textsafe import one_line

SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
CONNECT_TIMEOUT_S = 30   # for an existing scheduler to answer
STOP_WAIT_S = 30         # after Ctrl-C: how long the tasks in flight get to stop their kernels and clean up


class BatchError(Exception):
    """The batch cannot run at all (no scheduler, mismatched workers); a one-line message for the user."""


@dataclass
class Job:
    folder: Path
    submission_id: str


@dataclass
class Outcome:
    submission_id: str
    folder: str
    status: str            # ok | failed | timeout | skipped
    seconds: float
    error: str | None = None
    attempts: int = 1


def submission_id_of(folder: Path) -> str:
    """The manifest's submission_id when valid, else the folder name made safe for a file name."""
    from .loader.package import locate_study
    from .manifest import SUBMISSION_ID_RE, parse_manifest

    try:   # a data package root: the id of its study folder (as the review gives it)
        located = locate_study(Path(folder))
    except Exception:  # noqa: BLE001 - two studies: the review will say so; name the output after the folder
        located = None
    folder = located[0] if located is not None else folder
    manifest = folder / "submission.yaml"
    if manifest.is_file() and not manifest.is_symlink():
        try:
            m, _ = parse_manifest(manifest.read_bytes()[:1_000_000].decode("utf-8-sig", errors="replace"))
            if m is not None and m.submission_id and SUBMISSION_ID_RE.match(m.submission_id):
                return m.submission_id
        except Exception:  # noqa: BLE001 - fall back to the folder name
            pass
    return re.sub(r"[^A-Za-z0-9._-]", "_", folder.name)[:64].strip(".") or "submission"


def plan_jobs(root: Path, shard: tuple[int, int] | None = None) -> list[Job]:
    """Submissions under root (sorted), unique output ids, and the K-th of N shards when asked."""
    folders = discover(root)
    jobs, seen = [], set()
    for f in folders:   # ids made unique over all folders first, so two shards never write one output folder
        sid = submission_id_of(f)
        if sid in seen:  # two folders declaring one id: keep both, named apart
            sid = f"{sid}__{re.sub(r'[^A-Za-z0-9._-]', '_', f.name)}"[:100]
        seen.add(sid)
        jobs.append(Job(f, sid))
    if shard is not None:
        k, n = shard
        jobs = [j for i, j in enumerate(jobs) if i % n == k - 1]
    return jobs


def parse_shard(text: str | None) -> tuple[int, int] | None:
    if not text:
        return None
    m = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not m or not (1 <= int(m.group(1)) <= int(m.group(2))):
        raise ValueError(f"--shard takes K/N with 1 <= K <= N, not {text!r}")
    return int(m.group(1)), int(m.group(2))


@contextlib.contextmanager
def _sigint_ignored():
    """SIGINT ignored while worker processes are spawned: they inherit it, so a Ctrl-C at the terminal
    reaches only the batch, which then stops them in order (cancel, kill kernels, clean up)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def dask_client(scheduler: str | None = None, jobs: int | None = None):
    """A ``distributed.Client``: on the scheduler at ``scheduler`` (or ``$DASK_SCHEDULER_ADDRESS``), else on an
    embedded ``LocalCluster`` of ``jobs`` worker processes with one thread each."""
    from distributed import Client, LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)   # the batch reports per submission itself
    address = scheduler or os.environ.get(SCHEDULER_ENV) or None
    if address:
        try:
            client = Client(address, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise BatchError(f"no Dask scheduler answers at {address} ({type(exc).__name__}: {exc})") from None
        try:
            _check_workers(client)
            yield client
        finally:
            client.close()
        return
    workers = max(1, jobs or os.cpu_count() or 1)
    with _sigint_ignored():
        # no dashboard; the scheduler's small HTTP server (health, metrics) on a free loopback port
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                               silence_logs=logging.ERROR)
    try:
        with Client(cluster, set_as_default=False) as client:
            yield client
    finally:
        cluster.close()


def _worker_version() -> str:
    from workbench import __version__ as v

    return v


def _check_workers(client) -> None:
    """Every worker must run this workbench version: the same input must give the same review.json."""
    try:
        versions = client.run(_worker_version)
    except Exception as exc:  # noqa: BLE001 - a worker without the workbench cannot import this function
        raise BatchError(f"the Dask workers cannot run the workbench ({type(exc).__name__}: {exc}); "
                         "install it on every worker") from None
    wrong = sorted({v for v in versions.values() if v != __version__})
    if wrong:
        raise BatchError(f"Dask workers run workbench {', '.join(wrong)}, this command {__version__}")


def run_batch(root: str | os.PathLike, out: str | os.PathLike, jobs: int | None = None, rules_path: str | None = None,
              lang: str = "zh", timeout: int = 600, force: bool = False, shard: tuple[int, int] | None = None,
              progress: bool = True, scheduler: str | None = None, checks: list[str] | tuple[str, ...] = (),
              images: bool = True) -> list[Outcome]:
    """Run every submission under ``root``; write outputs and ``portfolio.csv``/``.parquet`` into ``out``.
    ``checks``: analysts' check files loaded in every review (checked here first: BatchError names a bad one).
    ``images``: review.docx with the figures drawn by Chromium (False: without them)."""
    from .portfolio import write_portfolio
    from .serve import notebooks_dir
    from .tiers import load_rules

    rules = load_rules(rules_path)
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_private_folders(out)   # leftovers of a killed batch are never outputs
    planned = plan_jobs(Path(root), shard)
    notebook = json.loads((notebooks_dir() / "review.ipynb").read_text(encoding="utf-8"))
    token = secrets.token_hex(4)
    check_files, checks_sha = _check_files(checks)
    tasks = [Task(j.submission_id, str(j.folder.resolve()), str(out), notebook,
                  str(Path(rules_path).resolve()) if rules_path else None, rules.sha256, lang, timeout, force,
                  __version__, token, f"workbench-batch-stop-{token}", check_files, checks_sha, images)
             for j in planned]
    with dask_client(scheduler, jobs) as client:
        outcomes = _run_tasks(client, tasks, out, token, progress)
    outcomes.sort(key=lambda o: o.submission_id)
    write_portfolio(out)
    return outcomes


def _run_tasks(client, tasks: list[Task], out: Path, token: str, progress: bool) -> list[Outcome]:
    from distributed import Event, as_completed
    from tqdm import tqdm

    futures = client.map(review_submission, tasks, key=[f"review-{t.submission_id}-{token}" for t in tasks],
                         pure=False)
    by_key = {f.key: t for f, t in zip(futures, tasks)}
    outcomes: list[Outcome] = []
    # a progress bar on a terminal; in a log (not a terminal) one plain line per finished submission
    on_terminal = sys.stderr.isatty()
    bar = tqdm(total=len(tasks), desc="review", unit="submission", disable=not (progress and on_terminal),
               file=sys.stderr)
    try:
        for fut in as_completed(futures, loop=client.loop):
            outcomes.append(_outcome(fut, by_key[fut.key], out))
            bar.update(1)
            bar.set_postfix_str(f"{outcomes[-1].submission_id}: {outcomes[-1].status}")
            if progress and not on_terminal:
                print(f"review {len(outcomes)}/{len(tasks)} {one_line(outcomes[-1].submission_id)}: "
                      f"{outcomes[-1].status}", file=sys.stderr, flush=True)
    except KeyboardInterrupt:   # stop at once: queued runs cancelled, kernels in flight killed, folders removed
        if tasks:
            Event(tasks[0].stop_event, client=client).set()
        client.cancel(futures)
        _wait_for_cleanup(out, token)
        raise
    finally:
        bar.close()
    return outcomes


def _outcome(fut, task: Task, out: Path) -> Outcome:
    try:
        r = fut.result()
    except Exception as exc:  # noqa: BLE001 - a worker lost several times, a folder missing on a worker...
        error = one_line(f"{type(exc).__name__}: {exc}")[:300]
        _record_failure(task, out, error)
        return Outcome(task.submission_id, task.folder, "failed", 0.0, error, 0)
    return Outcome(r["submission_id"], r["folder"], r["status"], r["seconds"], r["error"], r["attempts"])


def _record_failure(task: Task, out: Path, error: str) -> None:
    """A run.json saying why the task itself failed, so the portfolio shows the submission as failed."""
    try:
        private = PrivateFolder(out, task.submission_id, task.batch_token)
        run = {"submission_id": task.submission_id, "folder": task.folder, "status": "failed", "error": error,
               "seconds": 0.0, "attempts": 0, "retried": [], "tool_version": task.tool_version}
        (private.path / RUN_FILE).write_text(json.dumps(run, ensure_ascii=False, indent=2), encoding="utf-8")
        private.publish(out / task.submission_id)
    except OSError:
        pass


def _wait_for_cleanup(out: Path, token: str) -> None:
    """Wait until the stopped tasks removed their private folders; remove what is left after STOP_WAIT_S."""
    deadline = time.monotonic() + STOP_WAIT_S
    while time.monotonic() < deadline and list(out.glob(f".tmp-*-{token}-*")):
        time.sleep(0.1)
    for d in out.glob(f".tmp-*-{token}-*"):
        shutil.rmtree(d, ignore_errors=True)


def _check_files(checks) -> tuple[tuple[str, ...], str]:
    """Absolute paths of the analysts' check files, loaded once here (a file that cannot be imported stops the
    batch before it starts), and the SHA-256 over their contents."""
    if not checks:
        return (), ""
    from .checks import load_checks

    files, h = [], hashlib.sha256()
    for c in checks:
        p = Path(c).resolve()
        try:
            load_checks(p)
            h.update(f"{p.name}\t{hashlib.sha256(p.read_bytes()).hexdigest()}\n".encode())
        except Exception as exc:  # noqa: BLE001 - say which file and why, in one line
            raise BatchError(f"--checks {c}: {type(exc).__name__}: {one_line(exc)}") from None
        files.append(str(p))
    return tuple(files), h.hexdigest()


def main_batch(args) -> int:
    try:
        shard = parse_shard(args.shard)
    except ValueError as exc:
        print(f"workbench batch: {one_line(exc)}", file=sys.stderr)
        return 2
    root = Path(args.root)
    if not root.is_dir():
        print(f"workbench batch: {one_line(root)}: not a folder", file=sys.stderr)
        return 2
    if not discover(root):
        print(f"workbench batch: no submission folder under {one_line(root)}", file=sys.stderr)
        return 2
    if args.jobs and (args.scheduler or os.environ.get(SCHEDULER_ENV)):
        print("workbench batch: --jobs is ignored on an existing Dask cluster (it has its own workers)",
              file=sys.stderr)
    t0 = time.perf_counter()
    try:
        outcomes = run_batch(root, args.out, args.jobs, args.rules, args.lang, args.timeout, args.force, shard,
                             scheduler=args.scheduler, checks=getattr(args, "checks", None) or (),
                             images=not getattr(args, "no_images", False))
    except BatchError as exc:
        print(f"workbench batch: {one_line(exc)}", file=sys.stderr)
        return 2
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
        if o.status in ("failed", "timeout"):
            print(f"  {o.submission_id}: {o.status}: {one_line(o.error)}", file=sys.stderr)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    retried = sum(1 for o in outcomes if o.attempts > 1)
    print(f"{len(outcomes)} submissions ({summary}) in {time.perf_counter() - t0:.1f} s"
          + (f"; {retried} retried after a kernel failure" if retried else "")
          + f"; portfolio: {Path(args.out) / 'portfolio.csv'}")
    return 0
