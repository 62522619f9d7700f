"""`workbench batch`: the review notebook executed with papermill once per submission, N at a time.

Each submission runs in its own process (papermill + its own kernel) writing into a private
temporary folder that is renamed into ``OUT/<submission_id>/`` only when the run ends, so an
interrupted batch leaves no half-written outputs. A failed or timed-out submission keeps its
executed notebook and log, is marked failed in the portfolio, and never stops the others.
"""
from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from . import __version__
from .discover import discover
from .review import _umask
from .textsafe import one_line

RUN_FILE = "run.json"


class _Running:
    """Review subprocesses in flight, so that Ctrl-C stops them at once instead of waiting for them to finish."""

    def __init__(self):
        self.lock = threading.Lock()
        self.procs: set[subprocess.Popen] = set()
        self.stopping = threading.Event()

    def add(self, proc: subprocess.Popen) -> None:
        with self.lock:
            self.procs.add(proc)
        if self.stopping.is_set():   # started just as the batch was interrupted
            self.kill(proc)

    def discard(self, proc: subprocess.Popen) -> None:
        with self.lock:
            self.procs.discard(proc)

    @staticmethod
    def kill(proc: subprocess.Popen) -> None:
        try:
            os.killpg(proc.pid, signal.SIGKILL)   # the worker and its kernel (its own session)
        except (ProcessLookupError, PermissionError):
            pass

    def stop_all(self) -> None:
        self.stopping.set()
        with self.lock:
            procs = list(self.procs)
        for proc in procs:
            self.kill(proc)


class Interrupted(Exception):
    """The batch was interrupted while this submission ran; its partial output was removed."""


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


def source_sha256(folder: Path) -> str:
    """SHA-256 over every regular file (relative path + content hash) of a submission folder; links skipped."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for fn in sorted(filenames):
            p = Path(dirpath) / fn
            if p.is_symlink() or not p.is_file():
                continue
            fh = hashlib.sha256()
            with open(p, "rb") as f:
                while block := f.read(1 << 20):
                    fh.update(block)
            h.update(f"{p.relative_to(folder).as_posix()}\t{fh.hexdigest()}\n".encode())
    return h.hexdigest()


def submission_id_of(folder: Path) -> str:
    """The manifest's submission_id when valid, else the folder name made safe for a file name."""
    from .manifest import SUBMISSION_ID_RE, parse_manifest

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


