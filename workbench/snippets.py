"""The few lines of public-API Python that rebuild a table or figure of the review from the submission folder (the
app's and report's "code" toggle). Each snippet leaves its result in ``table`` or ``fig``; a test executes every
snippet and compares the result with what the app shows."""
from __future__ import annotations

# figure hook (workbench.figure_hooks) -> (analysis it draws, figure function)
FIGURES: dict[str, tuple[str, str]] = {
    "cmc": ("cmc", "cmc_control_charts"), "dose_response": ("dlt", "dose_response"),
    "efficacy": ("efficacy", "efficacy_by_dose"), "soc_heatmap": ("safety", "teae_heatmap"),
    "top_pts": ("safety", "top_pt_bars"), "forest": ("safety", "risk_difference_forest"),
    "km": ("safety", "km_curves"), "swimmer": ("timeline", "swimmer"),
    "follow_up": ("follow_up", "follow_up_distribution"), "edish": ("labs", "edish"),
    "lab_over_time": ("labs", "lab_over_time"),
}


def _load_lines(review) -> list[str]:
    sub = review.submission
    lines = ["import workbench", "", f"sub = workbench.load_submission({str(sub.root)!r})"]
    path = getattr(review.rules, "path", "default") if review.rules is not None else "default"
    if path and path != "default":
        lines[1:1] = ["from workbench.rules import load_rules"]
        lines.append(f"sub.use_rules(load_rules({str(path)!r}))")
    return lines


def table_code(review, table_id: str, lang: str = "zh") -> str:
    """``table = tables.build_table(sub, id)``, and the table as shown."""
    lines = _load_lines(review)
    lines.insert(1, "from workbench import tables")
    lines += [f"table = tables.build_table(sub, {table_id!r})", f"table.to_frame({lang!r})   # or table.to_dict()"]
    return "\n".join(lines)


def figure_code(review, hook: str, lang: str, name: str | None = None, **kw) -> str | None:
    """The figure ``hook`` of the review (``name``: one of a dict of figures, e.g. a CMC attribute)."""
    lines = _load_lines(review)
    lines.insert(1, "from workbench import figures")
    if hook == "completeness":
        lines.insert(1, "from workbench.checks import run_checks")
        lines.append(f"fig = figures.completeness_heatmap([r.to_dict() for r in run_checks(sub).results], "
                     f"lang={lang!r})")
        return "\n".join(lines)
    if hook not in FIGURES:
        return None
    analysis, func = FIGURES[hook]
    lines.insert(1, "from workbench.analyses import run_analyses")
    lines.append(f"res = run_analyses(sub, only=[{analysis!r}])")
    args = "".join(f", {k}={v!r}" for k, v in kw.items())
    call = f"figures.{func}(res.{analysis}, lang={lang!r}{args})"
    lines.append(f"fig = {call}[{name!r}]" if name is not None else f"fig = {call}")
    return "\n".join(lines)
