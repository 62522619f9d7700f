"""Running `workbench review` on corpus cases: in a worker process (fast) or through the real CLI (watched).

Both return an :class:`Outcome`: which exit the run had (0 / 1 / 2, or ``killed`` with why),
stderr, the review.json document, peak RSS and seconds. Also the snapshots used to prove that
nothing is written outside the output folder.
"""
from __future__ import annotations

import hashlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MEMORY_LIMIT_MB = 1500                 # peak RSS allowed for one `workbench review`
ADDRESS_SPACE_BACKSTOP = 8 << 30       # RLIMIT_AS of CLI children: a last resort if the watchdog is late
HASH_LIMIT = 256 * 1024 ** 2           # files above this (sparse test files) are fingerprinted by head/tail


@dataclass
class Outcome:
    exit: str                          # "0" | "1" | "2" | "killed"
    stderr: str = ""
    doc: dict | None = None
    seconds: float = 0.0
    peak_rss_mb: float | None = None
    killed: str | None = None          # "memory" | "timeout"
    traceback: str | None = None
    via: str = "inprocess"
    extra: dict = field(default_factory=dict)

    def findings(self) -> list[dict]:
        return (self.doc or {}).get("findings", [])


# -- in-process (run inside a worker of a multiprocessing pool) -----------------------------------------------

def review_inprocess(submission: str, out: str | None) -> Outcome:
    """run_review (+ write_review into ``out`` when given), mapping exceptions as the CLI does; log records
    of level WARNING and above are kept as the stderr the CLI would have printed."""
    import logging

    records: list[str] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(self.format(record))     # what the CLI would print on stderr (with any traceback)

    handler = _Keep(logging.WARNING)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    logging.getLogger().addHandler(handler)
    t0 = time.perf_counter()
    try:
        return _review(submission, out, records, t0)
    finally:
        logging.getLogger().removeHandler(handler)


def _review(submission: str, out: str | None, records: list[str], t0: float) -> Outcome:
    from workbench.jsonout import dumps
    from workbench.loader import SubmissionError
    from workbench.review import run_review, write_review

    try:
        review = run_review(submission)
        if out is not None:
            paths = write_review(review, out, lang="en")
            doc = json.loads(paths["review.json"].read_text(encoding="utf-8"))
        else:
            doc = json.loads(dumps(review.to_dict()))
    except SubmissionError as exc:
        return Outcome("2", "".join(r + "\n" for r in records) + f"workbench: cannot review: {exc}\n",
                       seconds=time.perf_counter() - t0)
    except RecursionError:
        return Outcome("1", "workbench: internal error (RecursionError)\n", seconds=time.perf_counter() - t0,
                       traceback=traceback.format_exc(limit=6)[-4000:])
    except Exception as exc:  # noqa: BLE001 - what the CLI would report as exit 1
        return Outcome("1", f"workbench: internal error ({type(exc).__name__}: {str(exc)[:300]})\n",
                       seconds=time.perf_counter() - t0, traceback=traceback.format_exc()[-4000:])
    return Outcome("0", "".join(r + "\n" for r in records), doc=doc, seconds=time.perf_counter() - t0)


def _worker_init() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BACKSTOP, ADDRESS_SPACE_BACKSTOP))
    import warnings

    warnings.simplefilter("ignore")
    import workbench.review  # noqa: F401 - import once per worker
    import workbench.report  # noqa: F401


def pool(processes: int = 2):
    import multiprocessing as mp

    return mp.get_context("forkserver").Pool(processes, initializer=_worker_init, maxtasksperchild=40)


# -- the real CLI ------------------------------------------------------------------------------------------------

def cli_env(base: Path) -> dict:
    """Environment for CLI children: HOME, caches and TMPDIR inside ``base`` (so the snapshot sees them)."""
    env = dict(os.environ)
    for k in ("WORKBENCH_DB_URL",):
        env.pop(k, None)
    env.update({"HOME": str(base / "home"), "XDG_CACHE_HOME": str(base / "home" / ".cache"),
                "WORKBENCH_CACHE_DIR": str(base / "home" / ".cache" / "stemcell-workbench"),
                "TMPDIR": str(base / "tmpdir")})
    for d in ("home", "tmpdir"):
        (base / d).mkdir(parents=True, exist_ok=True)
    return env


