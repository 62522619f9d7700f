"""Regenerate the golden review.json documents and figure hashes deliberately (after a change meant to alter them).

    .venv/bin/python tests/golden/regenerate.py            # every case
    .venv/bin/python tests/golden/regenerate.py rct-ucmsc-koa scaled-300

Review the diff of what changed before committing (``--diff`` prints the first difference per case
against the current goldens without writing anything).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from golden_support import (CASES, cache_env, case_folder, figure_hashes, first_difference,  # noqa: E402
                            golden_path, read_figure_goldens, read_golden, review_and_document, strip,
                            write_figure_goldens, write_golden)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", help=f"cases to regenerate (default: all of {', '.join(CASES)})")
    ap.add_argument("--diff", action="store_true", help="only report differences; write nothing")
    ap.add_argument("--figures-only", action="store_true",
                    help="rewrite only the figure hashes (figures.json), keep the review.json goldens")
    args = ap.parse_args()
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        ap.error(f"unknown case(s): {', '.join(unknown)}")
    figures = read_figure_goldens()
    with tempfile.TemporaryDirectory(prefix="wb-golden-") as tmp, cache_env(None):
        for case in args.cases or CASES:
            review, doc = review_and_document(case_folder(case, Path(tmp)))
            doc = strip(doc, case)
            hashes = figure_hashes(review)
            if args.diff:
                old = read_golden(case) if golden_path(case).exists() else None
                diff = "no golden yet" if old is None else first_difference(old, doc)
                fig_diff = first_difference(figures.get(case, {}), hashes)
                print(f"{case}: review.json {diff or 'identical'}; figures {fig_diff or 'identical'}")
            else:
                figures[case] = hashes
                if args.figures_only:
                    print(f"{case}: {len(hashes)} figures")
                    continue
                path = write_golden(case, doc)
                print(f"{case}: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path} "
                      f"({path.stat().st_size} bytes), {len(hashes)} figures")
    if not args.diff:
        write_figure_goldens(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
