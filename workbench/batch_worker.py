"""One submission of `workbench batch`, as it runs inside a Dask worker: papermill + a fresh kernel.

The task writes into a private ``OUT/.tmp-<id>-…`` folder (held by a lock while it runs) and renames it
into ``OUT/<id>/`` only when the run ends, so there is never a half-written output folder. A kernel that
dies, or does not answer within its start-up time, is started again once (``MAX_ATTEMPTS``); the attempts
and their reasons go into ``run.json``. Nothing else is retried: a failing notebook is a finding about the
submission, not bad luck. The batch's stop signal (a Dask ``Event``) kills the kernel at once and removes
the private folder.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import logging
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

RUN_FILE = "run.json"
LOCK_FILE = ".lock"
MAX_ATTEMPTS = 2           # a kernel death or start-up timeout is retried once
KERNEL_START_TIMEOUT = 60  # seconds for a new kernel to answer
# no IPython history database: nothing to keep from a batch kernel, and hundreds of kernels writing one
# SQLite file in a shared home (NFS) lock each other out
KERNEL_ARGS = ["--HistoryManager.enabled=False"]
POLL_S = 0.5               # how often a running submission looks at the stop signal and its deadline
_UMASK = os.umask(0o022)
os.umask(_UMASK)           # read once: os.umask is process-wide and the worker has other threads


@dataclass
class Task:
    """Everything a worker needs for one submission (plain data: it travels to the worker)."""
    submission_id: str
    folder: str            # absolute path, the same on every worker (shared storage)
    out: str               # absolute path of the batch output folder (shared storage)
    notebook: dict         # the review notebook (nbformat JSON), sent by the client
    rules_path: str | None
    rules_sha: str
    lang: str
    timeout: int
    force: bool
    tool_version: str
    batch_token: str       # names this batch's private folders, so a Ctrl-C clears only its own
    stop_event: str | None = None   # name of the Dask Event that stops the batch
    checks: tuple[str, ...] = ()    # analysts' check files (absolute paths on shared storage), loaded in the kernel
    checks_sha: str = ""            # SHA-256 over those files' contents (a changed check file re-runs)
    images: bool = True             # review.docx with the figures as images (Chromium in the kernel)


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


def unchanged(target: Path, src_sha: str, rules_sha: str, version: str, checks_sha: str = "") -> bool:
    try:
        prev = json.loads((target / RUN_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (prev.get("status") == "ok" and prev.get("source_sha256") == src_sha
            and prev.get("rules_sha256") == rules_sha and prev.get("tool_version") == version
            and (prev.get("checks_sha256") or "") == checks_sha and (target / "review.json").is_file())


class PrivateFolder:
    """``OUT/.tmp-<id>-<batch>-…``: created locked; :meth:`publish` renames it to ``OUT/<id>``."""

    def __init__(self, out: Path, submission_id: str, batch_token: str):
        self.path = Path(tempfile.mkdtemp(prefix=f".tmp-{submission_id}-{batch_token}-", dir=out))
        self._lock = open(self.path / LOCK_FILE, "w")  # noqa: SIM115 - held for the run's lifetime
        fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def publish(self, target: Path) -> None:
        os.chmod(self.path, 0o777 & ~_UMASK)
        (self.path / LOCK_FILE).unlink(missing_ok=True)
        old = None
        if target.exists():   # the previous run is removed only once the new one is in place
            old = target.with_name(f".old-{target.name}-{os.getpid()}-{time.monotonic_ns()}")
            os.replace(target, old)
        os.replace(self.path, target)
        self._lock.close()
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
        self._lock.close()


def remove_stale_private_folders(out: Path) -> None:
    """``.tmp-*`` folders left by a killed batch; a folder whose lock another run still holds is kept (as is one
    without a lock file younger than 10 minutes: just created, or being renamed into place)."""
    for d in out.glob(".tmp-*"):
        try:
            fd = os.open(d / LOCK_FILE, os.O_RDWR)   # never created here: no lock file is not a dead run
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            finally:
                os.close(fd)
        except FileNotFoundError:
            try:
                if time.time() - d.stat().st_mtime < 600:   # just created, or being published
                    continue
            except OSError:
                continue
        except OSError as exc:
            if exc.errno in (errno.EACCES, errno.EAGAIN):
                continue   # a live run (this batch's other shard, or another machine) holds it
        shutil.rmtree(d, ignore_errors=True)
    for d in out.glob(".old-*"):   # a previous output whose replacement was published just before a crash
        shutil.rmtree(d, ignore_errors=True)


class _Watch:
    """Kills the attempt's kernel when the batch is stopped or the submission's time is up (looked at every
    ``POLL_S``: one small request to the scheduler per running submission and poll)."""

    def __init__(self, stop, deadline: float):
        self.stop, self.deadline = stop, deadline
        self.pid: int | None = None
        self.reason: str | None = None     # "interrupted" | "timeout"
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="workbench-batch-watch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.wait(POLL_S):
            if self.reason is None:
                if self.stop is not None and _is_set(self.stop):
                    self.reason = "interrupted"
                elif time.monotonic() > self.deadline:
                    self.reason = "timeout"
            if self.reason is not None and self.pid is not None:
                kill_group(self.pid)

    def close(self) -> None:
        self._done.set()
        self._thread.join()


def kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)   # the kernel leads its own session (jupyter_client starts it so)
    except (ProcessLookupError, PermissionError):
        pass


def _kernel_manager_class(watch: _Watch, log, sockets: str):
    """A kernel manager whose kernel writes its own stdout/stderr to the run's log and reports its pid."""
    from jupyter_client.manager import AsyncKernelManager

    class BatchKernelManager(AsyncKernelManager):
        def __init__(self, **kw):
            super().__init__(**kw)
            # kernel messages over Unix sockets in a private folder, not TCP ports on loopback (as `serve`)
            self.transport, self.ip = "ipc", os.path.join(sockets, "k")

        async def start_kernel(self, **kw):   # noqa: D102
            kw.update(stdout=log, stderr=log)
            await super().start_kernel(**kw)
            watch.pid = self.provisioner.pid if self.provisioner else None
            if watch.reason is not None and watch.pid is not None:
                kill_group(watch.pid)

    return BatchKernelManager


