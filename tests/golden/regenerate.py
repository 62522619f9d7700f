"""Regenerate the golden review.json documents deliberately (after a change that is meant to alter results).

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

from golden_support import (CASES, cache_env, case_folder, first_difference, golden_path,  # noqa: E402
                            read_golden, review_document, strip, write_golden)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("cases", nargs="*", help=f"cases to regenerate (default: all of {', '.join(CASES)})")
    ap.add_argument("--diff", action="store_true", help="only report differences; write nothing")
    args = ap.parse_args()
    unknown = [c for c in args.cases if c not in CASES]
    if unknown:
        ap.error(f"unknown case(s): {', '.join(unknown)}")
    with tempfile.TemporaryDirectory(prefix="wb-golden-") as tmp, cache_env(None):
        for case in args.cases or CASES:
            doc = strip(review_document(case_folder(case, Path(tmp))), case)
            if args.diff:
                old = read_golden(case) if golden_path(case).exists() else None
                diff = "no golden yet" if old is None else first_difference(old, doc)
                print(f"{case}: {diff or 'identical'}")
            else:
                path = write_golden(case, doc)
                print(f"{case}: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path} "
                      f"({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
