"""submission.yaml: read safely (size-limited, UTF-8 or GB18030) and validated into the manifest model."""
from __future__ import annotations

import hashlib

from ..manifest import MAX_MANIFEST_BYTES, ManifestProblem, ProblemKind, parse_manifest
from ..readers import sha256_file
from ..submission import InputFile
from .context import LoadContext


def load_manifest(ctx: LoadContext):
    path = ctx.root / "submission.yaml"
    if not path.is_file() or path.is_symlink():
        return None, [], False
    rel = "submission.yaml"
    try:
        size = path.stat().st_size
        if size > MAX_MANIFEST_BYTES:
            ctx.inputs.append(InputFile(rel, sha256_file(path), None, None, "manifest"))
            return None, [ManifestProblem("(file)", ProblemKind.UNREADABLE,
                                          f"submission.yaml is larger than {MAX_MANIFEST_BYTES} bytes; not read",
                                          f"submission.yaml 超过 {MAX_MANIFEST_BYTES} 字节，未读取")], True
        data = path.read_bytes()
    except OSError as exc:
        return None, [ManifestProblem("(file)", ProblemKind.UNREADABLE, f"submission.yaml cannot be opened: {exc}",
                                      f"submission.yaml 无法打开：{exc}")], True
    ctx.inputs.append(InputFile(rel, hashlib.sha256(data).hexdigest(), None, None, "manifest"))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            return None, [ManifestProblem("(file)", ProblemKind.UNREADABLE,
                                          "submission.yaml is neither UTF-8 nor GB18030 text",
                                          "submission.yaml 既不是 UTF-8 也不是 GB18030 文本")], True
    manifest, problems = parse_manifest(text)
    return manifest, problems, True
