"""The reviewer's rules file: tier thresholds (evidence-tiers.md) and the vocabularies coded values are read
with (analyses.md "Common definitions"); typed, validated, hashed.

The shipped ``workbench/rules/default.yaml`` holds every default. A replacement
file (``--rules FILE``) may give only the keys it changes; the rest keep the
shipped values; the values it gives under ``vocabularies`` and ``mentions`` are
added to the shipped ones. Unknown keys and invalid values raise :class:`RulesError`
naming the key and the file. ``Rules.sha256`` is the SHA-256 of the bytes of the
file in force (the shipped file for ``path == "default"``).
"""
from __future__ import annotations

import functools
import hashlib
import os
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from ..enums import ElementKey, SeverityKey
from ..manifest import Design, EndpointType, Stage

DEFAULT_RULES_NAME = "default"
MAX_RULES_BYTES = 1_000_000

# DOCTYPE vocabulary of submission-format.md (documents/index.csv)
DocType = Literal[
    "PROTOCOL", "PROTOCOL_AMENDMENT", "ETHICS_APPROVAL", "REGISTRATION_RECORD", "ICF_TEMPLATE", "ICF_SIGNED",
    "LTFU_ICF_SIGNED", "IB", "INVESTIGATOR_CV", "TRAINING_RECORD", "SOP_PRODUCT_HANDLING", "RISK_CONTROL_PLAN",
    "MONITORING_REPORT", "SAE_REPORT", "STOPPING_RULE_REVIEW", "PRODUCT_ACCOUNTABILITY", "BATCH_RELEASE_CERT",
    "COMPARABILITY_REPORT", "NONCLINICAL_SUMMARY", "BIODISTRIBUTION_REPORT", "SAP", "DMP", "CSR", "DEVIATION_LOG",
]


class RulesError(ValueError):
    """A rules file that cannot be used; the message names the file and every offending key."""

    def __init__(self, message: str, *, path: str, keys: list[str] | None = None):
        super().__init__(message)
        self.path = path
        self.keys = keys or []

    @property
    def key(self) -> str | None:
        return self.keys[0] if self.keys else None


