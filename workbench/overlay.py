"""The reviewer overlay: what the data cannot tell and the reviewer states (submission-format.md).

A bare SDTM folder has no submission.yaml: nothing says the product's cell type, which arm is the control, the
primary endpoint or the follow-up the product needs. The reviewer supplies them in an overlay, kept with the
decisions (the same hash-chained store) or given as a file (`workbench review --overlay FILE`), never written into
the submission. Where the overlay gives a value it is used instead of the manifest's, and shown as
reviewer-supplied wherever it is used (study facts, arms, efficacy, follow-up, review.json ``overlay``).
"""
from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .manifest import Blinding, CellType, Design, Manifest, PrimaryEndpoint, Source, Stage

MAX_OVERLAY_BYTES = 100_000

FIELD_LABELS = {   # overlay field -> (中文, English)
    "cell_type": ("细胞类型", "cell type"), "source": ("来源", "source"), "gene_modified": ("基因修饰", "gene modified"),
    "design": ("设计", "design"), "stage": ("阶段", "stage"), "blinding": ("盲法", "blinding"),
    "first_in_human": ("首次人体试验", "first in human"), "control_arms": ("对照组", "control arm(s)"),
    "primary_endpoint": ("主要终点", "primary endpoint"),
    "required_followup_days": ("要求随访天数", "required follow-up (days)"),
}


class OverlayError(ValueError):
    """An overlay that cannot be used; the message names the field and the allowed values."""


class Overlay(BaseModel):
    """Reviewer-supplied study facts (every field optional; ``note`` says why)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    cell_type: CellType | None = None
    source: Source | None = None
    gene_modified: bool | None = None
    design: Design | None = None
    stage: Stage | None = None
    blinding: Blinding | None = None
    first_in_human: bool | None = None
    control_arms: list[str] = Field(default_factory=list)
    primary_endpoint: PrimaryEndpoint | None = None
    required_followup_days: int | None = Field(None, ge=1, le=36500)
    note: str | None = Field(None, max_length=2000)

    # -- reading -------------------------------------------------------------------------------------------------
    @classmethod
    def parse(cls, data: Any, where: str = "overlay") -> "Overlay":
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise OverlayError(f"{where}: the top level must be a mapping of fields to values")
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            parts = []
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"])
                if err["type"] == "extra_forbidden":
                    parts.append(f"unknown field '{loc}' (known: {', '.join(FIELD_LABELS)}, note)")
                else:
                    allowed = err.get("ctx", {}).get("expected")
                    parts.append(f"field '{loc}': {err['msg']}" + (f" (allowed: {allowed})" if allowed else ""))
            raise OverlayError(f"{where}: " + "; ".join(parts)) from None

    @classmethod
    def from_json(cls, text: str) -> "Overlay":
        return cls.parse(json.loads(text))

    @classmethod
    def load(cls, path: str | Path) -> "Overlay":
        """An overlay file (YAML or JSON; safe loader, size-limited). OverlayError with the file named."""
        p = Path(path)
        try:
            if p.stat().st_size > MAX_OVERLAY_BYTES:
                raise OverlayError(f"{p}: larger than {MAX_OVERLAY_BYTES} bytes")
            text = p.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise OverlayError(f"{p}: cannot be read ({exc.strerror or exc})") from None
        except UnicodeDecodeError:
            raise OverlayError(f"{p}: not UTF-8 text") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise OverlayError(f"{p}: not YAML ({str(exc).splitlines()[0]})") from None
        return cls.parse(data, str(p))

    # -- what it says ----------------------------------------------------------------------------------------------
    def given(self) -> dict[str, Any]:
        """The fields the reviewer supplied (JSON values)."""
        d = self.model_dump(mode="json", exclude_none=True, exclude={"note"})
        if not d.get("control_arms"):
            d.pop("control_arms", None)
        return d

    def to_json(self) -> str:
        """Canonical JSON (what is stored and hashed)."""
        return json.dumps(self.model_dump(mode="json", exclude_none=True), ensure_ascii=False, sort_keys=True)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.to_json().encode()).hexdigest()

    def __bool__(self) -> bool:
        return bool(self.given())

    def apply(self, manifest: Manifest | None) -> Manifest:
        """The manifest with the overlay's values in place (the submission's manifest is not changed)."""
        m = manifest.model_copy(deep=True) if manifest is not None else Manifest()
        product = m.product.model_copy(update={k: getattr(self, k) for k in ("cell_type", "source", "gene_modified")
                                               if getattr(self, k) is not None})
        study_update = {k: getattr(self, k) for k in ("design", "stage", "blinding", "first_in_human")
                        if getattr(self, k) is not None}
        if self.primary_endpoint is not None:
            study_update["primary_endpoint"] = self.primary_endpoint
        if self.required_followup_days is not None:
            study_update["followup"] = m.study.followup.model_copy(update={"required_days": self.required_followup_days})
        return m.model_copy(update={"product": product, "study": m.study.model_copy(update=study_update)})

    def describe(self, lang: str = "zh") -> str:
        """One line: the fields supplied, in words."""
        parts = []
        for k, v in self.given().items():
            zh, en = FIELD_LABELS.get(k, (k, k))
            if isinstance(v, dict):
                v = f"{v.get('domain')}.{v.get('testcd')}" + (f" @ {v['visit']}" if v.get("visit") else "")
            elif isinstance(v, list):
                v = ", ".join(map(str, v))
            parts.append(f"{zh if lang == 'zh' else en}: {v}")
        return ("；" if lang == "zh" else "; ").join(parts)
