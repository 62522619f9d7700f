"""define.xml: parsed safely (no DTD, entities or external references) into dataset -> variables."""
from __future__ import annotations

from pathlib import Path

from ..readers import ReadError, sha256_file
from ..submission import InputFile, LoadReason
from .context import LoadContext, relpath

MAX_DEFINE_BYTES = 50 * 1024 ** 2


def load_define(ctx: LoadContext, path: Path) -> dict[str, set[str]] | None:
    if not path.is_file() or path.is_symlink():
        return None
    rel = relpath(ctx.root, path)
    try:
        size = path.stat().st_size
        ctx.inputs.append(InputFile(rel, sha256_file(path), None, None, "define"))
        if size > MAX_DEFINE_BYTES:
            ctx.issue(rel, LoadReason.TOO_LARGE, f"define.xml larger than {MAX_DEFINE_BYTES} bytes; not read",
                       f"define.xml 超过 {MAX_DEFINE_BYTES} 字节，未读取")
            return None
        from ..define import parse_define

        return parse_define(path.read_bytes())
    except ReadError as exc:
        ctx.issue(rel, exc.reason, exc.en, exc.zh)
        return None
    except OSError as exc:
        ctx.issue(rel, LoadReason.CORRUPT, f"define.xml cannot be opened: {exc.strerror}",
                   f"define.xml 无法打开：{exc.strerror}")
        return None
