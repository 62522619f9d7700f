"""What a reconciliation item found: comparisons made, agreements counted, each disagreement with both values."""
from __future__ import annotations

from dataclasses import dataclass, field

ITEMS = {
    "REC-001": ("ADSL 人群标志与实际治疗", "ADSL population flags and actual treatment"),
    "REC-002": ("ADSL 治疗起止日期", "ADSL treatment start and end dates"),
    "REC-003": ("ADAE 治疗期出现的不良事件标志", "ADAE treatment-emergent flag"),
    "REC-004": ("肝脏指标 / Hy's law 标志", "Hepatic / Hy's law flags"),
    "REC-005": ("ADSL 死亡与研究结束状态", "ADSL deaths and end-of-study status"),
}
COMPARED, NOT_APPLICABLE = "compared", "not_applicable"


@dataclass(frozen=True)
class Disagreement:
    """One comparison where the sponsor's analysis dataset and the SDTM-derived value differ."""

    dataset: str             # ADSL | ADAE | ADLBHY ...
    usubjid: str | None
    record: str | None       # 'AESEQ=4', 'PARAMCD=HYSLAW', or None for a subject-level record
    variable: str            # the ADaM variable compared (SAFFL, TRTEMFL ...) or USUBJID for a missing record
    adam: str | None         # the ADaM value as text ('—' shown for blank)
    sdtm: str | None         # what the SDTM says, as text
    kind: str                # a stable code of the reason (one finding per kind, subject or group)
    reason_en: str
    reason_zh: str

    def detail(self, lang: str = "en") -> str:
        """The reason without its 'Subject …, record: ' lead (for a finding about several records of a subject)."""
        text = self.reason_en if lang == "en" else self.reason_zh
        lead = (f"Subject {self.usubjid}, {self.record}: " if lang == "en" else f"受试者 {self.usubjid}，{self.record}：")
        return text[len(lead):] if text.startswith(lead) else text

    def to_dict(self) -> dict:
        return {"dataset": self.dataset, "usubjid": self.usubjid, "record": self.record, "variable": self.variable,
                "adam": self.adam, "sdtm": self.sdtm, "kind": self.kind, "reason_en": self.reason_en,
                "reason_zh": self.reason_zh}


@dataclass
class VariableCount:
    variable: str
    compared: int = 0
    agree: int = 0

    @property
    def disagree(self) -> int:
        return self.compared - self.agree

    def to_dict(self) -> dict:
        return {"variable": self.variable, "compared": self.compared, "agree": self.agree, "disagree": self.disagree}


@dataclass
class ItemResult:
    """One reconciliation item (REC-00n): counts per variable, the disagreements, and an inference about them."""

    id: str
    status: str = COMPARED
    reason_en: str | None = None           # why the item is not applicable
    reason_zh: str | None = None
    variables: dict[str, VariableCount] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)
    not_compared: int = 0                  # subjects / records that could not be compared (with notes)
    notes_en: list[str] = field(default_factory=list)
    notes_zh: list[str] = field(default_factory=list)
    inference_en: str | None = None        # e.g. REC-003: the end-of-treatment window ADaM appears to apply
    inference_zh: str | None = None

    @property
    def title_zh(self) -> str:
        return ITEMS[self.id][0]

    @property
    def title_en(self) -> str:
        return ITEMS[self.id][1]

    @property
    def compared(self) -> int:
        return sum(v.compared for v in self.variables.values())

    @property
    def agree(self) -> int:
        return sum(v.agree for v in self.variables.values())

    @property
    def disagree(self) -> int:
        return self.compared - self.agree

    def count(self, variable: str, agree: bool) -> None:
        v = self.variables.setdefault(variable, VariableCount(variable))
        v.compared += 1
        v.agree += int(bool(agree))

    def disagree_with(self, d: Disagreement) -> None:
        """Count one comparison of ``d.variable`` as a disagreement and keep it."""
        self.count(d.variable, False)
        self.disagreements.append(d)

    def note(self, en: str, zh: str) -> None:
        self.notes_en.append(en)
        self.notes_zh.append(zh)

    def to_dict(self) -> dict:
        return {"id": self.id, "title_zh": self.title_zh, "title_en": self.title_en, "status": self.status,
                "reason_en": self.reason_en, "reason_zh": self.reason_zh, "compared": self.compared,
                "agree": self.agree, "disagree": self.disagree, "not_compared": self.not_compared,
                "variables": [v.to_dict() for v in self.variables.values()],
                "inference_en": self.inference_en, "inference_zh": self.inference_zh,
                "notes_en": self.notes_en, "notes_zh": self.notes_zh,
                "listing": [d.to_dict() for d in self.disagreements]}


def not_applicable(item_id: str, en: str, zh: str) -> ItemResult:
    return ItemResult(item_id, NOT_APPLICABLE, en, zh)


def unreadable(sub, name: str) -> bool:
    """Was an analysis dataset file of this name supplied but not read (TRC-007 says why)?"""
    from pathlib import PurePosixPath

    files = sub.package.dataset_files["ADaM"] if sub.package is not None else []
    return name not in sub.adam and any(PurePosixPath(f).stem.upper() == name for f in files)


@dataclass
class Reconciliation:
    """Every item of one submission's reconciliation (ADaM datasets against the SDTM-derived study model)."""

    datasets: list[str]
    items: dict[str, ItemResult]

    def item(self, item_id: str) -> ItemResult:
        return self.items[item_id]

    def to_dict(self) -> dict:
        return {"adam_datasets": self.datasets, "items": [self.items[k].to_dict() for k in sorted(self.items)]}
