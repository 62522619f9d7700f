"""The essential-documents index: every PATH confined to documents/ (never opened outside it), files hashed,
files present but not indexed listed."""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath

import pandas as pd

from ..readers import sha256_file
from ..submission import InputFile, LoadReason
from .context import LoadContext

DOCUMENT_COLUMNS = ("DOCID", "DOCTYPE", "TITLE", "VERSION", "DATE", "SITEID", "USUBJID", "LOTID", "PATH", "SHA256")


def load_documents(ctx: LoadContext) -> tuple[pd.DataFrame | None, list[str]]:
    docdir = ctx.root / "documents"
    if not docdir.is_dir() or docdir.is_symlink():
        return None, []
    index_path = docdir / "index.csv"
    frame = None
    if index_path.is_file() and not index_path.is_symlink():
        frame = ctx.read_table(index_path, "documents_index")
    real_docdir = docdir.resolve()
    present: dict[str, Path] = {}
    irregular: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(docdir, followlinks=False):
        for fn in filenames:
            p = Path(dirpath) / fn
            rel_doc = p.relative_to(docdir).as_posix()
            if rel_doc == "index.csv":
                continue
            try:
                regular = stat.S_ISREG(p.lstat().st_mode)
            except OSError:
                regular = False
            if not regular and not p.is_symlink():   # a pipe, socket or device is never opened
                ctx.issue(f"documents/{rel_doc}", LoadReason.NOT_REGULAR,
                           "not a regular file (a pipe, socket or device); not opened",
                           "不是普通文件（管道、套接字或设备），未打开")
                irregular.add(rel_doc)
            present[rel_doc] = p
    hashes: dict[str, str] = {}
    if frame is not None:
        if "PATH" not in frame.columns:
            ctx.issue("documents/index.csv", LoadReason.MISSING_COLUMNS, "required column PATH missing",
                       "缺少必需列 PATH")
            frame["PATH"] = None
        for c in DOCUMENT_COLUMNS:
            if c not in frame.columns:
                frame[c] = None
        statuses, actual = [], []
        resolved: dict[str, tuple[str, str | None]] = {}   # one resolution per distinct PATH text
        for raw in frame["PATH"].tolist():
            key = raw if isinstance(raw, str) else None
            if key is None or key not in resolved:
                result = _resolve_document(ctx, raw, docdir, real_docdir, hashes)
                if key is None:
                    statuses.append(result[0])
                    actual.append(result[1])
                    continue
                resolved[key] = result
            status, digest = resolved[key]
            statuses.append(status)
            actual.append(digest)
        frame["PATH_STATUS"] = statuses
        frame["FILE_SHA256"] = actual
    indexed = set()
    if frame is not None:
        indexed = {_norm_doc_path(p) for p in set(frame["PATH"].dropna().tolist())}
    unindexed = []
    for rel_doc, p in sorted(present.items()):
        if p.is_symlink():
            continue
        if rel_doc in irregular:
            if rel_doc not in indexed:
                unindexed.append(rel_doc)
            continue
        digest = hashes.get(rel_doc) or sha256_file(p)
        ctx.inputs.append(InputFile(f"documents/{rel_doc}", digest, None, None, "document"))
        if rel_doc not in indexed:
            unindexed.append(rel_doc)
    return frame, unindexed

def _resolve_document(ctx: LoadContext, raw, docdir: Path, real_docdir: Path, hashes: dict[str, str]) -> tuple[str, str | None]:
    """Confine an index PATH to documents/: 'ok' | 'missing' | 'outside' | 'empty' (path never opened if outside)."""
    if raw is None or str(raw).strip() == "":
        return "empty", None
    text = str(raw).strip()
    if "\x00" in text or PurePosixPath(text).is_absolute() or PureWindowsPath(text).is_absolute() \
            or PureWindowsPath(text).drive or text.startswith("\\"):
        return "outside", None
    parts = re.split(r"[\\/]+", text)
    if any(part == ".." for part in parts):
        return "outside", None
    rel_doc = _norm_doc_path(text)
    candidate = docdir / rel_doc
    try:
        resolved = candidate.resolve()
    except (OSError, RuntimeError):
        return "outside", None
    if resolved != real_docdir and real_docdir not in resolved.parents:
        return "outside", None
    try:
        if not resolved.is_file():
            return "missing", None
    except OSError:   # e.g. a name longer than the file system allows
        return "missing", None
    if rel_doc not in hashes:
        try:
            hashes[rel_doc] = sha256_file(resolved)
        except OSError:
            return "missing", None
    return "ok", hashes[rel_doc]




def _norm_doc_path(text: str) -> str:
    parts = [p for p in re.split(r"[\\/]+", str(text).strip()) if p not in ("", ".")]
    return "/".join(parts)
