"""Benchmark: `workbench batch` wall time over the bundled samples (--jobs 1 and 2) and over many scaled submissions.

Usage (from the repository root; about 10 minutes on 2 cores with the defaults):

    .venv/bin/python benchmarks/batch.py                           # samples x jobs 1, 2; 50 scaled x jobs 2
    .venv/bin/python benchmarks/batch.py --many 20 --subjects 200 --jobs 1 2

Each run is the real command a user types (`python -m workbench.cli batch ROOT --out DIR --jobs N --force`,
one papermill execution of notebooks/review.ipynb per submission), timed from start to exit, into a fresh
output folder. The scaled submissions are `workbench sample --subjects N --seed K` for K = 1..many (each
its own randomised study). Also reported: seconds per submission (wall / count) and the median per-submission
run time the batch itself recorded in run.json. The table goes to stdout, JSON to
benchmarks/results-batch.json.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def run_batch(root: Path, out: Path, jobs: int) -> dict:
    if out.exists():
        shutil.rmtree(out)
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "workbench.cli", "batch", str(root), "--out", str(out),
                           "--jobs", str(jobs), "--force"], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    runs = [json.loads(p.read_text()) for p in out.glob("*/run.json")]
    statuses: dict[str, int] = {}
    for r in runs:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    return {"jobs": jobs, "submissions": len(runs), "exit": proc.returncode, "wall_s": round(wall, 1),
            "per_submission_s": round(wall / max(1, len(runs)), 2),
            "median_run_s": round(statistics.median(r["seconds"] for r in runs), 2) if runs else None,
            "statuses": statuses}


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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", default=str(REPO / "sample_data"))
    ap.add_argument("--many", type=int, default=50, help="number of scaled submissions (0: skip)")
    ap.add_argument("--subjects", type=int, default=200, help="subjects per scaled submission")
    ap.add_argument("--jobs", type=int, nargs="+", default=[1, 2], help="--jobs values for the samples")
    ap.add_argument("--many-jobs", type=int, nargs="+", default=[2], help="--jobs values for the scaled set")
    ap.add_argument("--scratch", default=None, help="folder for scaled submissions and outputs (kept)")
    ap.add_argument("--out", default=str(REPO / "benchmarks" / "results-batch.json"))
    args = ap.parse_args()
    scratch = Path(args.scratch) if args.scratch else Path(tempfile.mkdtemp(prefix="wb-batch-bench-"))
    rows = []
    for jobs in args.jobs:
        r = run_batch(Path(args.samples), scratch / f"runs-samples-j{jobs}", jobs)
        rows.append({"set": "bundled samples", **r})
        print(json.dumps(rows[-1]), flush=True)
    if args.many:
        t0 = time.perf_counter()
        many_root = scratch / f"many-{args.subjects}"
        make_many(many_root, args.many, args.subjects)
        print(f"generated {args.many} submissions of {args.subjects} subjects in {time.perf_counter() - t0:.0f} s",
              flush=True)
        for jobs in args.many_jobs:
            r = run_batch(many_root, scratch / f"runs-many-j{jobs}", jobs)
            rows.append({"set": f"{args.many} scaled x {args.subjects} subjects", **r})
            print(json.dumps(rows[-1]), flush=True)
    print("\n| set | --jobs | submissions | wall s | s / submission | median run s | statuses |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['set']} | {r['jobs']} | {r['submissions']} | {r['wall_s']} | {r['per_submission_s']} | "
              f"{r['median_run_s']} | {r['statuses']} |")
    Path(args.out).write_text(json.dumps({"rows": rows, "scratch": str(scratch)}, indent=1) + "\n", encoding="utf-8")
    if not args.scratch:
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
