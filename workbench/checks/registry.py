"""The check registry: every check is a small function registered with its catalogue id.

Analysts add checks with the :func:`check` decorator (in their own module, imported
before the review) or through the ``workbench.checks`` entry-point group; a
registered check appears in review.json, the scorecard and the dashboards with no
other change. See docs/extending.md.
"""
from __future__ import annotations

import re
import string
from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

from ..findings import Element, Finding, Severity
from ..registry import RegistrationError, Registry, UnknownEntryError
from ..submission import Submission

CHECK_ID_RE = re.compile(r"^[A-Z][A-Z0-9]{1,9}-\d{3}$")


class UnknownCheckError(UnknownEntryError):
    """Asked for a check id that is not registered."""


CheckRegistrationError = RegistrationError   # a check's declaration is invalid or clashes with another


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


def _validate(spec: "CheckSpec") -> None:
    """A check's declaration, checked when it registers (the messages list what is allowed)."""
    if not CHECK_ID_RE.match(spec.id):
        raise RegistrationError(f"check id {spec.id!r} must look like ABC-001 (letters, a hyphen, three digits)")
    if not isinstance(spec.element, Element):
        raise RegistrationError(f"check {spec.id}: element {spec.element!r} is not one of "
                                f"{', '.join(e.value for e in Element)}")
    bad = [s for s in severities_of(spec.severity) if s not in SEVERITY_VALUES]
    if bad or not severities_of(spec.severity):
        raise RegistrationError(f"check {spec.id}: severity {spec.severity!r} must be one or more of "
                                f"{', '.join(SEVERITY_VALUES)} (e.g. 'critical / major')")
    if not spec.title_en or not spec.title_zh:
        raise RegistrationError(f"check {spec.id}: both an English and a Chinese title are required")
    if not str(spec.clause or "").strip():
        raise RegistrationError(f"check {spec.id}: the guideline clause it serves is required (e.g. 'G-4.1.2')")


SEVERITY_VALUES = tuple(s.value for s in Severity)


def severities_of(rule: str) -> list[str]:
    """The severities a rule string names: 'critical / major' -> ['critical', 'major']."""
    return [t.strip() for t in re.split(r"[/,]", str(rule or "")) if t.strip()]


class CheckRegistry(Registry["CheckSpec"]):
    """Registry of checks by catalogue id (register / get / ids / entry points ``workbench.checks``)."""

    ENTRY_POINT_GROUP = "workbench.checks"

    def __init__(self) -> None:
        super().__init__("check", name_of=lambda s: s.id, validate=_validate,
                         origin_of=lambda s: "workbench" if s.builtin else s.func.__module__,
                         entry_point_group=self.ENTRY_POINT_GROUP)

    def get(self, check_id: str) -> "CheckSpec":
        try:
            return super().get(check_id)
        except UnknownEntryError:
            raise UnknownCheckError("check", check_id, self._entries) from None

    def ids(self) -> list[str]:
        """Check ids in catalogue order (sorted)."""
        return sorted(self.names())

    def specs(self) -> list["CheckSpec"]:
        return [self.get(i) for i in self.ids()]


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

    try:
        el = Element(element)
    except ValueError:
        raise RegistrationError(f"check {id}: element {element!r} is not one of "
                                f"{', '.join(e.value for e in Element)}") from None

    def deco(fn: CheckFunc) -> CheckFunc:
        registry.register(CheckSpec(id, el, severity, clause, title_en, title_zh, fn,
                                    builtin=fn.__module__.startswith("workbench.")), replace=replace)
        return fn

    return deco
