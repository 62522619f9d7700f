"""The state of one load: the submission root, the inputs read (with their hashes) and the problems met."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pandas as pd

from ..readers import MAX_CSV_BYTES, ReadError, read_dataset, sha256_file, tidy
from ..submission import InputFile, LoadIssue, LoadReason
from ..textsafe import one_line


class SubmissionError(Exception):
    """The input cannot be used at all (CLI exit code 2)."""


def relpath(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def safe_id(name: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", name)[:64].strip(".") or "submission"
    return cleaned


class LoadContext:
    """Inputs read and problems met while loading one submission folder; reads one table safely."""

    def __init__(self, root: Path):
        self.root = root
        self.issues: list[LoadIssue] = []
        self.inputs: list[InputFile] = []
        self.seeds: dict[int, tuple[pd.DataFrame, dict]] = {}   # id(frame) -> (frame, column codes from tidy)

    def issue(self, path: str, reason: LoadReason | str, en: str, zh: str, domain: str | None = None):
        self.issues.append(LoadIssue(one_line(path), LoadReason(reason), en, zh, domain))

    def path_of(self, domain: str) -> str:
        """The input path of a domain's file (the domain name when it was not read)."""
        for f in self.inputs:
            if f.domain == domain:
                return f.path
        return domain

    def read_table(self, path: Path, kind: str, domain: str | None = None) -> pd.DataFrame | None:
        rel = relpath(self.root, path)
        try:
            size = path.stat().st_size
            if size == 0:
                self.inputs.append(InputFile(rel, sha256_file(path), 0, None, kind, domain))
                self.issue(rel, LoadReason.EMPTY, "file is empty (0 bytes)", "文件为空（0 字节）", domain)
                return None
            if path.suffix.lower() == ".csv" and size > MAX_CSV_BYTES:   # refused before it is read into memory
                self.inputs.append(InputFile(rel, sha256_file(path), None, None, kind, domain))
                self.issue(rel, LoadReason.TOO_LARGE, f"file larger than {MAX_CSV_BYTES} bytes ({size} bytes); not read",
                           f"文件超过 {MAX_CSV_BYTES} 字节（{size} 字节），未读取", domain)
                return None
            data = path.read_bytes() if path.suffix.lower() == ".csv" else None
            digest = sha256_file(path) if data is None else hashlib.sha256(data).hexdigest()
        except OSError as exc:
            self.issue(rel, LoadReason.CORRUPT, f"file cannot be opened: {exc.strerror}", f"文件无法打开：{exc.strerror}",
                       domain)
            return None
        try:
            frame, encoding, warnings = read_dataset(path, data)
        except ReadError as exc:
            self.inputs.append(InputFile(rel, digest, None, None, kind, domain))
            self.issue(rel, exc.reason, exc.en, exc.zh, domain)
            return None
        seeds: dict = {}
        frame = tidy(frame, seeds)
        if seeds:
            self.seeds[id(frame)] = (frame, seeds)
        self.inputs.append(InputFile(rel, digest, len(frame), encoding, kind, domain))
        for w in warnings:
            self.issue(rel, w.reason, w.en, w.zh, domain)
        return frame
