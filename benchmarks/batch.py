"""Benchmark: `workbench batch` on Dask against the previous process pool, and the per-submission cost of a papermill
run against `workbench review` of the same submission.

Usage (from the repository root; about 15 minutes on 2 cores with the defaults):

    .venv/bin/python benchmarks/batch.py --before /path/to/old/.venv/bin/workbench
    git archive OLD_COMMIT | tar -x -C /tmp/wb-base    # the same review code with the previous batch engine:
    .venv/bin/python benchmarks/batch.py --before "env PYTHONPATH=/tmp/wb-base .venv/bin/python -m workbench.cli"
    .venv/bin/python benchmarks/batch.py --many 20 --jobs 2 --overhead 5 --scratch /tmp/wb-bench

Sets: `--many` scaled submissions (`workbench sample --subjects N --seed K`, K = 1..many, each its own
randomised study), generated once into the scratch folder.

1. Throughput: the real command a user types, `WORKBENCH batch ROOT --out DIR --jobs J --force`, timed from
   start to exit into a fresh output folder, for this checkout ("after": an embedded Dask LocalCluster) and,
   with --before, another installation's `workbench` (e.g. the previous release's process pool). The runs
   alternate (before, after, after, before, ... with --repeat) so that a change in the machine's load
   touches both. CPU s is the user+system time of the command and all its children (workers, kernels).
   Every "after" review.json is compared with the "before" one (generated_at apart): `same` must be all.
2. Overhead: for the first `--overhead` submissions, `workbench review SUB --out DIR` (a fresh interpreter,
   as a user runs it) and the same submissions through `workbench batch --jobs 1` (median per-submission
   time the batch recorded in run.json: hashing, kernel start, papermill, review, publish); the ratio is
   batch / review, in wall time and in CPU time (the batch's CPU over the whole command, its cluster's
   start included, divided by the submissions). The in-process review (`review_to_folder`, imports warm)
   is the floor.

Timings on a shared machine are noisy (the load average is printed with each row): run when nothing else is busy.
The table goes to stdout, JSON to benchmarks/results-batch.json.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
AFTER = [sys.executable, "-m", "workbench.cli"]


def timed(cmd: list[str]) -> tuple[float, float, int]:
    """(wall s, CPU s of the command and its children, exit code).

    Run from a neutral folder: `python -m` puts the current folder first on sys.path, and another
    installation started from this checkout would import this checkout's modules."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=tempfile.gettempdir())
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_utime + usage.ru_stime, proc.returncode


def review_hash(path: Path) -> str | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    doc.pop("generated_at", None)
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def run_batch(cmd: list[str], root: Path, out: Path, jobs: int) -> dict:
    if out.exists():
        shutil.rmtree(out)
    wall, cpu, code = timed([*cmd, "batch", str(root), "--out", str(out), "--jobs", str(jobs), "--force"])
    runs = [json.loads(p.read_text()) for p in out.glob("*/run.json")]
    statuses: dict[str, int] = {}
    for r in runs:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {"jobs": jobs, "submissions": len(runs), "exit": code, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
            "per_submission_s": round(wall / max(1, len(runs)), 2),
            "median_run_s": round(statistics.median(r["seconds"] for r in runs), 2) if runs else None,
            "statuses": statuses, "load": round(os.getloadavg()[0], 2)}


def make_many(root: Path, many: int, subjects: int) -> None:
    from workbench.sample.api import generate_scaled

    root.mkdir(parents=True, exist_ok=True)
    for k in range(1, many + 1):
        target = root / f"scaled-{subjects}-seed{k:03d}"
        if target.exists():
            continue
        with tempfile.TemporaryDirectory(dir=root) as tmp:
            folder = generate_scaled(Path(tmp), subjects, seed=k)
            folder.rename(target)


def same_reviews(a: Path, b: Path) -> str:
    ids = sorted(p.name for p in a.iterdir() if (p / "review.json").is_file())
    same = sum(1 for i in ids if review_hash(a / i / "review.json") == review_hash(b / i / "review.json"))
    return f"{same}/{len(ids)}"


def overhead(cmd: list[str], subs: list[Path], scratch: Path, label: str) -> dict:
    """`workbench review` per submission vs the batch's per-submission run time at --jobs 1."""
    root = scratch / f"overhead-{len(subs)}"
    if not root.exists():
        root.mkdir()
        for s in subs:
            shutil.copytree(s, root / s.name)
    reviews = [timed([*cmd, "review", str(s), "--out", str(scratch / "review-out" / s.name)]) for s in subs]
    batch = run_batch(cmd, root, scratch / f"overhead-runs-{label}", 1)
    review_s = statistics.median(w for w, _, _ in reviews)
    return {"engine": label, "review_s": round(review_s, 2),
            "review_cpu_s": round(statistics.median(c for _, c, _ in reviews), 2),
            "batch_run_s": batch["median_run_s"], "batch_wall_per_submission_s": batch["per_submission_s"],
            "batch_cpu_per_submission_s": round(batch["cpu_s"] / max(1, batch["submissions"]), 2),
            "ratio": round(batch["median_run_s"] / review_s, 2) if batch["median_run_s"] else None,
            "load": round(os.getloadavg()[0], 2)}


