"""The three extension points (checks, analyses, tier criteria) are one registry shape: every built-in entry is
registered on import with its metadata, an unknown name raises a named error listing the known ones, a clash is
refused unless replace=True, and an entry can be removed again."""
from __future__ import annotations

import dataclasses
import re

import pytest

import workbench.analyses as analyses
from workbench.checks import registry as checks
from workbench.registry import RegistrationError, UnknownEntryError
from workbench.tiers import CRITERION_IDS, criteria_registry

CJK = re.compile(r"[\u4e00-\u9fff]")
REGISTRIES = {"checks": checks, "analyses": analyses.registry, "criteria": criteria_registry}


def _titles(entry):
    spec = getattr(entry, "spec", entry)
    return spec.title_en, spec.title_zh


def _clauses(entry):
    if hasattr(entry, "clause"):
        return [c.strip() for c in entry.clause.split(",")]
    return list(entry.clauses)


@pytest.mark.parametrize("kind", REGISTRIES)
def test_builtins_registered_with_bilingual_titles_and_clauses(kind):
    reg = REGISTRIES[kind]
    entries = reg.entries()
    assert len(entries) >= {"checks": 48, "analyses": 8, "criteria": len(CRITERION_IDS)}[kind]
    for e in entries:
        en, zh = _titles(e)
        assert en.strip() and CJK.search(zh), e
        # a digest clause id, or a section number of the guideline as the catalogue writes some (四（二）2, 三（一）)
        assert _clauses(e) and all(re.fullmatch(r"G-[\d.]+[a-d]?|[一二三四]+(（[一二三四]）\d*)?", c)
                                   for c in _clauses(e)), e


@pytest.mark.parametrize("kind", REGISTRIES)
def test_unknown_name_is_a_named_error(kind):
    with pytest.raises(UnknownEntryError, match="no .* named 'NOPE-999'; registered: "):
        REGISTRIES[kind].get("NOPE-999")


@pytest.mark.parametrize("kind", REGISTRIES)
def test_clash_refused_replace_overrides_and_restores(kind):
    reg = REGISTRIES[kind]
    name = reg.names()[0]
    original = reg.get(name)
    with pytest.raises(RegistrationError, match="clashes with"):
        reg.register(original)
    copy = dataclasses.replace(original)
    try:
        assert reg.register(copy, replace=True) is copy and reg.get(name) is copy
        assert reg.names()[0] == name            # replacing keeps the place (evaluation order)
    finally:
        reg.register(original, replace=True)
    assert reg.get(name) is original


def test_criteria_registry_follows_the_specs_evaluation_order():
    assert criteria_registry.names() == list(CRITERION_IDS)
