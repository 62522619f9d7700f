"""Dataset files: one per domain, any supported format; two files for one domain are reported."""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from ..readers import DATASET_EXTENSIONS, FORMAT_PREFERENCE, sha256_file
from ..submission import InputFile, LoadReason
from .context import LoadContext, relpath

DOMAIN_RE = re.compile(r"[A-Z][A-Z0-9]{1,7}")   # used with fullmatch: '$' would accept a trailing newline


def dataset_candidates(ctx: LoadContext, folder: Path) -> dict[str, list[Path]]:
    found: dict[str, list[Path]] = {}
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return found
    for p in entries:
        if p.suffix.lower() not in DATASET_EXTENSIONS:
            continue
        if p.is_symlink():
            ctx.issue(relpath(ctx.root, p), LoadReason.LINK, "dataset file is a symbolic link; not followed",
                       "数据集文件是符号链接，未读取")
            continue
        if not p.is_file():
            continue
        dom = p.stem.upper()
        if not DOMAIN_RE.fullmatch(dom):
            ctx.issue(relpath(ctx.root, p), LoadReason.UNRECOGNISED_NAME,
                       "file name is not an SDTM dataset name (1-8 letters and digits); not read",
                       "文件名不是 SDTM 数据集名称（1-8 个字母或数字），未读取")
            continue
        found.setdefault(dom, []).append(p)
    return found

def load_datasets(ctx: LoadContext, folder: Path, kind: str = "dataset"
                  ) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame], dict[str, str]]:
    """Datasets, SUPP-- datasets and their files of one folder (``kind``: the inputs' kind, e.g. adam_dataset)."""
    datasets: dict[str, pd.DataFrame] = {}
    supp: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for dom, paths in dataset_candidates(ctx, folder).items():
        paths = sorted(paths, key=lambda p: (FORMAT_PREFERENCE[p.suffix.lower()], p.name))
        chosen = paths[0]
        if len(paths) > 1:
            names = ", ".join(relpath(ctx.root, p) for p in paths)
            ctx.issue(relpath(ctx.root, chosen), LoadReason.DUPLICATE_DOMAIN,
                       f"domain {dom} is supplied by {len(paths)} files ({names}); {chosen.name} was used",
                       f"域 {dom} 由 {len(paths)} 个文件提供（{names}），已使用 {chosen.name}", dom)
            for other in paths[1:]:  # hash the others too: they are part of what was submitted
                ctx.inputs.append(InputFile(relpath(ctx.root, other), sha256_file(other), None, None, kind, dom))
        frame = ctx.read_table(chosen, kind, dom)
        if frame is None:
            continue
        files[dom] = relpath(ctx.root, chosen)
        if dom.startswith("SUPP") and len(dom) > 4:
            supp[dom] = frame
        else:
            datasets[dom] = frame
    return datasets, supp, files