class Rules(BaseModel):
    """Thresholds of the tier classifier. Build with :func:`load_rules`; see docs/tiers.md for each key."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    version: Literal[1]
    related_sae_rate: float = Field(ge=0, le=1, allow_inf_nan=False)
    min_arm_dosed_for_rate: int = Field(ge=1)
    t4_designs: list[Design] = Field(min_length=1)
    t4_stages: list[Stage] = Field(min_length=1)
    t4_endpoint_types: list[EndpointType] = Field(min_length=1)
    t4_p_value: float = Field(gt=0, le=1, allow_inf_nan=False)
    t4_min_active_dosed: int = Field(ge=1)
    follow_up_share: float = Field(ge=0, le=1, allow_inf_nan=False)
    t4_min_dose_levels: int = Field(ge=1)
    t4_required_documents: list[DocType]
    t4_major_finding_elements: list[ElementKey]
    t4_major_finding_severities: list[SeverityKey] = Field(min_length=1)
    t3_min_dosed: int = Field(ge=1)
    t3_window_share: float = Field(ge=0, le=1, allow_inf_nan=False)
    t2_min_evaluable: int = Field(ge=1)
    default_window_days: int = Field(ge=1)
    vocabularies: dict[str, dict[str, list[str]]]
    mentions: dict[str, list[str]]

    _path: str = PrivateAttr(DEFAULT_RULES_NAME)
    _sha256: str = PrivateAttr("")
    _vocab: Any = PrivateAttr(None)

    @property
    def path(self) -> str:
        """``"default"`` for the shipped file, else the absolute path of the file in force."""
        return self._path

    @property
    def sha256(self) -> str:
        """SHA-256 (hex) of the bytes of the rules file in force."""
        return self._sha256

    def to_dict(self) -> dict:
        """review.json ``rules`` object: ``{"path", "sha256"}``."""
        return {"path": self.path, "sha256": self.sha256}

    def values(self) -> dict[str, Any]:
        """Every threshold in force (shipped defaults merged with the replacement file)."""
        return self.model_dump()

    @property
    def vocab(self):
        """The vocabularies and mention lists as matchers (:class:`workbench.study.vocab.Vocabularies`)."""
        if self._vocab is None:
            from ..study.vocab import Vocabularies

            self._vocab = Vocabularies(self.vocabularies, self.mentions)
        return self._vocab


def _default_bytes() -> bytes:
    return resources.files("workbench").joinpath("rules", "default.yaml").read_bytes()


def _parse(data: bytes, shown: str) -> dict:
    try:
        parsed = yaml.safe_load(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise RulesError(f"rules file {shown}: not UTF-8 text ({exc.reason})", path=shown) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = str(getattr(exc, "problem", None) or exc).splitlines()[0]
        raise RulesError(f"rules file {shown}: cannot be read as YAML{where}: {problem}", path=shown) from None
    if parsed is None:
        return {}
    if not isinstance(parsed, dict):
        raise RulesError(f"rules file {shown}: the top level must be a mapping of keys to values, "
                         f"not {type(parsed).__name__}", path=shown)
    bad = [k for k in parsed if not isinstance(k, str)]
    if bad:
        raise RulesError(f"rules file {shown}: key {bad[0]!r} is not a name", path=shown, keys=[str(bad[0])])
    return parsed


def _shown_value(v: Any) -> str:
    s = repr(v) if not isinstance(v, (dict, list)) else type(v).__name__
    return s if len(s) <= 60 else s[:57] + "..."


def _validate(merged: dict, shown: str) -> Rules:
    try:
        return Rules.model_validate(merged)
    except ValidationError as exc:
        keys: list[str] = []
        lines: list[str] = []
        for err in exc.errors():
            loc = err["loc"]
            key = str(loc[0]) if loc else "(root)"
            where = key + "".join(f"[{p}]" for p in loc[1:])
            if err["type"] == "extra_forbidden":
                lines.append(f"unknown key '{key}'")
            elif err["type"] == "missing":
                lines.append(f"required key '{key}' is missing")
            else:
                lines.append(f"key '{where}' has invalid value {_shown_value(err.get('input'))}: {err['msg']}")
            if key not in keys:
                keys.append(key)
        raise RulesError(f"rules file {shown}: " + "; ".join(lines), path=shown, keys=keys) from None


EXTENDED = ("vocabularies", "mentions")   # keys whose values a replacement file adds to the shipped ones


def _merge(defaults: dict, override: dict, shown: str) -> dict:
    """The shipped values overridden key by key; ``vocabularies`` / ``mentions`` extended value by value."""
    merged = {**defaults, **{k: v for k, v in override.items() if k not in EXTENDED}}
    for key in EXTENDED:
        if key not in override:
            continue
        extra = override[key]
        if not isinstance(extra, dict):
            raise RulesError(f"rules file {shown}: key '{key}' must be a mapping, not {type(extra).__name__}",
                             path=shown, keys=[key])
        base = defaults[key]
        out = {name: (dict(v) if isinstance(v, dict) else list(v)) for name, v in base.items()}
        for name, values in extra.items():
            if name not in base:
                raise RulesError(f"rules file {shown}: unknown key '{key}.{name}'; known: {', '.join(base)}",
                                 path=shown, keys=[f"{key}.{name}"])
            if isinstance(base[name], dict):
                if not isinstance(values, dict):
                    raise RulesError(f"rules file {shown}: key '{key}.{name}' must map categories to lists",
                                     path=shown, keys=[f"{key}.{name}"])
                for cat, more in values.items():
                    if cat not in base[name]:
                        raise RulesError(f"rules file {shown}: unknown key '{key}.{name}.{cat}'; known: "
                                         f"{', '.join(base[name])}", path=shown, keys=[f"{key}.{name}.{cat}"])
                    out[name][cat] = list(out[name][cat]) + _strings(more, f"{key}.{name}.{cat}", shown)
            else:
                out[name] = list(out[name]) + _strings(values, f"{key}.{name}", shown)
        merged[key] = out
    return merged


def _strings(values: Any, where: str, shown: str) -> list[str]:
    if not isinstance(values, list) or not all(isinstance(v, (str, int, float)) and not isinstance(v, bool)
                                               for v in values):
        hint = " (quote YES / NO / ON / OFF: YAML reads them as true / false)" \
            if isinstance(values, list) and any(isinstance(v, bool) for v in values) else ""
        raise RulesError(f"rules file {shown}: key '{where}' must be a list of values{hint}", path=shown, keys=[where])
    return [str(v) for v in values]


def load_rules(path: str | os.PathLike | None = None) -> Rules:
    """The shipped rules (``path`` None or ``"default"``), or the shipped rules overridden by a YAML file.

    Raises :class:`RulesError` (file missing/unreadable, not YAML, unknown key, invalid value).
    """
    default_bytes = _default_bytes()
    defaults = _parse(default_bytes, DEFAULT_RULES_NAME)
    if path is None or (isinstance(path, str) and path == DEFAULT_RULES_NAME):
        rules = _validate(defaults, DEFAULT_RULES_NAME)
        rules._path = DEFAULT_RULES_NAME
        rules._sha256 = hashlib.sha256(default_bytes).hexdigest()
        return rules
    p = Path(path)
    shown = str(p)
    try:
        if p.stat().st_size > MAX_RULES_BYTES:
            raise RulesError(f"rules file {shown}: larger than {MAX_RULES_BYTES} bytes", path=shown)
        data = p.read_bytes()
    except (OSError, ValueError) as exc:
        if isinstance(exc, RulesError):
            raise
        raise RulesError(f"rules file {shown}: cannot be read ({exc.__class__.__name__}: "
                         f"{getattr(exc, 'strerror', None) or exc})", path=shown) from None
    override = _parse(data, shown)
    rules = _validate(_merge(defaults, override, shown), shown)
    rules._path = str(p.resolve())
    rules._sha256 = hashlib.sha256(data).hexdigest()
    return rules


@functools.lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The shipped rules (``load_rules(None)``, read once per process: the model is frozen)."""
    return load_rules(None)