@contextlib.contextmanager
def _papermill_log_to(log):
    """papermill's and nbclient's messages ("Kernel died while waiting for execute reply.") about this
    attempt go to its log.txt, not to the worker's terminal (records of this thread only)."""
    me = threading.get_ident()
    handler = logging.StreamHandler(log)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s: %(message)s"))
    handler.addFilter(lambda record: record.thread == me)
    logger = logging.getLogger("papermill")
    logger.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)


@dataclass
class Attempt:
    status: str               # ok | failed | timeout | interrupted | retry
    error: str | None = None  # the one-line reason


def _retryable(exc: BaseException) -> str | None:
    """'kernel died' / 'kernel start-up timeout' when this failure is bad luck worth one more attempt."""
    from nbclient.exceptions import DeadKernelError

    text = str(exc)
    if isinstance(exc, DeadKernelError) or "Kernel died" in text:
        return "kernel died"
    if isinstance(exc, RuntimeError) and "didn't respond" in text:
        return "kernel start-up timeout"
    return None


def _attempt(task: Task, folder: Path, watch: _Watch, log) -> Attempt:
    import nbformat
    import papermill as pm
    from nbclient.exceptions import CellTimeoutError

    from .textsafe import one_line
    from .voila_patches import patch_missed_wakeup

    patch_missed_wakeup()   # papermill waits on the same kernel channels as Voila (docs/app.md, "Stalled pages")
    params = {"submission_path": task.folder, "rules_path": task.rules_path, "lang": task.lang,
              "out_dir": str(folder), "checks": list(task.checks), "images": task.images}
    sockets = tempfile.mkdtemp(prefix="wb-kernel-")   # short path: a Unix socket name has ~100 bytes
    try:
        with _papermill_log_to(log):
            pm.execute_notebook(nbformat.from_dict(task.notebook), str(folder / "review.ipynb"),
                                parameters=params,
                                progress_bar=False, kernel_name="python3", start_timeout=KERNEL_START_TIMEOUT,
                                execution_timeout=task.timeout, resources={"metadata": {"path": str(folder)}},
                                kernel_manager_class=_kernel_manager_class(watch, log, sockets),
                                extra_arguments=KERNEL_ARGS, shutdown_kernel="immediate")
    except pm.PapermillExecutionError as exc:
        return Attempt("failed", one_line(f"{exc.ename}: {exc.evalue}")[:300])
    except CellTimeoutError:
        return Attempt("timeout", f"no result within {task.timeout} s")
    except Exception as exc:  # noqa: BLE001 - every other failure is recorded, never raised
        if watch.reason == "interrupted":
            return Attempt("interrupted", "the batch was stopped")
        if watch.reason == "timeout":
            return Attempt("timeout", f"no result within {task.timeout} s")
        why = _retryable(exc)
        msg = one_line(f"{type(exc).__name__}: {exc}")[:300]
        return Attempt("retry", f"{why}: {msg}") if why else Attempt("failed", msg)
    finally:
        shutil.rmtree(sockets, ignore_errors=True)
    if watch.reason == "interrupted":
        return Attempt("interrupted", "the batch was stopped")
    if not (folder / "review.json").is_file():
        return Attempt("failed", "the notebook finished without writing review.json")
    return Attempt("ok")


