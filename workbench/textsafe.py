"""Text from outside (file names, paths, values) made safe to print on one line."""
from __future__ import annotations


def one_line(text: object) -> str:
    """``text`` with control characters (newline, tab, escape, ...) written as Python escapes (``\\n``).

    A message built from a hostile file name stays one line and cannot drive a terminal; printable
    characters, Chinese included, are kept as they are."""
    s = str(text)
    if s.isprintable():
        return s
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in s)
