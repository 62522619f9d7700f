"""CMC tables: cmc/batches.csv and cmc/release_tests.csv (never through a symbolic link)."""
from __future__ import annotations

import pandas as pd

from ..submission import LoadReason
from .context import LoadContext

BATCH_COLUMNS = ("LOTID", "PROCVER", "MFGDT", "SITE", "STATUS", "FAILREASON")
RELEASE_COLUMNS = ("LOTID", "ATTRIBUTE", "RESULT", "UNIT", "SPEC_LOW", "SPEC_HIGH", "SPEC_TEXT")


def load_cmc_table(ctx: LoadContext, name: str, required: tuple[str, ...]) -> pd.DataFrame | None:
    folder = ctx.root / "cmc"
    if folder.is_symlink():
        if name == "batches.csv":   # said once for the folder
            ctx.issue("cmc", LoadReason.LINK, "the cmc folder is a symbolic link; not followed",
                       "cmc 文件夹是符号链接，未读取")
        return None
    path = folder / name
    if path.is_symlink():
        ctx.issue(f"cmc/{name}", LoadReason.LINK, "file is a symbolic link; not followed", "文件是符号链接，未读取")
        return None
    if not path.is_file():
        return None
    frame = ctx.read_table(path, "cmc")
    if frame is None:
        return None
    missing = [c for c in required if c not in frame.columns]
    if missing:
        ctx.issue(f"cmc/{name}", LoadReason.MISSING_COLUMNS,
                   f"required column(s) missing: {', '.join(missing)}", f"缺少必需列：{', '.join(missing)}")
        if "LOTID" in missing:
            return None
        for c in missing:
            frame[c] = None
    return frame
