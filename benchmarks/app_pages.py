"""Review-page times of the Voila app: request -> painted app (scorecard shown, no "Loading widget"), in headless
Chromium, per bundled sample and per scaled size; the first open of each submission ("cold") and the median of
N further opens ("warm"); when the overview's figure is drawn (it comes after the page has painted); the ratio
warm page / in-process review of the same submission. Times are taken in the page (``MARKS``).

    .venv/bin/python benchmarks/app_pages.py                         # 7 samples + 200 / 2,000 / 10,000 subjects
    .venv/bin/python benchmarks/app_pages.py --loads 20 --sizes 200 10000 --scratch /tmp/pages
    .venv/bin/python benchmarks/app_pages.py --serve-arg=--pool=0    # a fresh kernel per page (the old behaviour)

Each page is opened in a fresh browser context and closed before the next; between opens the script waits
``--gap`` seconds (the pool of pre-heated kernels refills). Needs Debian's chromium (scripts/setup.sh --test).
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from _app import chromium, served

REPO = Path(__file__).resolve().parents[1]


# Records in the page, from the first frame on, when the app is first painted and when its first figure is drawn
# (performance.now(): milliseconds since the navigation started). Playwright's own waits poll with growing pauses
# (up to half a second), too coarse for page times of about a second; they only say when to read these.
MARKS = """
(() => {
  const t = {}; window.__wbTimes = t;
  function tick() {
    const b = document.body;
    if (b) {
      if (!t.app) { const x = b.innerText;
        if (x.includes('Key-information scorecard') && !x.includes('Loading widget')) { t.app = performance.now(); } }
      if (!t.figure && document.querySelector('.wb-review-app .js-plotly-plot .main-svg')) { t.figure = performance.now(); }
    }
    if (!(t.app && t.figure)) { requestAnimationFrame(tick); }
  }
  requestAnimationFrame(tick);
})();
"""


def page_seconds(browser, url: str, timeout_s: float) -> tuple[float, float | None] | None:
    """(seconds from the request to the painted review page, to its first drawn figure - None if it has none
    within ``timeout_s``); None when the page did not render in ``timeout_s``."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    ctx = browser.new_context()
    ctx.add_init_script(MARKS)
    page = ctx.new_page()
    try:
        page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        page.get_by_text("Key-information scorecard").first.wait_for(timeout=timeout_s * 1000)
        page.wait_for_function("!document.body.innerText.includes('Loading widget')", timeout=timeout_s * 1000)
        app = page.evaluate("window.__wbTimes.app") / 1000
        try:
            page.wait_for_function("window.__wbTimes.figure", timeout=timeout_s * 1000)
            figure = page.evaluate("window.__wbTimes.figure") / 1000
        except PlaywrightTimeout:
            figure = None
        return app, figure
    except PlaywrightTimeout:
        return None
    finally:
        ctx.close()


def review_seconds(path: Path, repeat: int) -> float:
    """Median in-process `run_review` of the submission (this process, warm imports)."""
    from workbench.review import run_review

    run_review(path)   # imports and first-use costs out of the way
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        run_review(path)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def measure_root(root: Path, names: list[str], args, label) -> list[dict]:
    rows = []
    with served(root, *args.serve_arg, f"--kernel-idle={args.kernel_idle}") as (base, log), chromium() as browser:
        time.sleep(args.settle)   # the pools fill once at start
        for name in names:
            url = f"{base}/voila/render/review.ipynb?submission={name}&lang=en"
            cold = page_seconds(browser, url, args.timeout)
            warm, figures, stalls = [], [], 0
            for _ in range(args.loads):
                time.sleep(args.gap)
                s = page_seconds(browser, url, args.timeout)
                if s is None:
                    stalls += 1
                else:
                    warm.append(s[0])
                    figures.append(s[1])
            review = review_seconds(root / name, args.review_repeat)
            med = statistics.median(warm) if warm else None
            drawn = [f for f in figures if f is not None]
            row = {"submission": label(name), "cold_s": None if cold is None else round(cold[0], 2),
                   "warm_median_s": None if med is None else round(med, 2),
                   "warm_min_s": round(min(warm), 2) if warm else None,
                   "warm_max_s": round(max(warm), 2) if warm else None,
                   "figure_median_s": round(statistics.median(drawn), 2) if drawn else None, "loads": args.loads,
                   "not_rendered": stalls + (cold is None), "review_s": round(review, 2),
                   "page_over_review": None if med is None else round(med / review, 2)}
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--loads", type=int, default=20, help="warm opens per submission (default 20)")
    ap.add_argument("--sizes", type=int, nargs="*", default=[200, 2000, 10000])
    ap.add_argument("--samples", nargs="*", default=None, help="bundled samples (default: all)")
    ap.add_argument("--scratch", default=None, help="folder for the scaled submissions (kept between runs)")
    ap.add_argument("--serve-arg", action="append", default=[], help="extra `workbench serve` option, repeatable")
    ap.add_argument("--gap", type=float, default=4.0, help="seconds between opens (the pool refills)")
    ap.add_argument("--settle", type=float, default=20.0, help="seconds after the server starts")
    ap.add_argument("--timeout", type=float, default=200.0, help="seconds a page may take")
    ap.add_argument("--kernel-idle", type=int, default=15, help="workbench serve --kernel-idle (closed pages' kernels)")
    ap.add_argument("--review-repeat", type=int, default=3)
    ap.add_argument("--out", default=None, help="JSON file for the rows")
    args = ap.parse_args()
    from workbench.sample import generate_scaled

    rows: list[dict] = []
    samples = args.samples if args.samples is not None else sorted(
        p.name for p in (REPO / "sample_data").iterdir() if p.is_dir())
    if samples:
        rows += measure_root(REPO / "sample_data", samples, args, lambda n: n)
    scratch = Path(args.scratch or "/tmp/wb-app-pages")
    for n in args.sizes:
        root = scratch / f"n{n}"
        found = sorted(p for p in root.glob("*") if p.is_dir()) if root.exists() else []
        target = found[0] if found else generate_scaled(root, n)
        rows += measure_root(root, [target.name], args, lambda _name, n=n: f"{n:,} subjects")
    head = ["submission", "cold s", "warm median s", "warm min-max s", "first figure drawn, median s", "not rendered",
            "review s", "page / review"]
    print("\n| " + " | ".join(head) + " |\n|" + "---|" * len(head))
    for r in rows:
        print(f"| {r['submission']} | {r['cold_s']} | {r['warm_median_s']} | {r['warm_min_s']}-{r['warm_max_s']} | "
              f"{r['figure_median_s']} | {r['not_rendered']} | {r['review_s']} | {r['page_over_review']} |")
    if args.out:
        Path(args.out).write_text(json.dumps({"serve_args": args.serve_arg, "rows": rows}, indent=2) + "\n")
    return 1 if any(r["not_rendered"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
