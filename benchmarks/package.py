"""Benchmark: the review time a CDE data package adds on the CDISC pilot (docs/package.md).

Usage (from the repository root, about a minute):

    .venv/bin/python benchmarks/package.py                 # 5 repetitions of each
    .venv/bin/python benchmarks/package.py --repeat 9

The pilot (../shared/real-sdtm, or $WORKBENCH_REAL_SDTM) is reviewed twice per repetition, each in a fresh
subprocess (cold interpreter, warm OS file cache): as the bare SDTM folder, and as the data package the
real-data tests assemble (m5/datasets/cdiscpilot01/ with tabulations/sdtm and the pilot's ADaM in
analysis/adam/datasets; copied into a scratch folder, never into the repository). Columns are medians of
the phases of `run_review` (seconds); "reconcile" is `reconciliation(sub)` alone, timed on the already
reviewed package with the study model already built (its share inside "checks"). The added time is package
minus bare.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CODE = r"""
import json, sys, time
t0 = time.perf_counter()
from workbench.review import run_review
from workbench.memo import cache_of
t1 = time.perf_counter()
r = run_review(sys.argv[1])
t2 = time.perf_counter()
r.to_dict()
t3 = time.perf_counter()
out = {**r.timings, "import": t1 - t0, "review": t2 - t1, "review_json": t3 - t2}
if r.submission.package is not None:
    from workbench.reconciliation import reconciliation
    cache = cache_of(r.submission)   # forget only the reconciliation's own derivations (not the study model)
    for key in [k for k in cache if str(k[0]).startswith(("workbench.reconciliation", "workbench.analyses.hepatic"))]:
        del cache[key]
    t = time.perf_counter(); reconciliation(r.submission); out["reconcile"] = time.perf_counter() - t
print(json.dumps(out))
"""


def real_sdtm() -> Path:
    for cand in (os.environ.get("WORKBENCH_REAL_SDTM"), REPO.parent / "shared" / "real-sdtm",
                 Path("/work/shared/real-sdtm")):
        if cand and (Path(cand) / "cdiscpilot01" / "dm.xpt").is_file():
            return Path(cand)
    sys.exit("the real SDTM of ../shared/real-sdtm is not found (set WORKBENCH_REAL_SDTM)")


def assemble(src: Path, root: Path) -> Path:
    for folder, target in ((src / "cdiscpilot01", "tabulations/sdtm"), (src / "cdiscpilot01-adam",
                                                                         "analysis/adam/datasets")):
        dest = root / "m5" / "datasets" / "cdiscpilot01" / target
        dest.mkdir(parents=True, exist_ok=True)
        for f in folder.iterdir():
            if f.is_file():
                shutil.copyfile(f, dest / f.name)
    return root


def run(path: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", CODE, str(path)], check=True, capture_output=True, text=True,
                         cwd=REPO)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    src = real_sdtm()
    with tempfile.TemporaryDirectory(prefix="wb-bench-pkg-") as tmp:
        package = assemble(src, Path(tmp))
        runs = {"bare": [], "package": []}
        for _ in range(args.repeat):
            runs["bare"].append(run(src / "cdiscpilot01"))
            runs["package"].append(run(package))
    cols = ["load", "checks", "analyses", "tier", "review", "review_json", "reconcile"]
    med = {k: {c: statistics.median(r[c] for r in v) for c in cols if c in v[0]} for k, v in runs.items()}
    print(f"{'':10}" + "".join(f"{c:>12}" for c in cols))
    for k in ("bare", "package"):
        print(f"{k:10}" + "".join(f"{med[k][c]:12.3f}" if c in med[k] else f"{'—':>12}" for c in cols))
    added = {c: med["package"][c] - med["bare"][c] for c in cols if c in med["bare"]}
    print(f"{'added':10}" + "".join(f"{added[c]:+12.3f}" if c in added else f"{'':>12}" for c in cols))
    print(f"medians of {args.repeat} repetitions; review = run_review wall seconds (load + checks + analyses + tier)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
