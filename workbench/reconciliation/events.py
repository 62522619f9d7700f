"""REC-003: ADAE.TRTEMFL against this product's treatment-emergent definition (analyses.md: onset on or after
the first dose, undecidable partial dates counted; no end-of-treatment window), record by record (USUBJID +
AESEQ), with the reason each disagreement has in the data and the end-of-treatment window ADaM appears to use."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..submission import Submission
from .result import Disagreement, ItemResult, not_applicable, unreadable
from .values import adam_days, interval_text, iso, seq_text, subject_ids, text, yes_flags

BLANK = "—"


def _key_frame(ids, seqs) -> list[tuple]:
    return [(u, seq_text(s)) for u, s in zip(ids, seqs)]


def treatment_emergent(sub: Submission) -> ItemResult:
    adae = sub.adam.get("ADAE")
    if adae is None:
        if unreadable(sub, "ADAE"):
            return not_applicable("REC-003", "ADAE could not be read (reported by TRC-007)", "ADAE 无法读取（由 TRC-007 报告）")
        return not_applicable("REC-003", "ADAE is not supplied", "未提供 ADAE")
    if not sub.has("AE"):
        return not_applicable("REC-003", "AE is missing (reported by SAF-001)", "缺少 AE（由 SAF-001 报告）")
    missing = [v for v in ("USUBJID", "AESEQ", "TRTEMFL") if v not in adae.columns]
    if missing:
        return not_applicable("REC-003", f"ADAE has no {', '.join(missing)} variable: records cannot be compared",
                              f"ADAE 缺少变量 {'、'.join(missing)}：无法逐条比较")
    model = sub.study
    ae = model.adverse_events
    if "AESEQ" not in ae.columns:
        return not_applicable("REC-003", "AE has no AESEQ variable: records cannot be matched",
                              "AE 缺少 AESEQ 变量：无法逐条匹配")
    subj = model.subjects
    item = ItemResult("REC-003")
    a_keys = _key_frame(subject_ids(adae["USUBJID"]), adae["AESEQ"].to_numpy(dtype=object))
    a_flag = yes_flags(sub, adae["TRTEMFL"])
    a_start = adam_days(adae["ASTDT"]) if "ASTDT" in adae.columns else np.full(len(adae), np.nan)
    a_trtsdt = adam_days(adae["TRTSDT"]) if "TRTSDT" in adae.columns else np.full(len(adae), np.nan)
    a_imputed = adae["ASTDTF"].to_numpy(dtype=object) if "ASTDTF" in adae.columns else np.full(len(adae), None)
    a_trtedt = _adam_last_dose(sub, adae, a_keys)
    s_keys = _key_frame(subject_ids(ae["USUBJID"]), ae["AESEQ"].to_numpy(dtype=object))
    s_pos: dict[tuple, int] = {}
    for i, k in enumerate(s_keys):
        s_pos.setdefault(k, i)
    teae = ae["TEAE"].to_numpy(dtype=bool)
    start_lo, start_hi = ae["START_LO"].to_numpy(dtype=float), ae["START_HI"].to_numpy(dtype=float)
    aestdtc = ae["AESTDTC"].to_numpy(dtype=object) if "AESTDTC" in ae.columns else np.full(len(ae), None)
    first_lo = subj["FIRST_LO"].to_dict()
    first_hi = subj["FIRST_HI"].to_dict()
    last_hi = subj["LAST_DOSE_HI"].to_dict()
    dosed = set(model.dosed)
    seen: set[tuple] = set()
    pending = []          # (disagreement builder inputs) of TEAE-yes / TRTEMFL-blank records after the last dose
    after_y: list[float] = []
    for j, key in enumerate(a_keys):
        u, seq = key
        record = f"AESEQ={seq}" if seq is not None else f"ROW={j + 1}"
        if key in seen:
            item.disagree_with(Disagreement("ADAE", u, record, "USUBJID/AESEQ", "duplicate", "one record",
                                            "adae_duplicate", f"Subject {u}: ADAE holds {record} more than once",
                                            f"受试者 {u}：ADAE 中 {record} 出现多次"))
            continue
        seen.add(key)
        i = s_pos.get(key)
        if i is None:
            item.disagree_with(Disagreement("ADAE", u, record, "USUBJID/AESEQ", "in ADAE", "not in AE",
                                            "adae_not_in_ae", f"Subject {u}: ADAE {record} has no AE record in SDTM",
                                            f"受试者 {u}：ADAE {record} 在 SDTM AE 中无对应记录"))
            continue
        lib, adam = bool(teae[i]), bool(a_flag[j])
        lo, hi = start_lo[i], start_hi[i]
        # days after the last dose as ADaM dates it (its TRTEDT: the date its own window is counted from), else EX
        ex_last = last_hi.get(u, np.nan) if u is not None else np.nan
        last = a_trtedt[j] if not np.isnan(a_trtedt[j]) else ex_last
        after = lo - last
        if lib == adam:
            item.count("TRTEMFL", True)
            if adam and after > 0:
                after_y.append(after)
            continue
        shown = text(adae["TRTEMFL"].iat[j]) or BLANK
        sdtm = f"TEAE ({text(aestdtc[i]) or '?'})" if lib else f"not TEAE ({text(aestdtc[i]) or '?'})"
        ctx = dict(u=u, record=record, shown=shown, sdtm=sdtm, lo=lo, hi=hi, aestdtc=text(aestdtc[i]),
                   first_lo=first_lo.get(u, np.nan), first_hi=first_hi.get(u, np.nan), last=last, ex_last=ex_last,
                   adam_last=not np.isnan(a_trtedt[j]), after=after, astdt=a_start[j], trtsdt=a_trtsdt[j],
                   imputed=text(a_imputed[j]), dosed=u in dosed)
        if lib and after > 0:
            pending.append(ctx)
        else:
            item.disagree_with(_reason(ctx, lib))
    # AE records of dosed subjects that ADAE leaves out
    not_in = 0
    for i, key in enumerate(s_keys):
        if key in seen:
            continue
        u, seq = key
        if u in dosed:
            item.disagree_with(Disagreement("ADAE", u, f"AESEQ={seq}", "USUBJID/AESEQ", "not in ADAE",
                                            "TEAE" if teae[i] else "in AE", "ae_not_in_adae",
                                            f"Subject {u}: AE AESEQ={seq} ({text(aestdtc[i]) or '?'}) of a dosed "
                                            f"subject is missing from ADAE",
                                            f"受试者 {u}：已给药受试者的 AE AESEQ={seq}（{text(aestdtc[i]) or '?'}）"
                                            f"未见于 ADAE"))
        else:
            not_in += 1
    if not_in:
        item.not_compared += not_in
        item.note(f"{not_in} AE record(s) of subjects without a dose are not in ADAE (not compared)",
                  f"{not_in} 条未给药受试者的 AE 记录不在 ADAE 中（未比较）")
    _window(item, pending, after_y)
    return item


def _adam_last_dose(sub: Submission, adae: pd.DataFrame, keys: list[tuple]) -> np.ndarray:
    """Per ADAE record, ADaM's last-dose date: ADAE.TRTEDT, else the subject's ADSL.TRTEDT (NaN when neither)."""
    out = adam_days(adae["TRTEDT"]) if "TRTEDT" in adae.columns else np.full(len(adae), np.nan)
    adsl = sub.adam.get("ADSL")
    if np.isnan(out).any() and adsl is not None and "USUBJID" in adsl.columns and "TRTEDT" in adsl.columns:
        per = dict(zip(subject_ids(adsl["USUBJID"]), adam_days(adsl["TRTEDT"])))
        fill = np.asarray([per.get(k[0], np.nan) for k in keys], dtype=float)
        out = np.where(np.isnan(out), fill, out)
    return out


def _window(item: ItemResult, pending: list[dict], after_y: list[float]) -> None:
    """Disagreements after the last dose, with the end-of-treatment window ADaM's flags imply (when they do)."""
    if not pending:
        return
    flagged_max = max(after_y) if after_y else 0.0
    blank_min = min(c["after"] for c in pending)
    window = flagged_max < blank_min
    if window:
        lo, hi = int(flagged_max), int(blank_min) - 1
        span_en = f"{lo} days" if lo == hi else f"between {lo} and {hi} days"
        span_zh = f"{lo} 天" if lo == hi else f"{lo} 至 {hi} 天之间"
        item.inference_en = (f"ADaM applies an end-of-treatment window: TRTEMFL is set for AEs starting up to "
                             f"{int(flagged_max)} days after the last dose and blank for AEs starting {int(blank_min)} "
                             f"or more days after it (a window of {span_en}); this product's definition of "
                             f"treatment-emergent (analyses.md) has no end window, so these AEs count as TEAEs")
        item.inference_zh = (f"ADaM 采用了治疗结束窗口：末次给药后 {int(flagged_max)} 天内开始的 AE 标记了 TRTEMFL，"
                             f"末次给药后 {int(blank_min)} 天及以后开始的 AE 未标记（窗口为 {span_zh}）；本产品的"
                             f"治疗期出现的不良事件定义（analyses.md）不设结束窗口，这些 AE 计为 TEAE")
    for c in pending:
        n, last = int(c["after"]), iso(c["last"])
        if c["adam_last"]:
            last_en, last_zh = f"ADaM TRTEDT {last}", f"ADaM TRTEDT {last}"
            if not np.isnan(c["ex_last"]) and c["ex_last"] != c["last"]:
                m = int(c["lo"] - c["ex_last"])
                last_en += f"; {m} days after the last administration in EX, {iso(c['ex_last'])}"
                last_zh += f"；距 EX 末次给药（{iso(c['ex_last'])}）{m} 天"
        else:
            last_en = last_zh = f"EX {last}"
        if window:
            en = (f"starts {n} days after the last dose ({last_en}), beyond the end-of-treatment window ADaM applies "
                  f"(AEs up to {int(flagged_max)} days after the last dose flagged); TEAE by this product's "
                  f"definition (no end window)")
            zh = (f"于末次给药（{last_zh}）后 {n} 天开始，超出 ADaM 采用的治疗结束窗口（末次给药后 {int(flagged_max)} 天内"
                  f"的 AE 被标记）；按本产品定义（不设结束窗口）为 TEAE")
        else:
            en = f"starts {n} days after the last dose ({last_en}); TEAE by this product's definition (no end window)"
            zh = f"于末次给药（{last_zh}）后 {n} 天开始；按本产品定义（不设结束窗口）为 TEAE"
        item.disagree_with(Disagreement(
            "ADAE", c["u"], c["record"], "TRTEMFL", c["shown"], c["sdtm"], "after_last_dose",
            f"Subject {c['u']}, {c['record']}: ADAE.TRTEMFL={c['shown']}, but the AE {en}",
            f"受试者 {c['u']}，{c['record']}：ADAE.TRTEMFL={c['shown']}，但该 AE {zh}"))


