"""Every registered check declares its metadata; the built-ins match the catalogue exactly."""
from __future__ import annotations

import re

import pytest

from workbench.checks import registry
from workbench.findings import Element

# check-catalogue.md: id -> (element, severity rule, clause)
CATALOGUE = {
    "MAN-001": ("compliance_integrity", "major", "G-4.0"),
    "MAN-002": ("compliance_integrity", "minor/major", "G-4.0"),
    "MAN-003": ("compliance_integrity", "minor/major", "四, 四（二）2"),
    "SCR-001": ("screening_enrollment_baseline", "critical", "G-4.1.2"),
    "SCR-002": ("screening_enrollment_baseline", "major", "G-4.1.2"),
    "SCR-003": ("screening_enrollment_baseline", "critical / major", "G-2.1.1, G-4.1.2"),
    "SCR-004": ("screening_enrollment_baseline", "major", "G-4.1.2"),
    "SCR-005": ("screening_enrollment_baseline", "major", "G-2.1.2a"),
    "SCR-006": ("screening_enrollment_baseline", "major", "G-2.1.2c"),
    "SCR-007": ("screening_enrollment_baseline", "major", "G-4.1.2"),
    "ADM-001": ("administration", "critical", "G-4.1.2"),
    "ADM-002": ("administration", "major", "G-4.1.2"),
    "ADM-003": ("administration", "major", "G-4.1.1, G-4.1.2"),
    "ADM-004": ("administration", "major / info", "G-2.2.2b"),
    "ADM-005": ("administration", "minor", "G-2.2.2b"),
    "ADM-006": ("administration", "info / major", "G-2.1.4a"),
    "ADM-007": ("administration", "minor", "G-2.2.2"),
    "SAF-001": ("safety", "critical / major", "G-4.1.2"),
    "SAF-002": ("safety", "major", "G-4.1.2"),
    "SAF-003": ("safety", "major", "G-4.1.2"),
    "SAF-004": ("safety", "major", "G-4.1.2"),
    "SAF-005": ("safety", "major / info", "G-2.1.3c"),
    "SAF-006": ("safety", "info", "G-2.2.1, G-3.1a"),
    "SAF-007": ("safety", "major", "G-4.1.2"),
    "SAF-008": ("safety", "major", "G-2.2.1"),
    "SAF-009": ("safety", "major", "G-2.1.3d"),
    "SAF-010": ("safety", "major", "G-2.1.3c"),
    "SAF-011": ("safety", "major", "G-4.2.1"),
    "SAF-012": ("safety", "minor", "G-4.1.2"),
    "EFF-001": ("efficacy", "major", "G-4.1.2"),
    "EFF-002": ("efficacy", "major", "G-2.3.2a"),
    "EFF-003": ("efficacy", "major", "G-4.1.2"),
    "EFF-004": ("efficacy", "major", "G-2.3.1"),
    "EFF-005": ("efficacy", "info", "G-2.1.3b"),
    "FUP-001": ("follow_up", "major", "G-4.1.2"),
    "FUP-002": ("follow_up", "major / info", "G-3.1b, 三（一）"),
    "FUP-003": ("follow_up", "major", "G-3.1c"),
    "FUP-004": ("follow_up", "major", "G-3.1d"),
    "FUP-005": ("follow_up", "major", "G-3.1c"),
    "CON-001": ("concomitant_medication", "critical / major", "G-4.1.2"),
    "CON-002": ("concomitant_medication", "major", "G-2.1.2b"),
    "CMC-001": ("process_quality", "critical", "G-4.1.1"),
    "CMC-002": ("process_quality", "critical / major", "G-4.1.1"),
    "CMC-003": ("process_quality", "critical", "G-4.1.1, G-2.3.2d"),
    "CMC-004": ("process_quality", "major / info", "G-4.1.1"),
    "CMC-005": ("process_quality", "info / major", "G-2.1.4a"),
    "CMC-006": ("process_quality", "major", "G-4.1.1"),
    "TRC-001": ("compliance_integrity", "critical / major", "G-4.1.2, G-2.1.3b"),
    "TRC-002": ("compliance_integrity", "critical", "G-4.1.2"),
    "TRC-003": ("compliance_integrity", "major / critical", "G-2.1.1, G-4.1.2"),
    "TRC-004": ("compliance_integrity", "critical / major", "G-4.1.2"),
    "TRC-005": ("compliance_integrity", "minor", "G-4.0"),
    "TRC-006": ("compliance_integrity", "major", "G-4.1.2"),
    "TRC-007": ("compliance_integrity", "major", "G-4.1.2"),
    # data package and analysis datasets (the CDE data submission guideline; clause of the stem-cell guideline)
    "PKG-001": ("compliance_integrity", "minor / major", "G-4.1.2"),
    "PKG-002": ("compliance_integrity", "major", "G-4.1.2"),
    "PKG-003": ("compliance_integrity", "minor", "G-4.1.2"),
    "REC-001": ("compliance_integrity", "major", "G-4.1.2"),
    "REC-002": ("compliance_integrity", "major", "G-4.1.2"),
    "REC-003": ("safety", "major", "G-4.1.2"),
    "REC-004": ("safety", "major", "G-4.1.2"),
    "REC-005": ("follow_up", "major", "G-4.1.2"),
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_catalogue_is_registered():
    assert set(CATALOGUE) <= set(registry.ids())


@pytest.mark.parametrize("check_id", registry.ids())
def test_check_metadata(check_id):
    spec = registry.get(check_id)
    assert isinstance(spec.element, Element)
    ref = r"(G-\d[\w.]*|[一二三四五六七八九十]+(（[一二三四五六七八九十]+）\d*)?)"   # a clause id, or a section (四（二）2)
    assert re.fullmatch(rf"{ref}(, {ref})*", spec.clause), spec.clause
    assert spec.title_en.strip() and spec.title_zh.strip() and CJK.search(spec.title_zh)
    assert spec.severity.strip()
    assert spec.func.__doc__ and spec.func.__doc__.strip(), "a check needs a one-line docstring"
    if check_id in CATALOGUE:
        assert (spec.element.value, spec.severity, spec.clause) == CATALOGUE[check_id]
        assert spec.builtin
