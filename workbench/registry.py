"""One registry shape for every extension point: checks, analyses and tier criteria (house style, after papermill).

A :class:`Registry` holds entries by name. Built-ins register themselves when their module is imported
(``import workbench.checks`` registers the catalogue); analysts add theirs with ``register`` (usually through a
decorator), through an entry-point group of their package, or by loading a Python file
(``workbench review --checks my_checks.py``). Metadata is validated when an entry registers, so a bad
declaration fails at the decorator with a message naming what is allowed; ``get`` of an unknown name raises
:class:`UnknownEntryError` naming the known ones.
"""
from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Generic, TypeVar

E = TypeVar("E")


class RegistrationError(ValueError):
    """An entry's declaration is invalid, or its name clashes with one already registered."""


class UnknownEntryError(KeyError):
    """Asked for a name that is not registered."""

    def __init__(self, kind: str, name: str, known):
        self.kind, self.name = kind, name
        super().__init__(f"no {kind} named {name!r}; registered: {', '.join(sorted(known)) or 'none'}")

    def __str__(self) -> str:   # KeyError would quote the whole message
        return self.args[0]


class Registry(Generic[E]):
    """Entries by name, in registration order. ``name_of(entry)`` gives an entry's name, ``validate(entry)`` raises
    :class:`RegistrationError` for a bad declaration, ``origin_of(entry)`` says where it comes from (for messages)."""

    def __init__(self, kind: str, *, name_of: Callable[[E], str], validate: Callable[[E], None] | None = None,
                 origin_of: Callable[[E], str] | None = None, entry_point_group: str | None = None):
        self.kind = kind
        self._name_of = name_of
        self._validate = validate
        self._origin_of = origin_of or (lambda e: "")
        self.entry_point_group = entry_point_group
        self._entries: dict[str, E] = {}
        self._entry_points_loaded = False

    # -- registering -------------------------------------------------------------------------------------------
    def register(self, entry: E, *, replace: bool = False) -> E:
        """Add ``entry``; a name already registered is refused unless ``replace`` (overriding it on purpose)."""
        if self._validate is not None:
            self._validate(entry)
        name = self._name_of(entry)
        if name in self._entries and not replace:
            old = self._entries[name]
            raise RegistrationError(
                f"{self.kind} {name}{self._from(entry)} clashes with the {self.kind} {name} already registered"
                f"{self._from(old)}: give it another name, or pass replace=True to override that one on purpose")
        self._entries[name] = entry
        return entry

    def _from(self, entry: E) -> str:
        origin = self._origin_of(entry)
        return f" (from {origin})" if origin else ""

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    # -- reading -----------------------------------------------------------------------------------------------
    def get(self, name: str) -> E:
        self.load_entry_points()
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownEntryError(self.kind, name, self._entries) from None

    def __contains__(self, name: str) -> bool:
        self.load_entry_points()
        return name in self._entries

    def names(self) -> list[str]:
        """Names in registration order (built-ins first, in their declared order)."""
        self.load_entry_points()
        return list(self._entries)

    def entries(self) -> list[E]:
        self.load_entry_points()
        return list(self._entries.values())

    def __iter__(self) -> Iterator[E]:
        return iter(self.entries())

    def __len__(self) -> int:
        return len(self.names())

    # -- plugins -----------------------------------------------------------------------------------------------
    def load_entry_points(self) -> None:
        """Import the modules of the entry-point group once (importing a module registers its entries)."""
        if self._entry_points_loaded or not self.entry_point_group:
            return
        self._entry_points_loaded = True
        from importlib.metadata import entry_points

        for ep in entry_points(group=self.entry_point_group):
            ep.load()


def load_module_file(path: str | Path):
    """Import an analyst's Python file (e.g. ``my_checks.py``) so that its decorators register what it declares.

    Raises ``FileNotFoundError`` / ``ImportError`` with the path in the message when it cannot be loaded."""
    p = Path(path).resolve()
    if not p.is_file():
        raise FileNotFoundError(f"{path}: no such file")
    name = f"workbench_user_{p.stem}_{abs(hash(str(p))) % 10**8}"
    if name in sys.modules:   # loaded already in this process: its entries are registered
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, p)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path}: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module
