"""The one-screen text summary `workbench review` prints."""
from __future__ import annotations

from .findings import Element, Severity
from .i18n import element_label, severity_label, t


def summary_text(doc: dict, lang: str = "zh", seconds: float | None = None) -> str:
    """Tier, decisive criteria, findings by severity and the scorecard, from a review.json document."""
    lines = [f"{t('submission', lang)}: {doc['submission_id']}"]
    tier = doc.get("tier")
    if tier:
        label = tier["label_zh"] if lang == "zh" else tier["label_en"]
        lines.append(f"{t('proposed_tier', lang)}: {tier['proposed']} — {label}")
        decisive = tier.get("decisive") or []
        if decisive:
            lines.append(f"{t('decisive', lang)}: {', '.join(decisive)}")
        needs = tier.get("next_tier_needs_zh" if lang == "zh" else "next_tier_needs") or []
        if needs:
            lines.append(f"{t('next_tier', lang)}: " + "; ".join(needs))
    counts = doc.get("findings_by_severity", {})
    lines.append(f"{t('findings_by_severity', lang)}: " + ", ".join(
        f"{severity_label(s, lang)} {counts.get(s.value, 0)}" for s in Severity))
    comp = doc.get("completeness")
    if comp is not None:
        lines.append(f"{t('completeness', lang)}: {comp:.0%}")
    lines.append(f"{t('scorecard', lang)}:")
    for el in Element:
        row = doc["scorecard"].get(el.value, {})
        lines.append(f"  {element_label(el, lang)}: {t(row.get('status', ''), lang)} "
                     f"(C{row.get('critical', 0)} M{row.get('major', 0)} m{row.get('minor', 0)})")
    if seconds is not None:
        lines.append(f"{t('review_time', lang)}: {seconds:.1f} s")
    return "\n".join(lines)
