"""Benchmark: load / checks / analyses / tier / whole `workbench review` / raw read, at 200, 2,000 and 10,000 subjects.

Usage (from the repository root, about 5 minutes on 2 cores):

    .venv/bin/python benchmarks/run.py                       # the table, and benchmarks/results.json
    .venv/bin/python benchmarks/run.py --sizes 200 --repeat 5  # one size
    .venv/bin/python benchmarks/run.py --app                   # also the Voila review page per size (Chromium)

Each size's submission is generated once (same generator as `workbench sample --subjects N`, seed 1) into
a scratch folder (kept with --scratch DIR, so later runs skip generation). Each repetition is a fresh
subprocess (cold interpreter, warm OS file cache); the table shows medians.

Columns:
  load       `load_submission` (read + tidy + hashes + documents + SUPP merge)
  raw read   reading the same files with the same readers (`read_dataset`) and nothing else - the physical
             floor the work over the data is compared with; the reader libraries are imported first
  checks, analyses, tier, tables   the phases of `run_review` (tier includes the review.json analyses object;
             tables: the standard tables of workbench.tables)
  work/raw   (checks + analyses + tier + tables) / raw read, per repetition, median   target <= 1.0 at 10,000
  review     wall seconds of `python -m workbench.cli review SUB --out DIR` as a user runs it: interpreter
             start, imports, review, review.json and report.html (plotly.js and every figure, zh + en), tables.xlsx,
             review.docx (its figures drawn by Chromium unless --no-images) and tables/<id>.csv
  peak RSS   maximum resident set size of that review process (os.wait4), the largest repetition
  growth     review wall at the largest size / at the smallest                 target <= 60 (10,000 vs 200)

Timings on a shared machine are noisy: run when nothing else is busy, or raise --repeat. The "CPU probe"
(a fixed 10 M-step Python loop, before and after the run) tells how fast the machine was: compare tables
only at similar probe values.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PHASES_CODE = r"""
import json, sys, time
t0 = time.perf_counter()
from workbench.review import run_review
from workbench.readers import read_dataset
import workbench.analyses, workbench.tiers          # noqa: F401  (imports are not part of the phases)
import pyarrow.parquet, pyreadstat, openpyxl        # noqa: F401  (reader libraries, for the raw-read floor)
from pathlib import Path
imported = time.perf_counter() - t0
path = Path(sys.argv[1])
files = sorted((path / "tabulations").iterdir()) + sorted((path / "cmc").glob("*.csv")) + [path / "documents" / "index.csv"]
t0 = time.perf_counter()
for f in files:
    if f.is_file():
        read_dataset(f)
