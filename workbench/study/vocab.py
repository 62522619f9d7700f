"""Vocabularies: coded values (English and Chinese) read through the reviewer's rules file, never as literals.

``Vocabularies`` is built from the rules file's ``vocabularies`` and ``mentions`` sections. A coded value is
looked up after :func:`workbench.text.norm_value` (case-, width- and whitespace-insensitive), so ``Possible``,
`` POSSIBLE `` and ``ＰＯＳＳＩＢＬＥ`` are one value. A mention list finds words inside free text (Latin words
where a word starts, Chinese anywhere).
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import numpy as np

from ..text import norm_value


class Vocabulary:
    """One coded variable's categories: value -> category (``None`` for a value outside the vocabulary)."""

    def __init__(self, name: str, categories: Mapping[str, Iterable[str]]):
        self.name = name
        self.categories = tuple(categories)
        self._lookup: dict[str, str] = {}
        for cat, values in categories.items():
            for v in values:
                key = norm_value(v)
                if key is not None:
                    self._lookup.setdefault(key, cat)

    def category(self, value) -> str | None:
        """The category of one value (None when blank or outside the vocabulary)."""
        key = norm_value(value)
        return None if key is None else self._lookup.get(key)

    def is_(self, value, category: str) -> bool:
        return self.category(value) == category

    def classify(self, uniques: Iterable) -> np.ndarray:
        """Category per value (object array; None when blank or unknown)."""
        return np.asarray([self.category(v) for v in uniques], dtype=object)

    def values(self, category: str) -> set[str]:
        """The normalised values of one category."""
        return {k for k, c in self._lookup.items() if c == category}


class Mentions:
    """Words looked for inside free text."""

    def __init__(self, name: str, words: Iterable[str]):
        self.name = name
        self.words = tuple(w for w in (norm_value(w) for w in words) if w)
        latin = [re.escape(w) for w in self.words if w.isascii()]
        other = [re.escape(w) for w in self.words if not w.isascii()]
        parts = ([rf"(?<![A-Z0-9])(?:{'|'.join(latin)})"] if latin else []) + ([f"(?:{'|'.join(other)})"] if other else [])
        self._re = re.compile("|".join(parts)) if parts else None

    def first(self, text) -> str | None:
        """The first word of the list found in ``text`` (None when none is)."""
        key = norm_value(text)
        if key is None or self._re is None:
            return None
        m = self._re.search(key)
        return m.group(0) if m else None

    def found(self, text) -> bool:
        return self.first(text) is not None

    def flags(self, uniques: Iterable) -> np.ndarray:
        """Boolean per value: does it mention one of the words?"""
        return np.fromiter((self.found(v) for v in uniques), dtype=bool)


class Vocabularies:
    """Every vocabulary and mention list of the rules in force, by name (``vocab.causality``, ``vocab.tumour``)."""

    def __init__(self, vocabularies: Mapping[str, Mapping[str, Iterable[str]]], mentions: Mapping[str, Iterable[str]]):
        self._v = {name: Vocabulary(name, cats) for name, cats in vocabularies.items()}
        self._m = {name: Mentions(name, words) for name, words in mentions.items()}

    def __getattr__(self, name: str):
        d = self.__dict__
        if name in d.get("_v", {}):
            return d["_v"][name]
        if name in d.get("_m", {}):
            return d["_m"][name]
        raise AttributeError(f"no vocabulary or mention list named {name!r}")

    def names(self) -> list[str]:
        return sorted(self._v) + sorted(self._m)