def _rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_watched(args: list[str], env: dict, cwd: Path, log_dir: Path, timeout: float,
                memory_mb: float = MEMORY_LIMIT_MB) -> Outcome:
    """Run a command with its RSS polled (killed above ``memory_mb``) and a wall-clock ``timeout``."""
    log_dir.mkdir(parents=True, exist_ok=True)
    out_f, err_f = open(log_dir / "stdout.txt", "wb"), open(log_dir / "stderr.txt", "wb")

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_BACKSTOP, ADDRESS_SPACE_BACKSTOP))

    t0 = time.monotonic()
    proc = subprocess.Popen(args, stdout=out_f, stderr=err_f, stdin=subprocess.DEVNULL, env=env, cwd=cwd,
                            preexec_fn=limits, start_new_session=True)
    peak, killed, status, usage = 0.0, None, None, None
    try:
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            rss = _rss_mb(proc.pid)
            if rss is not None:
                peak = max(peak, rss)
            if killed is None and peak > memory_mb:
                killed = "memory"
                os.killpg(proc.pid, signal.SIGKILL)
            elif killed is None and time.monotonic() - t0 > timeout:
                killed = "timeout"
                os.killpg(proc.pid, signal.SIGKILL)
            time.sleep(0.05)
    finally:
        out_f.close()
        err_f.close()
        proc.returncode = -1  # reaped by wait4 above: keep Popen from waiting again
        try:
            os.killpg(proc.pid, signal.SIGKILL)   # any grandchild left behind
        except ProcessLookupError:
            pass
    seconds = time.monotonic() - t0
    peak = max(peak, usage.ru_maxrss / 1024 if usage else 0.0)
    stderr = (log_dir / "stderr.txt").read_text(encoding="utf-8", errors="replace")
    code = os.waitstatus_to_exitcode(status) if status is not None else None
    if killed:
        return Outcome("killed", stderr, seconds=seconds, peak_rss_mb=peak, killed=killed, via="cli")
    return Outcome(str(code), stderr, seconds=seconds, peak_rss_mb=peak, via="cli")


def review_cli(submission: Path, out: Path, env: dict, cwd: Path, log_dir: Path, timeout: float) -> Outcome:
    args = [sys.executable, "-m", "workbench.cli", "review", str(submission), "--out", str(out), "--lang", "en"]
    o = run_watched(args, env, cwd, log_dir, timeout)
    rj = out / "review.json"
    if o.exit == "0" and rj.is_file():
        o.doc = json.loads(rj.read_text(encoding="utf-8"))
    return o


# -- snapshots -----------------------------------------------------------------------------------------------------

def file_digest(p: Path, st: os.stat_result) -> str:
    h = hashlib.sha256()
    with open(p, "rb") as fh:
        if st.st_size <= HASH_LIMIT:
            while block := fh.read(1 << 20):
                h.update(block)
        else:
            h.update(fh.read(1 << 20))
            fh.seek(-(1 << 20), os.SEEK_END)
            h.update(fh.read(1 << 20))
    return h.hexdigest()


def snapshot(root: Path, exclude: tuple[Path, ...] = ()) -> dict[str, tuple]:
    """Every entry under ``root`` (links not followed): type, size, mtime and, for regular files, SHA-256.
    Folders are listed with their mtime (a file created and removed again still changes it)."""
    import stat as st_mod

    root = Path(root)
    ex = tuple(Path(e) for e in exclude)
    out: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        d = Path(dirpath)
        if any(d == e or e in d.parents for e in ex):
            dirnames[:] = []
            continue
        st = os.lstat(d)
        out[d.relative_to(root).as_posix() + "/"] = ("dir", st.st_mtime_ns)
        for name in filenames + [n for n in dirnames if (d / n).is_symlink()]:
            p = d / name
            st = os.lstat(p)
            rel = p.relative_to(root).as_posix()
            if st_mod.S_ISLNK(st.st_mode):
                out[rel] = ("link", os.readlink(p))
            elif st_mod.S_ISREG(st.st_mode):
                out[rel] = ("file", st.st_size, st.st_mtime_ns, file_digest(p, st))
            else:
                out[rel] = ("special", st.st_mode, st.st_mtime_ns)
    return out


def diff(before: dict, after: dict) -> list[str]:
    changes = []
    for k in sorted(set(before) | set(after)):
        if before.get(k) != after.get(k):
            what = "added" if k not in before else "removed" if k not in after else "changed"
            changes.append(f"{what}: {k!r}")
    return changes