raw = time.perf_counter() - t0
review = run_review(path)
print(json.dumps({"import": imported, "raw_read": raw, **review.timings}))
"""

TARGETS = {"work_over_raw_read": 1.0, "growth": 60.0, "small_review_wall_s": 3.0, "large_review_wall_s": 30.0,
           "large_peak_rss_mib": 3 * 1024, "small_app_render_s": 6.0}


def cpu_probe() -> float:
    """Seconds for a fixed pure-Python loop (10 M additions) in a fresh interpreter: how fast this machine is
    right now. On a shared host it varies by 2-3x; compare tables only at similar probe values."""
    code = "import time\nt=time.perf_counter()\ns=0\nfor i in range(10_000_000): s+=i\nprint(time.perf_counter()-t)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip())


def phases(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", PHASES_CODE, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


REVIEW_ARGS: list[str] = []   # extra `workbench review` options (--no-images)


def whole_review(path: Path, out_dir: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of `workbench review` as a user runs it (interpreter start included)."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "review", str(path), "--out", str(out_dir),
                                 *REVIEW_ARGS],
                                stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)     # this child's own rusage (peak RSS), not all children's
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"workbench review {path} exited {proc.returncode}: {err.read().decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def app_render_seconds(root: Path, name: str) -> float:
    """Request → fully rendered review page (scorecard visible, no 'Loading widget') in headless Chromium."""
    from _app import chromium, served

    with served(root) as (base, _), chromium() as b:
        page = b.new_page()
        t0 = time.perf_counter()
        page.goto(f"{base}/voila/render/review.ipynb?submission={name}&lang=en", timeout=300_000)
        page.get_by_text("Key-information scorecard").first.wait_for(timeout=300_000)
        page.wait_for_function("!document.body.innerText.includes('Loading widget')", timeout=300_000)
        return time.perf_counter() - t0


def measure(n: int, target: Path, scratch: Path, repeat: int, gen_s: float) -> dict:
    reps = [phases(target) for _ in range(repeat)]
    runs = [whole_review(target, scratch / f"out{n}") for _ in range(repeat)]
    med = {k: statistics.median(r[k] for r in reps) for k in reps[0]}
    ratios = [(r.get("checks", 0) + r.get("analyses", 0) + r.get("tier", 0) + r.get("tables", 0)) / r["raw_read"]
              for r in reps]
    work = med.get("checks", 0) + med.get("analyses", 0) + med.get("tier", 0) + med.get("tables", 0)
    return {"subjects": n, "generate_s": round(gen_s, 2), **{f"{k}_s": round(v, 3) for k, v in med.items()},
            "work_s": round(work, 3), "work_over_raw_read": round(statistics.median(ratios), 3),
            "review_wall_s": round(statistics.median(w for w, _ in runs), 2),
            "review_wall_runs_s": [round(w, 2) for w, _ in runs],
            "peak_rss_mib": round(max(p for _, p in runs), 1), "repeat": repeat}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 10000])
    ap.add_argument("--repeat", type=int, default=3, help="repetitions per size (medians are reported)")
    ap.add_argument("--out", default="benchmarks/results.json")
    ap.add_argument("--scratch", default=None, help="folder for generated submissions (default: a temp folder)")
    ap.add_argument("--app", action="store_true", help="also time the Voila review page of each size (needs Chromium)")
    ap.add_argument("--no-images", action="store_true",
                    help="time `workbench review --no-images` (review.docx without the figures rendered by Chromium)")
    args = ap.parse_args()
    if args.no_images:
        REVIEW_ARGS.append("--no-images")
    from workbench.sample import generate_scaled

    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="wb-bench-"))
    probe_before = cpu_probe()
    results = []
    for n in args.sizes:
        target = scratch / f"n{n}"
        t0 = time.perf_counter()
        found = sorted(p for p in target.glob("*") if p.is_dir()) if target.exists() else []
        target = found[0] if found else generate_scaled(target, n)
        gen = time.perf_counter() - t0
        row = measure(n, target, scratch, args.repeat, gen)
        if args.app:   # the review page of this size, request -> fully rendered
            row["app_render_s"] = round(app_render_seconds(target.parent, target.name), 2)
        results.append(row)
        print(json.dumps(row), flush=True)
    growth = None
    if len(results) > 1:
        growth = round(results[-1]["review_wall_s"] / results[0]["review_wall_s"], 1)
    app = results[0].get("app_render_s")
    for r in results:
        if "app_render_s" in r:
            print(f"app render ({r['subjects']} subjects): {r['app_render_s']} s")

    probe = round(statistics.median([probe_before, cpu_probe()]), 3)
    print(f"\nCPU probe (10 M-step Python loop): {probe} s")
    head = ["subjects", "load s", "raw read s", "checks s", "analyses s", "tier s", "tables s", "work/raw",
            "review wall s", "peak RSS MiB", "app page s"]
    keys = ["subjects", "load_s", "raw_read_s", "checks_s", "analyses_s", "tier_s", "tables_s", "work_over_raw_read",
            "review_wall_s", "peak_rss_mib", "app_render_s"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in results:
        print("| " + " | ".join(f"{r.get(k):,}" if k == "subjects" else str(r.get(k)) for k in keys) + " |")
    if growth is not None:
        print(f"\ngrowth: review wall at {results[-1]['subjects']:,} subjects / at {results[0]['subjects']:,} = "
              f"{growth} (target <= {TARGETS['growth']:g})")
    small, large = results[0], results[-1]
    verdicts = {
        f"work/raw <= 1.0 at {large['subjects']:,}": large["work_over_raw_read"] <= TARGETS["work_over_raw_read"],
        f"review <= 3 s at {small['subjects']:,}": small["review_wall_s"] <= TARGETS["small_review_wall_s"],
        f"review <= 30 s at {large['subjects']:,}": large["review_wall_s"] <= TARGETS["large_review_wall_s"],
        f"peak RSS <= 3 GiB at {large['subjects']:,}": large["peak_rss_mib"] <= TARGETS["large_peak_rss_mib"],
    }
    if growth is not None:
        verdicts["growth <= 60"] = growth <= TARGETS["growth"]
    if app is not None:
        verdicts[f"app page <= 6 s at {small['subjects']:,}"] = app <= TARGETS["small_app_render_s"]
    for name, ok in verdicts.items():
        print(f"  {'met ' if ok else 'MISS'}  {name}")
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"python": sys.version.split()[0], "cpus": os.cpu_count(),
                                          "load_average": os.getloadavg(), "cpu_probe_s": probe,
                                          "results": results, "growth": growth,
                                          "targets_met": verdicts, "app_render_s": app}, indent=2) + "\n")
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
