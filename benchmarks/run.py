"""Benchmark: load / checks / analyses / tier / whole `workbench review` / raw read, at 200, 2,000 and 10,000 subjects.

Usage:  python benchmarks/run.py [--sizes 200 2000 10000] [--repeat 3] [--out benchmarks/results.json] [--app]

Each size's submission is generated once (same generator as `workbench sample --subjects N`) into a
scratch folder. Phases are timed in a fresh subprocess per repetition (cold process, warm OS file
cache); medians are reported. "raw read" reads the same dataset files with the same readers and
nothing else: the physical floor the work over the data is compared with. Peak memory is the
maximum resident set size of the `workbench review` process. `--app` also times the Voila app of
the smallest size from request to fully rendered page in headless Chromium.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
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
from workbench.readers import read_dataset, tidy
from pathlib import Path
imported = time.perf_counter() - t0
path = Path(sys.argv[1])
t0 = time.perf_counter()
for f in sorted((path / "tabulations").iterdir()) + sorted((path / "cmc").glob("*.csv")) + [path / "documents" / "index.csv"]:
    if f.is_file():
        read_dataset(f)
raw = time.perf_counter() - t0
review = run_review(path)
print(json.dumps({"import": imported, "raw_read": raw, **review.timings}))
"""


def phases(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", PHASES_CODE, str(path)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def whole_review(path: Path, out_dir: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of `workbench review` as a user runs it (interpreter start included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "workbench.cli", "review", str(path), "--out", str(out_dir)],
                   capture_output=True, check=True)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return wall, max(peak, before) / 1024


def app_render_seconds(root: Path, name: str) -> float:
    """Request → fully rendered review page (scorecard visible, no 'Loading widget') in headless Chromium."""
    import socket
    import urllib.request

    from playwright.sync_api import sync_playwright

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "WORKBENCH_CACHE_DIR": f"{tmp}/cache"}
        proc = subprocess.Popen([sys.executable, "-m", "workbench.cli", "serve", str(root), f"--port={port}",
                                 f"--db-url=sqlite:///{tmp}/d.sqlite"], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, env=env, start_new_session=True)
        try:
            for _ in range(120):
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/voila/tree", timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            with sync_playwright() as p:
                b = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync"])
                page = b.new_page()
                t0 = time.perf_counter()
                page.goto(f"http://127.0.0.1:{port}/voila/render/review.ipynb?submission={name}&lang=en",
                          timeout=300_000)
                page.get_by_text("Key-information scorecard").first.wait_for(timeout=300_000)
                page.wait_for_function("!document.body.innerText.includes('Loading widget')", timeout=300_000)
                elapsed = time.perf_counter() - t0
                b.close()
            return elapsed
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 10000])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", default="benchmarks/results.json")
    ap.add_argument("--scratch", default=None, help="folder for generated submissions (default: a temp folder)")
    ap.add_argument("--app", action="store_true", help="also time the Voila app (needs Chromium)")
    args = ap.parse_args()
    from workbench.sample import generate_scaled

    scratch = Path(args.scratch or tempfile.mkdtemp(prefix="wb-bench-"))
    results = []
    for n in args.sizes:
        target = scratch / f"n{n}"
        t0 = time.perf_counter()
        if not target.exists():
            target = generate_scaled(target, n)
        gen = time.perf_counter() - t0
        reps = [phases(target) for _ in range(args.repeat)]
        walls, peaks = zip(*[whole_review(target, scratch / f"out{n}") for _ in range(args.repeat)])
        med = {k: statistics.median(r[k] for r in reps) for k in reps[0]}
        work = med.get("checks", 0) + med.get("analyses", 0) + med.get("tier", 0)
        row = {"subjects": n, "generate_s": round(gen, 2), **{f"{k}_s": round(v, 3) for k, v in med.items()},
               "work_s": round(work, 3), "work_over_raw_read": round(work / med["raw_read"], 3) if med["raw_read"] else None,
               "review_wall_s": round(statistics.median(walls), 2), "peak_rss_mib": round(max(peaks), 1)}
        results.append(row)
        print(json.dumps(row), flush=True)
    if len(results) > 1:
        ratio = results[-1]["review_wall_s"] / results[0]["review_wall_s"]
        print(f"growth: {results[-1]['subjects']} vs {results[0]['subjects']} subjects: review wall × {ratio:.1f}")
    app = None
    if args.app:
        app = round(app_render_seconds(scratch, f"n{args.sizes[0]}"), 2)
        print(f"app render ({args.sizes[0]} subjects): {app} s")
    cols = ["subjects", "load_s", "raw_read_s", "checks_s", "analyses_s", "tier_s", "work_over_raw_read",
            "review_wall_s", "peak_rss_mib"]
    print("\n" + " | ".join(cols))
    for r in results:
        print(" | ".join(str(r.get(c)) for c in cols))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps({"python": sys.version.split()[0], "cpus": os.cpu_count(), "results": results,
                                          "app_render_s": app}, indent=2))
    print(f"written: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