def review_submission(task: Task) -> dict:
    """Run one submission (a Dask task); returns its outcome as a dict and never raises for a bad submission."""
    t0 = time.perf_counter()
    out, folder = Path(task.out), Path(task.folder)
    stop = _stop_event(task.stop_event)
    base = {"submission_id": task.submission_id, "folder": task.folder}
    if not folder.is_dir() or not out.is_dir():
        raise FileNotFoundError(f"{folder if not folder.is_dir() else out} is not visible on the Dask worker on "
                                f"{socket.gethostname()}: ROOT and --out must be on storage that every worker "
                                "mounts at the same path")
    if stop is not None and _is_set(stop):
        return {**base, "status": "interrupted", "seconds": 0.0, "error": None, "attempts": 0}
    src_sha = source_sha256(folder)
    target = out / task.submission_id
    if not task.force and unchanged(target, src_sha, task.rules_sha, task.tool_version, task.checks_sha):
        return {**base, "status": "skipped", "seconds": 0.0, "error": None, "attempts": 0}
    private = PrivateFolder(out, task.submission_id, task.batch_token)
    try:
        retried: list[dict] = []
        with open(private.path / "log.txt", "w", encoding="utf-8") as log:
            for n in range(1, MAX_ATTEMPTS + 1):
                log.write(f"workbench batch: attempt {n} of {task.submission_id}\n")
                log.flush()
                watch = _Watch(stop, time.monotonic() + task.timeout)
                try:
                    result = _attempt(task, private.path, watch, log)
                finally:
                    watch.close()
                if result.status != "retry" or n == MAX_ATTEMPTS:
                    break
                retried.append({"attempt": n, "reason": result.error})
                log.write(f"workbench batch: attempt {n} failed ({result.error}); starting a new kernel\n")
                log.flush()
            if result.status == "retry":   # the last attempt died too
                result = Attempt("failed", result.error)
            if result.error:
                log.write(f"workbench: {result.error}\n")
        if result.status == "interrupted":
            private.discard()
            return {**base, "status": "interrupted", "seconds": 0.0, "error": None, "attempts": n}
        seconds = round(time.perf_counter() - t0, 3)
        run = {**base, "status": result.status, "error": result.error, "seconds": seconds, "attempts": n,
               "retried": retried, "source_sha256": src_sha, "rules_sha256": task.rules_sha,
               "tool_version": task.tool_version, **({"checks_sha256": task.checks_sha} if task.checks else {})}
        (private.path / RUN_FILE).write_text(json.dumps(run, ensure_ascii=False, indent=2), encoding="utf-8")
        if stop is not None and _is_set(stop):   # stopped while finishing: leave nothing behind
            private.discard()
            return {**base, "status": "interrupted", "seconds": 0.0, "error": None, "attempts": n}
        private.publish(target)
    except BaseException:
        private.discard()
        raise
    return {**base, "status": result.status, "seconds": seconds, "error": result.error, "attempts": n,
            "retried": retried}


def _stop_event(name: str | None):
    if not name:
        return None
    from distributed import Event

    return Event(name)


def _is_set(event) -> bool:
    try:
        return event.is_set()
    except Exception:  # noqa: BLE001 - no scheduler to ask: the batch is gone
        return True
