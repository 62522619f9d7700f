"""The "data package & ADaM" section of the app and report: what the package holds, agree / disagree per
reconciliation item, and the listing of every disagreement (both languages; pandas only, no widgets)."""
from __future__ import annotations

import pandas as pd

KIND_LABELS = {
    "sdtm_dataset": ("SDTM 数据集", "SDTM dataset"), "adam_dataset": ("ADaM 数据集", "ADaM dataset"),
    "define": ("数据说明文件 define.xml", "define.xml"), "reviewer_guide": ("数据审阅说明", "reviewer guide"),
    "program": ("程序", "program"), "other": ("其他文件", "other file"),
}
STATUS_LABELS = {"compared": ("已比较", "compared"), "not_applicable": ("不适用", "not applicable")}


def _pick(pair, lang: str) -> str:
    return pair[0] if lang == "zh" else pair[1]


def _cols(lang: str, *pairs) -> list[str]:
    return [_pick(p, lang) for p in pairs]


def package_files(review, lang: str):
    """One row per file of the data package: part, kind, path, size, SHA-256 (None: not a data package)."""
    sub = review.submission
    pkg = sub.package
    if pkg is None:
        return None
    sha = {f.path: f.sha256 for f in sub.inputs}
    files = list(pkg.files)
    cols = _cols(lang, ("部分", "Part"), ("类型", "Kind"), ("文件", "File"), ("字节数", "Bytes"), ("SHA-256", "SHA-256"))
    guide = (lambda g: f"（{g}）") if lang == "zh" else (lambda g: f" ({g})")  # noqa: E731
    rows = [dict(zip(cols, (f.part or "—", _pick(KIND_LABELS.get(f.kind, (f.kind, f.kind)), lang)
                            + (guide(f.guide) if f.guide else ""), f.path, f.size, (sha.get(f.path) or "")[:16])))
            for f in sorted(files, key=lambda f: (f.part or "~", f.kind, f.path))]
    return pd.DataFrame(rows, columns=cols)


def summary(review, lang: str):
    """Agree / disagree per reconciliation item (a note when there is nothing to reconcile)."""
    from ..reconciliation import reconciliation
    from ..sections import Block

    rec = reconciliation(review.submission)
    if rec is None:
        return Block("note", "核对汇总", "Reconciliation summary",
                     note_zh="本申报资料既不是数据包，也没有分析数据集（ADaM）：无可核对的内容。",
                     note_en="This submission is neither a data package nor has analysis datasets (ADaM): nothing "
                             "to reconcile.")
    cols = _cols(lang, ("核对项", "Item"), ("内容", "What"), ("状态", "Status"), ("比较数", "Compared"),
                 ("一致", "Agree"), ("不一致", "Disagree"), ("未比较", "Not compared"), ("说明", "Notes"))
    rows = []
    for key in sorted(rec.items):
        it = rec.items[key]
        notes = ([it.reason_zh if lang == "zh" else it.reason_en] if it.status != "compared" else []) + \
            ([it.inference_zh if lang == "zh" else it.inference_en] if it.inference_en else []) + \
            list(it.notes_zh if lang == "zh" else it.notes_en)
        per_var = "；".join if lang == "zh" else "; ".join
        variables = per_var(f"{v.variable} {v.agree}/{v.compared}" for v in it.variables.values())
        rows.append(dict(zip(cols, (key, (it.title_zh if lang == "zh" else it.title_en)
                                    + (f"（{variables}）" if lang == "zh" and variables else
                                       f" ({variables})" if variables else ""),
                                    _pick(STATUS_LABELS[it.status], lang), it.compared, it.agree, it.disagree,
                                    it.not_compared, " ".join(n for n in notes if n) or "—"))))
    return pd.DataFrame(rows, columns=cols)


def listing(review, lang: str):
    """Every disagreement: item, subject, dataset, record, variable, the ADaM value, the SDTM value, the reason."""
    from ..reconciliation import reconciliation

    rec = reconciliation(review.submission)
    if rec is None:
        return None
    cols = _cols(lang, ("核对项", "Item"), ("受试者", "Subject"), ("数据集", "Dataset"), ("记录", "Record"),
                 ("变量", "Variable"), ("ADaM 值", "ADaM value"), ("SDTM 推导值", "From SDTM"), ("原因", "Reason"))
    rows = []
    for key in sorted(rec.items):
        for d in rec.items[key].disagreements:
            rows.append(dict(zip(cols, (key, d.usubjid, d.dataset, d.record, d.variable, d.adam or "—", d.sdtm or "—",
                                        d.reason_zh if lang == "zh" else d.reason_en))))
    if not rows:
        from ..sections import Block

        return Block("note", "不一致清单", "Disagreements", note_zh="所有已比较的记录均一致。",
                     note_en="Every record compared agrees.")
    return pd.DataFrame(rows, columns=cols)
