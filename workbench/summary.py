"""The one-screen text summary `workbench review` prints, from the review itself."""
from __future__ import annotations

from .findings import Element, Severity
from .i18n import element_label, severity_label, t


def summary_text(review, lang: str = "zh", seconds: float | None = None) -> str:
    """Tier, decisive criteria, findings by severity and the scorecard of a :class:`workbench.review.Review`."""
    lines = [f"{t('submission', lang)}: {review.submission.submission_id}"]
    tier = review.tier
    if tier is not None:
        lines.append(f"{t('proposed_tier', lang)}: {tier.proposed.value} — {tier.proposed.label(lang)}")
        if tier.decisive:
            lines.append(f"{t('decisive', lang)}: {', '.join(tier.decisive)}")
        needs = tier.next_tier_needs_zh if lang == "zh" else tier.next_tier_needs_en
        if needs:
            lines.append(f"{t('next_tier', lang)}: " + "; ".join(needs))
    counts = review.checks.by_severity()
    lines.append(f"{t('findings_by_severity', lang)}: " + ", ".join(
        f"{severity_label(s, lang)} {counts.get(s.value, 0)}" for s in Severity))
    if review.completeness is not None:
        lines.append(f"{t('completeness', lang)}: {review.completeness:.0%}")
    lines.append(f"{t('scorecard', lang)}:")
    for el in Element:
        row = review.scorecard.get(el.value, {})
        lines.append(f"  {element_label(el, lang)}: {t(row.get('status', ''), lang)} "
                     f"(C{row.get('critical', 0)} M{row.get('major', 0)} m{row.get('minor', 0)})")
    if seconds is not None:
        lines.append(f"{t('review_time', lang)}: {seconds:.1f} s")
    return "\n".join(lines)