def _reason(c: dict, lib: bool) -> Disagreement:
    """The disagreement of one record with the reason the data show."""
    u, record, shown = c["u"], c["record"], c["shown"]
    onset = c["aestdtc"] or "?"
    first = interval_text(c["first_lo"], c["first_hi"])
    if lib:
        if c["lo"] < c["first_hi"] and not np.isnan(c["first_hi"]):
            kind = "partial_onset"
            en = (f"the onset date {onset} is partial and may precede the first dose ({first}); this product counts "
                  f"it as treatment-emergent (conservative)"
                  + (f", ADaM imputed ASTDT={iso(c['astdt'])}" if not np.isnan(c["astdt"]) else ""))
            zh = (f"起始日期 {onset} 不完整，可能早于首次给药（{first}）；本产品按保守原则计为 TEAE"
                  + (f"，ADaM 填补为 ASTDT={iso(c['astdt'])}" if not np.isnan(c["astdt"]) else ""))
        elif not np.isnan(c["astdt"]) and not (c["lo"] <= c["astdt"] <= c["hi"]):
            kind = "astdt_differs"
            en = (f"ADaM's ASTDT={iso(c['astdt'])} differs from AESTDTC={onset} (onset on or after the first dose "
                  f"{first})")
            zh = f"ADaM 的 ASTDT={iso(c['astdt'])} 与 AESTDTC={onset} 不一致（起始于首次给药 {first} 当天或之后）"
        elif not np.isnan(c["trtsdt"]) and not np.isnan(c["first_lo"]) and not (
                c["first_lo"] <= c["trtsdt"] <= c["first_hi"]):
            kind = "trtsdt_differs"
            en = f"ADaM's TRTSDT={iso(c['trtsdt'])} differs from the first dose in EX ({first}); onset {onset}"
            zh = f"ADaM 的 TRTSDT={iso(c['trtsdt'])} 与 EX 首次给药日期（{first}）不一致；起始 {onset}"
        else:
            kind = "teae_not_flagged"
            en = f"the AE starts {onset}, on or after the first dose ({first}): treatment-emergent"
            zh = f"该 AE 起始于 {onset}，在首次给药（{first}）当天或之后：为 TEAE"
    else:
        if not c["dosed"]:
            kind, en, zh = "not_dosed", "the subject has no dose in EX", "该受试者在 EX 中无给药记录"
        elif c["imputed"] and not np.isnan(c["astdt"]):
            kind = "imputed_onset"
            en = (f"ADaM imputed the partial onset date {onset} (ASTDTF={c['imputed']}) as ASTDT={iso(c['astdt'])}; "
                  f"the onset is certainly before the first dose ({first})")
            zh = (f"ADaM 将不完整的起始日期 {onset}（ASTDTF={c['imputed']}）填补为 ASTDT={iso(c['astdt'])}；"
                  f"该 AE 确定早于首次给药（{first}）")
        elif not np.isnan(c["hi"]) and not np.isnan(c["first_lo"]) and c["hi"] < c["first_lo"]:
            n = int(c["first_lo"] - c["hi"])
            kind = "before_first_dose"
            en = f"the AE starts {onset}, {n} days before the first dose ({first})"
            zh = f"该 AE 起始于 {onset}，早于首次给药（{first}）{n} 天"
        else:
            kind = "flagged_not_teae"
            en, zh = f"the AE (onset {onset}) is not treatment-emergent by this product's definition", \
                f"按本产品定义该 AE（起始 {onset}）不是 TEAE"
    return Disagreement("ADAE", u, record, "TRTEMFL", shown, c["sdtm"], kind,
                        f"Subject {u}, {record}: ADAE.TRTEMFL={shown}, but {en}",
                        f"受试者 {u}，{record}：ADAE.TRTEMFL={shown}，但{zh}")
