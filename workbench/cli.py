"""`workbench` command line: review, batch, serve, sample, audit (review-output.md)."""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
import traceback

from .textsafe import one_line

EXIT_OK, EXIT_BUG, EXIT_UNUSABLE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="workbench", description="Stem-cell registered-study evidence workbench "
                                "/ 干细胞备案临床研究证据审评工作台")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    sub = p.add_subparsers(dest="command")

    r = sub.add_parser("review", help="review one submission: review.json and report.html")
    r.add_argument("submission")
    r.add_argument("--out", required=True, help="output folder")
    r.add_argument("--rules", help="rules file replacing the shipped thresholds")
    r.add_argument("--lang", choices=("zh", "en"), default="zh")
    r.add_argument("--db-url", default=None,
                   help="decision store: add its decisions and sign-offs for this submission to report.html")
    add_checks_option(r)
    r.add_argument("--overlay", default=None, metavar="FILE",
                   help="reviewer overlay (YAML): what the data cannot tell, e.g. cell_type, control_arms, "
                        "primary_endpoint, required_followup_days (docs/app.md)")
    r.add_argument("--no-images", action="store_true",
                   help="review.docx without the figures as images (no Chromium needed; faster)")

    b = sub.add_parser("batch", help="run the review notebook for every submission under ROOT")
    b.add_argument("root")
    b.add_argument("--out", required=True)
    b.add_argument("--jobs", type=int, default=None,
                   help="worker processes of the embedded Dask cluster (default: the number of cores)")
    b.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                   help="run on an existing Dask cluster (default: $DASK_SCHEDULER_ADDRESS, else an embedded one)")
    b.add_argument("--rules")
    b.add_argument("--lang", choices=("zh", "en"), default="zh")
    b.add_argument("--timeout", type=int, default=600, help="seconds per submission (default 600)")
    b.add_argument("--force", action="store_true", help="re-run submissions whose inputs are unchanged")
    b.add_argument("--shard", default=None, help="K/N: run only the K-th of N shards (1-based)")
    b.add_argument("--no-images", action="store_true",
                   help="review.docx without the figures as images (no Chromium on the workers; faster)")
    add_checks_option(b)

    s = sub.add_parser("serve", help="start the Voila reviewer app on 127.0.0.1")
    s.add_argument("root", nargs="?", default=None, help="folder of submissions (default: bundled sample data)")
    s.add_argument("--port", type=int, default=8866)
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--db-url", default=None)
    s.add_argument("--lang", choices=("zh", "en"), default="zh")
    s.add_argument("--runs", default=None, help="a `workbench batch` output folder for the portfolio page")
    s.add_argument("--kernel-idle", type=int, default=300, metavar="SECONDS",
                   help="shut down a page's kernel this long after the page was closed (default 300)")
    s.add_argument("--pool", type=int, default=2, metavar="N",
                   help="pre-heated kernels kept ready for review pages (the stack imported, waiting for a "
                        "request; the list of submissions gets one); 0: start a kernel per page (default 2)")
    s.add_argument("--execution-timeout", type=int, default=120, metavar="SECONDS",
                   help="a page whose notebook cell runs longer than this fails visibly with a Reload button "
                        "instead of spinning (default 120)")
    s.add_argument("--user-header", default=None, metavar="NAME",
                   help="trust request header NAME (set by the authenticating proxy or JupyterHub) as the "
                        "reviewer's identity; requests without it cannot record (default: the local account)")
    s.add_argument("--roles", default=None, metavar="FILE",
                   help="roles file (YAML: identities -> reviewer | lead), applied to the decision store at start")
    add_checks_option(s)
    s.add_argument("--base-url", default=None, metavar="PREFIX",
                   help="the URL path a proxy serves the app under and strips before forwarding "
                        "(JupyterHub: /user/NAME/)")

    a = sub.add_parser("audit", help="export one submission's decisions and sign-offs for an inspector")
    a.add_argument("submission_id")
    a.add_argument("--out", required=True, help="FILE.csv or FILE.pdf")
    a.add_argument("--db-url", default=None, help="decision store (default: $WORKBENCH_DB_URL, else the local one)")
    a.add_argument("--tz", default="UTC", help="time zone of the times shown, e.g. Asia/Shanghai (default UTC)")

    g = sub.add_parser("sample", help="write the bundled synthetic submissions, or one scaled one")
    g.add_argument("--out", default=None)
    g.add_argument("--subjects", type=int, default=None)
    g.add_argument("--seed", type=int, default=1)
    return p