def _unchanged(target: Path, src_sha: str, rules_sha: str) -> bool:
    try:
        prev = json.loads((target / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (prev.get("status") == "ok" and prev.get("source_sha256") == src_sha
            and prev.get("rules_sha256") == rules_sha and prev.get("tool_version") == __version__
            and (target / "review.json").is_file())


def _replace_dir(tmp: Path, target: Path) -> None:
    """Move a finished run folder into place (the old one, if any, is removed only after)."""
    old = None
    if target.exists():
        old = target.with_name(f".old-{target.name}-{os.getpid()}-{time.monotonic_ns()}")
        os.replace(target, old)
    os.replace(tmp, target)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def run_one(job: Job, out: Path, rules_path: str | None, rules_sha: str, lang: str, timeout: int, force: bool,
            src_sha: str, running: _Running | None = None) -> Outcome:
    """Execute the review notebook for one submission in a subprocess; never raises for a bad submission."""
    from .serve import notebooks_dir

    target = out / job.submission_id
    if not force and _unchanged(target, src_sha, rules_sha):
        return Outcome(job.submission_id, str(job.folder), "skipped", 0.0)
    tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{job.submission_id}-", dir=out))
    log_path = tmp / "log.txt"
    params = {"submission_path": str(job.folder.resolve()), "rules_path": rules_path, "lang": lang,
              "out_dir": str(tmp)}
    cmd = [sys.executable, "-m", "workbench.batch_worker", str(notebooks_dir() / "review.ipynb"),
           str(tmp / "review.ipynb"), json.dumps(params), str(timeout)]
    t0 = time.perf_counter()
    status, error = "ok", None
    proc = None
    try:
        with open(log_path, "w", encoding="utf-8") as log:
            proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                    env={**os.environ, "PYTHONUNBUFFERED": "1"})
            if running is not None:
                running.add(proc)
            try:
                rc = proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                status, error = "timeout", f"no result within {timeout} s"
            else:
                if running is not None and running.stopping.is_set():
                    raise Interrupted(job.submission_id)
                if rc != 0:
                    status = "failed"
                    error = _last_error(log_path) or f"review notebook exited with code {rc}"
        if status == "ok" and not (tmp / "review.json").is_file():
            status, error = "failed", "the notebook finished without writing review.json"
        seconds = time.perf_counter() - t0
        run = {"submission_id": job.submission_id, "folder": str(job.folder), "status": status, "error": error,
               "seconds": round(seconds, 3), "source_sha256": src_sha, "rules_sha256": rules_sha,
               "tool_version": __version__}
        (tmp / RUN_FILE).write_text(json.dumps(run, ensure_ascii=False, indent=2), encoding="utf-8")
        os.chmod(tmp, 0o777 & ~_umask())
        _replace_dir(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        if running is not None and proc is not None:
            running.discard(proc)
    return Outcome(job.submission_id, str(job.folder), status, seconds, error)


def _last_error(log_path: Path) -> str | None:
    try:
        lines = [ln.strip() for ln in log_path.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    except OSError:
        return None
    for ln in reversed(lines):
        if re.match(r"^[A-Za-z_.]*(Error|Exception)\b", ln) or ln.startswith("workbench:"):
            return ln[:300]
    return lines[-1][:300] if lines else None


def run_batch(root: str | os.PathLike, out: str | os.PathLike, jobs: int | None = None, rules_path: str | None = None,
              lang: str = "zh", timeout: int = 600, force: bool = False, shard: tuple[int, int] | None = None,
              progress: bool = True) -> list[Outcome]:
    """Run every submission under ``root``; write outputs and ``portfolio.csv``/``.parquet`` into ``out``."""
    from tqdm import tqdm

    from .portfolio import write_portfolio
    from .tiers import load_rules

    rules = load_rules(rules_path)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob(".tmp-*"):  # leftovers of a killed batch are never outputs
        shutil.rmtree(stale, ignore_errors=True)
    planned = plan_jobs(Path(root), shard)
    workers = max(1, jobs or os.cpu_count() or 1)
    outcomes: list[Outcome] = []
    # a progress bar on a terminal; in a log (not a terminal) one plain line per finished submission
    on_terminal = sys.stderr.isatty()
    bar = tqdm(total=len(planned), desc="review", unit="submission", disable=not (progress and on_terminal),
               file=sys.stderr)
    running = _Running()
    with cf.ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(run_one, j, out, rules_path, rules.sha256, lang, timeout, force,
                               source_sha256(j.folder), running): j for j in planned}
        try:
            for fut in cf.as_completed(futures):
                outcomes.append(fut.result())
                bar.update(1)
                bar.set_postfix_str(f"{outcomes[-1].submission_id}: {outcomes[-1].status}")
                if progress and not on_terminal:
                    print(f"review {len(outcomes)}/{len(planned)} {one_line(outcomes[-1].submission_id)}: "
                          f"{outcomes[-1].status}", file=sys.stderr, flush=True)
        except KeyboardInterrupt:   # stop at once: queued runs cancelled, running ones killed and removed
            for f in futures:
                f.cancel()
            running.stop_all()
            raise
        finally:
            bar.close()
    outcomes.sort(key=lambda o: o.submission_id)
    write_portfolio(out)
    return outcomes


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
    t0 = time.perf_counter()
    outcomes = run_batch(root, args.out, args.jobs, args.rules, args.lang, args.timeout, args.force, shard)
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status] = counts.get(o.status, 0) + 1
        if o.status in ("failed", "timeout"):
            print(f"  {o.submission_id}: {o.status}: {one_line(o.error)}", file=sys.stderr)
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"{len(outcomes)} submissions ({summary}) in {time.perf_counter() - t0:.1f} s; "
          f"portfolio: {Path(args.out) / 'portfolio.csv'}")
    return 0
