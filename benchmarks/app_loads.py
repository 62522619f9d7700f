"""Soak test of the reviewer app: N review-page loads against one `workbench serve`, each in a fresh
headless Chromium context; reports load times and every load that never rendered (a "stall"), with the
page text, the browser console and the tail of the Voila log.

    .venv/bin/python benchmarks/app_loads.py --loads 150 [--timeout 60] [--kernel-idle 300]

Made to chase the rare stall at Voila's "Executing 1 of 2" (see docs/app.md, "Known issue"): with the
default culling, a page whose kernel starts during a sweep that shuts down many idle kernels at once can
wait forever. Needs Debian's chromium (scripts/setup.sh --test installs it).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from _app import chromium, served

REPO = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, default=150)
    ap.add_argument("--timeout", type=float, default=60, help="seconds a page may take to render")
    ap.add_argument("--kernel-idle", type=int, default=300, help="workbench serve --kernel-idle")
    args = ap.parse_args()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    names = sorted(p.name for p in (REPO / "sample_data").iterdir() if p.is_dir())
    times: list[float] = []
    stalls = 0
    with served(REPO / "sample_data", f"--kernel-idle={args.kernel_idle}") as (base, log_path), \
            chromium() as browser:
        for i in range(args.loads):
            name = names[i % len(names)]
            ctx = browser.new_context()
            page = ctx.new_page()
            console: list[str] = []
            page.on("console", lambda m: console.append(f"{m.type}: {m.text}"[:300]))
            t0 = time.monotonic()
            page.goto(f"{base}/voila/render/review.ipynb?submission={name}&lang=en", wait_until="commit")
            try:
                page.locator("text=Key-information scorecard >> visible=true").first.wait_for(
                    timeout=args.timeout * 1000)
                times.append(time.monotonic() - t0)
            except PlaywrightTimeout:
                stalls += 1
                tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-30:])
                print(f"STALL at load {i} ({name})\n--- page ---\n{page.inner_text('body')[-800:]}"
                      f"\n--- console ---\n" + "\n".join(console[-15:]) + f"\n--- voila log ---\n{tail}",
                      flush=True)
            ctx.close()
    times.sort()
    median = f"{times[len(times) // 2]:.2f}" if times else "n/a"
    worst = f"{times[-1]:.2f}" if times else "n/a"
    print(f"loads {args.loads}, stalls {stalls}, median render {median} s, slowest {worst} s")
    return 1 if stalls else 0


if __name__ == "__main__":
    sys.exit(main())