def _bug(exc: BaseException) -> int:
    fd, log = tempfile.mkstemp(prefix="workbench-error-", suffix=".log")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("".join(traceback.format_exception(exc)))
    print(f"workbench: internal error ({type(exc).__name__}: {one_line(exc)}); traceback in {log}", file=sys.stderr)
    return EXIT_BUG


def cmd_review(args) -> int:
    from .loader import SubmissionError
    from .review import run_review, write_review
    from .summary import summary_text

    t0 = time.perf_counter()
    try:
        load_extensions(args)
        overlay = None
        if getattr(args, "overlay", None):
            from .overlay import Overlay

            overlay = Overlay.load(args.overlay)
        review = run_review(args.submission, rules_path=args.rules, overlay=overlay)
    except SubmissionError as exc:
        print(f"workbench: cannot review: {one_line(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    except (_rules_error(), ExtensionError, _overlay_error()) as exc:
        print(f"workbench: {one_line(exc)}", file=sys.stderr)
        return EXIT_UNUSABLE
    audit = None
    if getattr(args, "db_url", None):
        from .audit import open_trail

        audit, problem = open_trail(args.db_url, review.submission.submission_id)
        if problem:
            print(f"workbench: {one_line(problem)}", file=sys.stderr)
            return EXIT_UNUSABLE
    paths = write_review(review, args.out, lang=args.lang, audit=audit, images=not args.no_images)
    print(summary_text(review, args.lang, time.perf_counter() - t0))
    for name, path in paths.items():
        print(f"{name}: {path}")
    return EXIT_OK


class ExtensionError(Exception):
    """An analyst's --checks file could not be loaded (exit code 2, with the file and the reason)."""


def add_checks_option(parser) -> None:
    parser.add_argument("--checks", action="append", default=[], metavar="FILE",
                        help="a Python file of analysts' checks (@check), loaded before the review; repeatable")


def load_extensions(args) -> list[str]:
    """Load the --checks files; returns the check ids they registered."""
    from .checks import load_checks

    ids: list[str] = []
    for path in getattr(args, "checks", None) or []:
        try:
            ids += load_checks(path)
        except Exception as exc:  # noqa: BLE001 - an analyst's file: say which and why, one line
            raise ExtensionError(f"--checks {path}: {type(exc).__name__}: {one_line(exc)}") from None
    return ids


def _overlay_error():
    from .overlay import OverlayError

    return OverlayError


def _rules_error():
    try:
        from .tiers import RulesError
        return RulesError
    except ImportError:  # pragma: no cover
        return ()


def cmd_sample(args) -> int:
    from .sample import main_sample

    return main_sample(args.out, args.subjects, args.seed)


def cmd_batch(args) -> int:
    try:
        from .batch import main_batch
    except ImportError:
        print("workbench batch: not available yet (issue 7)", file=sys.stderr)
        return EXIT_UNUSABLE
    return main_batch(args)


def cmd_audit(args) -> int:
    from .audit import main_audit

    return main_audit(args)


def cmd_serve(args) -> int:
    from .serve import main_serve

    return main_serve(args)


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__
        print(__version__)
        return EXIT_OK
    handlers = {"review": cmd_review, "batch": cmd_batch, "serve": cmd_serve, "sample": cmd_sample,
                "audit": cmd_audit}
    if args.command not in handlers:
        parser.print_help()
        return EXIT_UNUSABLE
    try:
        return handlers[args.command](args)
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - exit code 1 with the traceback in a log (review-output.md)
        return _bug(exc)


if __name__ == "__main__":
    sys.exit(main())
