"""Section blocks about the study's own facts and where each came from: the study facts (submission.yaml or the
trial-design datasets), the reviewer overlay in force, the primary endpoint the efficacy analysis uses, and the
stopping rules with the event that met them. Builders of :mod:`workbench.sections` (``(review, lang)`` -> table)."""
from __future__ import annotations

import pandas as pd

from . import sections as _sections   # Block, _an, _rows: looked up when a builder runs


def overlay_table(review, lang):
    """The reviewer overlay in force (workbench.overlay): each field supplied, its value, and the reviewer's basis;
    None (the block is left out) when there is none."""
    from .overlay import FIELD_LABELS

    ov = review.submission.overlay
    if not ov:
        return None
    zh_en = 0 if lang == "zh" else 1
    rows = []
    for key, value in ov.given().items():
        if isinstance(value, dict):
            value = " · ".join([str(value[k]) for k in ("domain", "testcd", "visit") if value.get(k)] +
                               [_value_text(value[k], lang) for k in ("type", "better") if value.get(k)])
        elif isinstance(value, list):
            value = ", ".join(map(str, value))
        rows.append({"field": FIELD_LABELS.get(key, (key, key))[zh_en], "value": _value_text(value, lang),
                     "origin": ORIGIN_LABELS["overlay"][zh_en], "basis": ov.note or "—"})
    return pd.DataFrame(rows)


def _value_text(value, lang: str) -> str:
    from .i18n import value_label

    return value_label(value, lang) if isinstance(value, str) else str(value)


def endpoint_table(review, lang):
    """The primary endpoint the efficacy analysis uses and where it was declared (submission.yaml or the
    reviewer's overlay)."""
    sub = review.submission
    m = sub.m
    pe = m.study.primary_endpoint if m is not None else None
    if pe is None:
        return _sections.Block("note", "", "", note_zh="未声明主要终点（submission.yaml 或审评人员补充信息均未提供）",
                     note_en="no primary endpoint declared (neither submission.yaml nor a reviewer overlay)")
    from_overlay = bool(sub.overlay and sub.overlay.primary_endpoint is not None)
    zh_en = 0 if lang == "zh" else 1
    origin = ORIGIN_LABELS["overlay" if from_overlay else "manifest"][zh_en]
    return pd.DataFrame([{"domain": pe.domain, "testcd": pe.testcd, "visit": pe.visit or "—",
                          "endpoint_type": _value_text(pe.type, lang), "better": _value_text(pe.better, lang),
                          "origin": origin}])


def stopping_rules_table(review, lang):
    """The stopping rules, the event that met a rule as one readable cell (date · cohort · subject · AE · term)."""
    rows = []
    for r in _sections._rows(_sections._an(review), "stopping_rules") or []:
        ev = r.get("met_event")
        parts = [] if not ev else [str(ev[k]) for k in ("on", "cohort", "usubjid") if ev.get(k)] + \
            ([f"AESEQ {ev['aeseq']:g}" if isinstance(ev["aeseq"], float) else f"AESEQ {ev['aeseq']}"]
             if ev.get("aeseq") is not None else []) + ([str(ev["term"])] if ev.get("term") else [])
        text = " · ".join(parts) or None
        rows.append({**r, "met_event": text})
    return pd.DataFrame(rows)


FACT_LABELS = {
    "design": ("设计", "Design"), "stage": ("阶段", "Stage"), "phase": ("分期", "Phase"), "blinding": ("盲法", "Blinding"),
    "control_type": ("对照类型", "Control type"), "indication": ("适应症", "Indication"), "title": ("标题", "Title"),
    "sponsor": ("申办者", "Sponsor"), "planned_subjects": ("计划例数", "Planned subjects"),
    "min_age": ("最小年龄", "Minimum age"),
}


ORIGIN_LABELS = {"manifest": ("submission.yaml 申报", "declared in submission.yaml"),
                 "trial_design": ("试验设计数据集", "trial design datasets"), "overlay": ("审评人员补充", "reviewer overlay")}


def _pick(pair, lang):
    return pair[0] if lang == "zh" else pair[1]


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def facts(review, lang):
    """Study facts with where each came from (submission.yaml or the trial-design datasets)."""
    from .i18n import t, value_label

    rows = []
    for key, fact in review.submission.study.design.facts.items():
        if key not in FACT_LABELS or fact.value is None:
            continue
        value = fact.value
        shown = value_label(value, lang) if isinstance(value, str) else (f"{value:g}" if isinstance(value, float)
                                                                          else str(value))
        rows.append({t("fact", lang): _pick(FACT_LABELS[key], lang), t("value", lang): shown,
                     t("origin", lang): _pick(ORIGIN_LABELS.get(fact.origin, (fact.origin, fact.origin)), lang),
                     t("source", lang): _short(fact.source or "—")})
    return pd.DataFrame(rows)
