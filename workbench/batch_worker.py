"""Subprocess entry of `workbench batch`: execute one notebook with papermill (saved even when it fails)."""
from __future__ import annotations

import json
import sys


def main(argv: list[str]) -> int:
    import papermill as pm

    src, dst, params, timeout = argv[0], argv[1], json.loads(argv[2]), int(argv[3])
    try:
        pm.execute_notebook(src, dst, parameters=params, progress_bar=False, kernel_name="python3",
                            execution_timeout=timeout, cwd=None)
    except pm.PapermillExecutionError as exc:
        print(f"{exc.ename}: {exc.evalue}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