def in_process_review(subs: list[Path], scratch: Path) -> float:
    code = ("import sys, time, statistics, tempfile; from workbench.review import review_to_folder\n"
            "subs = sys.argv[1:]; review_to_folder(subs[0], tempfile.mkdtemp()); ts = []\n"
            "for s in subs:\n    t = time.perf_counter(); review_to_folder(s, tempfile.mkdtemp())\n"
            "    ts.append(time.perf_counter() - t)\nprint(statistics.median(ts))")
    out = subprocess.run([sys.executable, "-c", code, *map(str, subs)], capture_output=True, text=True, check=True)
    return round(float(out.stdout.strip()), 2)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--many", type=int, default=50, help="number of scaled submissions (0: skip throughput)")
    ap.add_argument("--subjects", type=int, default=200, help="subjects per scaled submission")
    ap.add_argument("--jobs", type=int, default=2, help="--jobs of the throughput runs")
    ap.add_argument("--repeat", type=int, default=1, help="throughput runs per engine (alternating)")
    ap.add_argument("--before", default=None,
                    help="the command of another installation's `workbench` to compare with, e.g. "
                         "'/old/.venv/bin/workbench' or 'env PYTHONPATH=/old/checkout .venv/bin/python -m workbench.cli'")
    ap.add_argument("--overhead", type=int, default=8, help="submissions for the overhead ratio (0: skip)")
    ap.add_argument("--scratch", default=None, help="folder for scaled submissions and outputs (kept)")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results-batch.json"))
    args = ap.parse_args()
    scratch = Path(args.scratch) if args.scratch else Path(tempfile.mkdtemp(prefix="wb-batch-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    engines = [("after (Dask)", AFTER)] + ([("before", shlex.split(args.before))] if args.before else [])
    many_root = scratch / f"many-{args.subjects}"
    t0 = time.perf_counter()
    make_many(many_root, max(args.many, args.overhead), args.subjects)
    print(f"{max(args.many, args.overhead)} submissions of {args.subjects} subjects ready in "
          f"{time.perf_counter() - t0:.0f} s", flush=True)
    rows, over = [], []
    if args.many:
        root = scratch / f"many-{args.many}x{args.subjects}"
        if not root.exists():
            root.mkdir()
            for p in sorted(many_root.iterdir())[:args.many]:
                shutil.copytree(p, root / p.name)
        order = [e for i in range(args.repeat) for e in (engines if i % 2 else engines[::-1])]
        for label, cmd in order:
            r = run_batch(cmd, root, scratch / f"runs-{label.split()[0]}", args.jobs)
            if label != "before" and args.before:
                r["same_review_json"] = same_reviews(scratch / "runs-after", scratch / "runs-before") \
                    if (scratch / "runs-before").exists() else None
            rows.append({"engine": label, "set": f"{args.many} x {args.subjects} subjects", **r})
            print(json.dumps(rows[-1]), flush=True)
        if args.before:   # the last "after" may have run before the first "before": compare once more at the end
            for r in rows:
                if r["engine"] != "before":
                    r["same_review_json"] = same_reviews(scratch / "runs-after", scratch / "runs-before")
    if args.overhead:
        subs = sorted(many_root.iterdir())[:args.overhead]
        for label, cmd in engines[::-1]:
            over.append(overhead(cmd, subs, scratch, label.split()[0]))
            print(json.dumps(over[-1]), flush=True)
        floor = in_process_review(subs, scratch)
    if rows:
        print("\n| engine | set | --jobs | submissions | wall s | s / submission | CPU s | median run s | statuses | "
              "same review.json | load |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['engine']} | {r['set']} | {r['jobs']} | {r['submissions']} | {r['wall_s']} | "
                  f"{r['per_submission_s']} | {r['cpu_s']} | {r['median_run_s']} | {r['statuses']} | "
                  f"{r.get('same_review_json', '')} | {r['load']} |")
    if over:
        print(f"\nPer submission ({args.overhead} submissions of {args.subjects} subjects; in-process review "
              f"with warm imports: {floor} s):\n")
        print("| engine | `workbench review` s | its CPU s | batch --jobs 1 run s | batch wall / submission s | "
              "batch CPU s / submission | ratio batch / review (run s) | (CPU) | load |")
        print("|---|---|---|---|---|---|---|---|---|")
        for o in over:
            cpu_ratio = round(o["batch_cpu_per_submission_s"] / o["review_cpu_s"], 2)
            print(f"| {o['engine']} | {o['review_s']} | {o['review_cpu_s']} | {o['batch_run_s']} | "
                  f"{o['batch_wall_per_submission_s']} | {o['batch_cpu_per_submission_s']} | {o['ratio']} | "
                  f"{cpu_ratio} | {o['load']} |")
    Path(args.out).write_text(json.dumps({"throughput": rows, "overhead": over, "scratch": str(scratch)}, indent=1)
                              + "\n", encoding="utf-8")
    if not args.scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
