"""Soak test of the reviewer app: N review-page loads against one `workbench serve`, each in a fresh
headless Chromium context; reports load times, every load that did not render in ``--timeout`` (a "stall")
with the page text, the browser console and the tail of the Voila log, and what became of it: the page's
own failure notice (the watchdog, after the execution timeout) and one reload that rendered ("recovered"),
or neither ("endless": the page would have spun for ever).

    .venv/bin/python benchmarks/app_loads.py --loads 300 [--timeout 60] [--kernel-idle 300] [--serve-arg=--pool=0]

Made to chase the rare stall at Voila's "Executing 1 of 2" (docs/app.md, "Stalled pages"). Needs Debian's
chromium (scripts/setup.sh --test installs it).
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
    ap.add_argument("--execution-timeout", type=int, default=120, help="workbench serve --execution-timeout")
    ap.add_argument("--serve-arg", action="append", default=[], help="extra `workbench serve` option, repeatable")
    args = ap.parse_args()
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    names = sorted(p.name for p in (REPO / "sample_data").iterdir() if p.is_dir())
    times: list[float] = []
    stalls = recovered = endless = 0
    with served(REPO / "sample_data", f"--kernel-idle={args.kernel_idle}",
                f"--execution-timeout={args.execution_timeout}", *args.serve_arg) as (base, log_path), \
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
                if _notice_then_reload(page, args):
                    recovered += 1
                else:
                    endless += 1
            ctx.close()
    times.sort()
    median = f"{times[len(times) // 2]:.2f}" if times else "n/a"
    worst = f"{times[-1]:.2f}" if times else "n/a"
    print(f"loads {args.loads}, stalls {stalls} (recovered with one reload {recovered}, endless {endless}), "
          f"median render {median} s, slowest {worst} s")
    return 1 if endless else 0


def _notice_then_reload(page, args) -> bool:
    """A stalled page must say so (the watchdog's notice, at the latest the execution timeout + 30 s after it
    was opened) and render after one reload."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.locator("#wb-page-failed, text=Key-information scorecard >> visible=true").first.wait_for(
            timeout=(args.execution_timeout + 60) * 1000)
    except PlaywrightTimeout:
        print("  no failure notice: an endless page", flush=True)
        return False
    page.reload(wait_until="commit")
    try:
        page.locator("text=Key-information scorecard >> visible=true").first.wait_for(timeout=args.timeout * 1000)
    except PlaywrightTimeout:
        print("  the reload did not render either", flush=True)
        return False
    print("  failure notice shown; rendered after one reload", flush=True)
    return True


if __name__ == "__main__":
    sys.exit(main())
