"""The check registry: every check is a small function registered with its catalogue id.

Analysts add checks with the :func:`check` decorator (in their own module, imported
before the review) or through the ``workbench.checks`` entry-point group; a
registered check appears in review.json, the scorecard and the dashboards with no
other change. See docs/extending.md.
"""
from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import pandas as pd

from ..findings import Element, Finding, Severity
from ..submission import Submission

CHECK_ID_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}-\d{3}$")


class UnknownCheckError(KeyError):
    """Asked for a check id that is not registered."""

    def __init__(self, check_id: str, known: Iterable[str]):
        super().__init__(f"no check with id {check_id!r}; registered: {', '.join(sorted(known))}")


class CheckRegistrationError(ValueError):
    """A check's declaration is incomplete or clashes with one already registered."""


@dataclass(frozen=True)
class NotApplicable:
    """Returned by a check when the study makes it irrelevant (e.g. no FIH, no children)."""

    reason_en: str
    reason_zh: str


@dataclass
class FindingSink:
    """Collects a check's findings; the check id, element and clause are filled in for it."""

    spec: "CheckSpec"
    findings: list[Finding] = field(default_factory=list)

    def add(self, severity: Severity | str, message_en: str, message_zh: str, *, domain: str | None = None,
            usubjid: str | None = None, record: str | None = None, guideline_ref: str | None = None) -> None:
        self.findings.append(Finding(self.spec.id, self.spec.element, Severity(severity), message_en, message_zh,
                                     guideline_ref or self.spec.clause, domain,
                                     None if usubjid is None else str(usubjid),
                                     None if record is None else str(record)))

    def add_rows(self, severity: Severity | str, rows: pd.DataFrame, message_en: str, message_zh: str, *,
                 domain: str | None = None, usubjid_col: str | None = "USUBJID", record_col: str | None = None,
                 guideline_ref: str | None = None) -> None:
        """One finding per row of ``rows``; messages are ``str.format`` templates over the row's columns
        (missing values show as '—')."""
        if rows is None or len(rows) == 0:
            return
        sev = Severity(severity)
        ref = guideline_ref or self.spec.clause
        # only the columns the templates name (plus subject and record) are turned into Python values
        fields = {f.split(".")[0].split("[")[0] for text in (message_en, message_zh)
                  for _, f, _, _ in string.Formatter().parse(text) if f}
        keep = [c for c in rows.columns if c in fields or c == usubjid_col or c == record_col]
        if len(keep) == len(fields | {c for c in (usubjid_col, record_col) if c}) and \
                not rows.columns.duplicated().any():
            rows = rows[keep]
        from ..columns import records

        for rec in records(rows):
            vals = {k: ("—" if v is None or (isinstance(v, float) and v != v) else v) for k, v in rec.items()}
            u = rec.get(usubjid_col) if usubjid_col else None
            r = rec.get(record_col) if record_col else None
            self.findings.append(Finding(self.spec.id, self.spec.element, sev, message_en.format(**vals),
                                         message_zh.format(**vals), ref, domain,
                                         None if u is None or u != u else str(u),
                                         None if r is None or r != r else str(r)))


CheckFunc = Callable[[Submission, FindingSink], "NotApplicable | None"]


@dataclass(frozen=True)
class CheckSpec:
    """A check's declaration: catalogue id, element, severity rule, clause, titles, and its function."""

    id: str
    element: Element
    severity: str           # the catalogue's severity rule, e.g. "critical / major"
    clause: str             # guideline clause id(s), e.g. "G-4.1.2"
    title_en: str
    title_zh: str
    func: CheckFunc
    builtin: bool = True

    def title(self, lang: str = "zh") -> str:
        return self.title_zh if lang == "zh" else self.title_en


class CheckRegistry:
    """Registry of checks by id (papermill-style: register / get / ids / entry points)."""

    ENTRY_POINT_GROUP = "workbench.checks"

    def __init__(self) -> None:
        self._checks: dict[str, CheckSpec] = {}
        self._entry_points_loaded = False

    def register(self, spec: CheckSpec, *, replace: bool = False) -> CheckSpec:
        if not CHECK_ID_RE.match(spec.id):
            raise CheckRegistrationError(f"check id {spec.id!r} must look like ABC-001")
        if not spec.title_en or not spec.title_zh:
            raise CheckRegistrationError(f"check {spec.id}: both an English and a Chinese title are required")
        if not isinstance(spec.element, Element):
            raise CheckRegistrationError(f"check {spec.id}: element must be one of {[e.value for e in Element]}")
        if spec.id in self._checks and not replace:
            raise CheckRegistrationError(f"check {spec.id} is already registered")
        self._checks[spec.id] = spec
        return spec

    def unregister(self, check_id: str) -> None:
        self._checks.pop(check_id, None)

    def get(self, check_id: str) -> CheckSpec:
        self.load_entry_points()
        try:
            return self._checks[check_id]
        except KeyError:
            raise UnknownCheckError(check_id, self._checks) from None

    def ids(self) -> list[str]:
        self.load_entry_points()
        return sorted(self._checks)

    def specs(self) -> list[CheckSpec]:
        return [self._checks[i] for i in self.ids()]

    def load_entry_points(self) -> None:
        """Import analysts' check modules declared in the ``workbench.checks`` entry-point group."""
        if self._entry_points_loaded:
            return
        self._entry_points_loaded = True
        from importlib.metadata import entry_points

        for ep in entry_points(group=self.ENTRY_POINT_GROUP):
            ep.load()  # importing the module registers its checks


registry = CheckRegistry()


def check(id: str, element: Element | str, severity: str, clause: str, title_en: str, title_zh: str,
          *, registry: CheckRegistry = registry, replace: bool = False):
    """Decorator registering a check function ``fn(sub, out) -> NotApplicable | None``.

    Example::

        @check("XYZ-001", "safety", "major", "G-2.2.1", "Lab safety panel incomplete", "实验室安全性检查不完整")
        def lab_panel(sub, out):
            ...
            out.add("major", "Subject 01 has no ALT", "受试者 01 无 ALT 结果", domain="LB", usubjid="01")
    """

    def deco(fn: CheckFunc) -> CheckFunc:
        registry.register(CheckSpec(id, Element(element), severity, clause, title_en, title_zh, fn,
                                    builtin=fn.__module__.startswith("workbench.")), replace=replace)
        return fn

    return deco
