"""`submission.yaml`: a typed model, read safely, validated field by field.

Invalid fields and unknown keys never stop a review: they become problems
(MAN-002) and the field falls back to "not declared", so everything else in the
manifest is still used (submission-format.md).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

SUBMISSION_ID_RE = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

CellType = Literal["MSC", "ESC_DERIVED", "IPSC_DERIVED", "HSC", "NSC", "OTHER"]
Source = Literal["autologous", "allogeneic"]
Design = Literal["single_arm", "dose_escalation", "randomized_controlled", "nonrandomized_controlled"]
Stage = Literal["exploratory", "confirmatory", "exploratory_and_confirmatory"]
Blinding = Literal["open", "single", "double"]
Population = Literal["patients", "healthy_volunteers"]
EndpointType = Literal["clinical", "validated_surrogate", "biomarker"]
Better = Literal["lower", "higher"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Product(_Model):
    name: str | None = None
    cell_type: CellType | None = None
    source: Source | None = None
    gene_modified: bool = False
    commercial_process_version: str | None = None


class Arm(_Model):
    armcd: str
    dose: float | None = None
    dose_unit: str | None = None
    control: bool = False

    @property
    def is_control(self) -> bool:
        return bool(self.control) or self.dose == 0


class DLT(_Model):
    """The sponsor's DLT parameters; None = not declared (the reviewer's rules supply the value in force:
    :mod:`workbench.study.parameters`)."""

    window_days: int | None = Field(None, ge=1)
    target_rate: float | None = Field(None, gt=0, lt=1)
    definition: Literal["flag", "grade"] | None = None
    min_grade: int | None = Field(None, ge=1, le=5)


class StoppingRule(_Model):
    id: str
    description: str | None = None
    scope: Literal["cohort", "study"] = "cohort"
    min_grade: int = Field(1, ge=1, le=5)
    related_only: bool = False
    serious_only: bool = False
    terms: list[str] = Field(default_factory=list)
    threshold: int = Field(1, ge=1)


class PrimaryEndpoint(_Model):
    domain: str
    testcd: str
    visit: str | None = None
    type: EndpointType = "clinical"
    better: Better = "higher"
    responder_change: float | None = None

    @field_validator("domain", "testcd")
    @classmethod
    def _upper(cls, v: str) -> str:
        return v.strip().upper()


class FollowUp(_Model):
    required_days: int | None = Field(None, ge=1)


class Frequency(_Model):
    """How often the product is given: administrations per subject, and days between them when more than one."""

    administrations: int | None = Field(None, ge=1)
    interval_days: int | None = Field(None, ge=0)


class NextStage(_Model):
    """The next development step the sponsor proposes on this evidence (guideline 四, 四（二）2): the dose and
    frequency to carry forward (within the range explored, G-2.2.2c) and the population."""

    stage: Stage | None = None
    dose: float | None = Field(None, ge=0)
    dose_unit: str | None = None
    frequency: Frequency | None = None
    population: str | None = None


class Study(_Model):
    design: Design | None = None
    stage: Stage | None = None
    first_in_human: bool = False
    blinding: Blinding | None = None
    independent_review_committee: bool = False
    population: Population = "patients"
    indication: str | None = None
    life_threatening: bool = False
    adult_data_before_pediatric: bool | None = None
    sentinel_interval_days: int | None = Field(None, ge=0)
    arms: list[Arm] = Field(default_factory=list)
    dlt: DLT = Field(default_factory=DLT)
    stopping_rules: list[StoppingRule] = Field(default_factory=list)
    primary_endpoint: PrimaryEndpoint | None = None
    followup: FollowUp = Field(default_factory=FollowUp)
    background_therapy: list[str] = Field(default_factory=list)
    aesi_terms: list[str] = Field(default_factory=list)
    persistence_domain: str | None = None     # a findings domain holding cell persistence results (besides PC)

    @field_validator("persistence_domain")
    @classmethod
    def _domain(cls, v: str | None) -> str | None:
        if v is None:
            return None
        v = v.strip().upper()
        if not re.fullmatch(r"[A-Z][A-Z0-9]{1,7}", v):
            raise ValueError("must be an SDTM domain name (letters and digits, 2-8 characters)")
        return v


class Manifest(_Model):
    submission_id: str | None = None
    title: str | None = None
    sponsor: str | None = None
    product: Product = Field(default_factory=Product)
    study: Study = Field(default_factory=Study)
    next_stage: NextStage | None = None
    prior_exploratory_evidence: bool = False

    @field_validator("submission_id")
    @classmethod
    def _id(cls, v: str | None) -> str | None:
        if v is not None and not SUBMISSION_ID_RE.match(str(v)):
            raise ValueError("must be 1-64 characters from A-Z a-z 0-9 . _ -")
        return v

    def arm(self, armcd: str) -> Arm | None:
        for a in self.study.arms:
            if a.armcd == armcd:
                return a
        return None


class ProblemKind(str, Enum):
    INVALID = "invalid"
    UNKNOWN_KEY = "unknown_key"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class ManifestProblem:
    """One problem in submission.yaml: which field, what kind, and why (both languages)."""

    field: str
    kind: ProblemKind
    message_en: str
    message_zh: str


_ALLOWED_ZH = "允许的值"


def _loc(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (("." if out else "") + str(part))
    return out


def _describe(err: dict) -> tuple[str, str]:
    loc = _loc(err["loc"])
    value = err.get("input")
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if len(shown) > 80:
        shown = shown[:77] + "..."
    if err["type"] == "extra_forbidden":
        return (f"submission.yaml: unknown key '{loc}' (ignored)",
                f"submission.yaml：未知字段“{loc}”（已忽略）")
    if err["type"] == "literal_error":
        allowed = err.get("ctx", {}).get("expected", "")
        return (f"submission.yaml: field '{loc}' has value {shown}; allowed values: {allowed}",
                f"submission.yaml：字段“{loc}”的值 {shown} 无效；{_ALLOWED_ZH}：{allowed}")
    if err["type"] == "missing":
        return (f"submission.yaml: required field '{loc}' is missing",
                f"submission.yaml：缺少必填字段“{loc}”")
    msg = err.get("msg", "invalid value")
    return (f"submission.yaml: field '{loc}' has invalid value {shown}: {msg}",
            f"submission.yaml：字段“{loc}”的值 {shown} 无效（{msg}）")


def _drop(data: Any, loc: tuple) -> bool:
    """Remove the offending key (or list item) at ``loc`` from ``data``; False if nothing could be removed."""
    node = data
    for part in loc[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    last = loc[-1] if loc else None
    try:
        if isinstance(node, dict) and last in node:
            del node[last]
            return True
        if isinstance(node, list) and isinstance(last, int) and last < len(node):
            node.pop(last)
            return True
    except TypeError:
        return False
    return False


def validate_manifest(data: Any) -> tuple[Manifest, list[ManifestProblem]]:
    """Validate parsed YAML; return the best usable model and every problem found.

    Offending fields are dropped one round at a time (falling back to defaults) so
    that a single bad value never discards the rest of the manifest.
    """
    problems: list[ManifestProblem] = []
    if not isinstance(data, dict):
        problems.append(ManifestProblem("(root)", ProblemKind.INVALID,
                                        "submission.yaml: the top level must be a mapping of keys to values",
                                        "submission.yaml：顶层必须是键值映射"))
        return Manifest(), problems
    import copy

    work = copy.deepcopy(data)
    seen: set[tuple] = set()
    for _ in range(50):
        try:
            return Manifest.model_validate(work), problems
        except ValidationError as exc:
            progressed = False
            for err in exc.errors():
                loc = tuple(err["loc"])
                # an error inside a union/model reports extra location parts; trim to real keys
                key = (loc, err["type"])
                if key not in seen:
                    seen.add(key)
                    en, zh = _describe(err)
                    kind = ProblemKind.UNKNOWN_KEY if err["type"] == "extra_forbidden" else ProblemKind.INVALID
                    problems.append(ManifestProblem(_loc(loc), kind, en, zh))
                # drop the deepest removable part of the location
                for cut in range(len(loc), 0, -1):
                    if _drop(work, loc[:cut]):
                        progressed = True
                        break
            if not progressed:
                break
    return Manifest(), problems


class _SafeLoader(yaml.SafeLoader):
    """Safe YAML loader that refuses aliases, so entity-expansion ('billion laughs') bombs cannot grow."""

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "YAML aliases (*ref) are not accepted", event.start_mark)
        return super().compose_node(parent, index)


MAX_MANIFEST_BYTES = 1_000_000


def parse_manifest(text: str) -> tuple[Manifest | None, list[ManifestProblem]]:
    """Parse YAML text safely (no object construction, no aliases) and validate it."""
    try:
        data = yaml.load(text, Loader=_SafeLoader)  # noqa: S506 - _SafeLoader is a SafeLoader
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = str(getattr(exc, "problem", None) or exc).splitlines()[0]
        return None, [ManifestProblem("(file)", ProblemKind.UNREADABLE,
                                      f"submission.yaml cannot be read{where}: {problem}",
                                      f"submission.yaml 无法读取{where.replace(' at line', '（第').replace(', column', ' 行，第') + ' 列）' if where else ''}：{problem}")]
    except RecursionError:   # PyYAML composes nested collections recursively
        return None, [ManifestProblem("(file)", ProblemKind.UNREADABLE,
                                      "submission.yaml cannot be read: collections nested too deeply",
                                      "submission.yaml 无法读取：嵌套层级过深")]
    if data is None:
        data = {}
    return validate_manifest(data)
