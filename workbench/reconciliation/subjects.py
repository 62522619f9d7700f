"""Subject-level reconciliation of ADSL with the study model: REC-001 (SAFFL vs dosed, TRT01A vs actual arm),
REC-002 (TRTSDT / TRTEDT vs EX), REC-005 (DTHFL vs deaths in DM/DS/AE, EOSSTT vs DS disposition)."""
from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd

from ..submission import Submission
from .result import Disagreement, ItemResult, not_applicable, unreadable
from .values import first_date, has_any, interval_text, iso, norm, subject_ids, text, yes_flags

BLANK = "—"


def adsl_subjects(sub: Submission, item_id: str) -> tuple[pd.DataFrame | None, Counter, ItemResult | None]:
    """ADSL with one row per subject (index USUBJID, first record kept), the record count per subject, or the
    item's not-applicable result."""
    adsl = sub.adam.get("ADSL")
    if adsl is None:
        if unreadable(sub, "ADSL"):
            return None, Counter(), not_applicable(item_id, "ADSL could not be read (reported by TRC-007)",
                                                    "ADSL 无法读取（由 TRC-007 报告）")
        return None, Counter(), not_applicable(item_id, "ADSL is not supplied (reported by PKG-002)",
                                                "未提供 ADSL（由 PKG-002 报告）")
    if "USUBJID" not in adsl.columns:
        return None, Counter(), not_applicable(item_id, "ADSL has no USUBJID variable: no subject can be compared",
                                                "ADSL 缺少 USUBJID 变量：无法比较任何受试者")
    subj = sub.study.subjects
    if subj.empty:
        return None, Counter(), not_applicable(item_id, "DM or DM.USUBJID is missing (reported by SCR-001)",
                                                "缺少 DM 或 DM.USUBJID（由 SCR-001 报告）")
    ids = subject_ids(adsl["USUBJID"])
    frame = adsl.assign(USUBJID=ids)
    frame = frame[pd.notna(ids)]
    counts = Counter(frame["USUBJID"])
    frame = frame.drop_duplicates("USUBJID").set_index("USUBJID", drop=False)
    return frame.set_axis(frame.index.astype(object)), counts, None


def _both(sub: Submission, adsl: pd.DataFrame) -> list[str]:
    subj = sub.study.subjects
    return [u for u in adsl.index if u in subj.index]


# -- REC-001 ---------------------------------------------------------------------------------------------------

def population(sub: Submission) -> ItemResult:
    """REC-001: ADSL subjects against DM, SAFFL against dosed (EX), TRT01A against the actual arm."""
    adsl, counts, na = adsl_subjects(sub, "REC-001")
    if na is not None:
        return na
    model = sub.study
    subj = model.subjects
    item = ItemResult("REC-001")
    for u in adsl.index:
        if u not in subj.index:
            item.disagree_with(Disagreement("ADSL", u, None, "USUBJID", u, "not in DM", "adsl_not_in_dm",
                                            f"ADSL has subject {u}, who is not in DM",
                                            f"ADSL 含受试者 {u}，但 DM 中无此受试者"))
        else:
            item.count("USUBJID", True)
    missing = [u for u in subj.index if u not in adsl.index]
    for u in missing:
        if bool(subj.at[u, "DOSED"]):
            item.disagree_with(Disagreement("ADSL", u, None, "USUBJID", "not in ADSL", "dosed (EX)",
                                            "dosed_not_in_adsl", f"Subject {u} was dosed (EX) but has no ADSL record",
                                            f"受试者 {u} 已给药（EX），但 ADSL 中无此受试者"))
        else:
            item.not_compared += 1
    undosed_missing = sum(1 for u in missing if not bool(subj.at[u, "DOSED"]))
    if undosed_missing:
        item.note(f"{undosed_missing} DM subject(s) without a dose are not in ADSL (not compared)",
                  f"DM 中 {undosed_missing} 名未给药受试者不在 ADSL 中（未比较）")
    for u, n in sorted(counts.items()):
        if n > 1:
            item.disagree_with(Disagreement("ADSL", u, None, "USUBJID", f"{n} records", "1 record", "adsl_duplicate",
                                            f"ADSL holds {n} records for subject {u} (one per subject expected); "
                                            f"the first was compared",
                                            f"ADSL 中受试者 {u} 有 {n} 条记录（应为每名受试者 1 条），已比较第一条"))
    both = _both(sub, adsl)
    for var, compare in (("SAFFL", _saffl), ("TRT01A", _trt01a)):
        _compare_if_present(var, compare, sub, item, adsl, both)
    return item


def _compare_if_present(var: str, compare, sub: Submission, item: ItemResult, adsl: pd.DataFrame,
                        both: list[str]) -> None:
    """``compare(sub, item, adsl, both)`` when ADSL has ``var``; else a note on the item that it has not."""
    if var in adsl.columns:
        compare(sub, item, adsl, both)
    else:
        item.note(f"ADSL has no {var} variable", f"ADSL 缺少 {var} 变量")


def _flag_disagreements(sub: Submission, item: ItemResult, adsl: pd.DataFrame, both: list[str], var: str,
                        truth: str):
    """(subject, ADSL value as shown, ADSL flag) for each subject whose Y/N flag ``var`` differs from the study
    model's ``truth`` column (DOSED, DIED); each agreement is counted on ``item``."""
    subj = sub.study.subjects
    flag = pd.Series(yes_flags(sub, adsl[var]), index=adsl.index)
    for u in both:
        adam = bool(flag.at[u])
        if bool(subj.at[u, truth]) == adam:
            item.count(var, True)
            continue
        yield u, text(adsl.at[u, var]) or BLANK, adam


def _saffl(sub: Submission, item: ItemResult, adsl: pd.DataFrame, both: list[str]) -> None:
    if not sub.study.dosing_known:
        item.not_compared += len(both)
        item.note("SAFFL not compared: EX is missing (reported by ADM-001)", "未比较 SAFFL：缺少 EX（由 ADM-001 报告）")
        return
    subj = sub.study.subjects
    for u, shown, safety in _flag_disagreements(sub, item, adsl, both, "SAFFL", "DOSED"):
        if safety:
            item.disagree_with(Disagreement("ADSL", u, f"SAFFL={shown}", "SAFFL", shown, "not dosed (no dose in EX)",
                                            "saffl_not_dosed",
                                            f"Subject {u}: ADSL.SAFFL={shown}, but EX records no dose for the subject",
                                            f"受试者 {u}：ADSL.SAFFL={shown}，但 EX 中无该受试者的给药记录"))
        else:
            first = interval_text(subj.at[u, "FIRST_LO"], subj.at[u, "FIRST_HI"])
            item.disagree_with(Disagreement("ADSL", u, f"SAFFL={shown}", "SAFFL", shown, f"dosed (first dose {first})",
                                            "saffl_dosed",
                                            f"Subject {u}: ADSL.SAFFL={shown}, but the subject was dosed (first dose "
                                            f"{first} in EX): the safety population misses a dosed subject",
                                            f"受试者 {u}：ADSL.SAFFL={shown}，但该受试者已给药（EX 首次给药 {first}）："
                                            f"安全性人群遗漏了已给药受试者"))


def _arm_names(sub: Submission, adsl: pd.DataFrame, both: list[str]) -> dict[str, set[str]]:
    """Each actual arm's names: code, label, the subjects' ACTARM texts, and the TRT01A value most of its
    subjects carry (when no other arm is called so)."""
    model = sub.study
    subj, sa = model.subjects, model.subject_arms
    names: dict[str, set[str]] = {}
    for a in model.arms.itertuples():
        names[a.ARM] = {n for n in (norm(a.ARM), norm(a.LABEL)) if n}
    for u in sa.index:
        arm = sa.at[u, "ARM"]
        if arm is not None and arm in names and norm(sa.at[u, "ARM_TEXT"]):
            names[arm].add(norm(sa.at[u, "ARM_TEXT"]))
    values: dict[str, Counter] = {}
    for u in both:
        arm = subj.at[u, "ARM"]
        t = norm(adsl.at[u, "TRT01A"])
        if arm is not None and arm in names and t:
            values.setdefault(arm, Counter())[t] += 1
    taken = {n: arm for arm, ns in names.items() for n in ns}
    for arm, c in values.items():
        modal, n = c.most_common(1)[0]
        if taken.get(modal, arm) == arm and n * 2 > sum(c.values()):
            names[arm].add(modal)
    return names


def _trt01a(sub: Submission, item: ItemResult, adsl: pd.DataFrame, both: list[str]) -> None:
    model = sub.study
    subj, sa = model.subjects, model.subject_arms
    names = _arm_names(sub, adsl, both)
    owner = {n: arm for arm, ns in names.items() for n in ns}
    status_vocab = sub.vocab.arm_status
    for u in both:
        raw = adsl.at[u, "TRT01A"]
        t, shown = norm(raw), text(raw) or BLANK
        arm = subj.at[u, "ARM"]
        label = subj.at[u, "ARM_LABEL"]
        arm_text = f"{arm} ({label})" if isinstance(label, str) and label != arm else str(arm)
        if arm is None or arm not in names:
            status = subj.at[u, "ARM_STATUS"] or "no arm"
            ok = t is None or status_vocab.category(t) is not None or t == norm(sa.at[u, "ARM_TEXT"])
            if ok:
                item.count("TRT01A", True)
            else:
                item.disagree_with(Disagreement(
                    "ADSL", u, f"TRT01A={shown}", "TRT01A", shown, str(status), "trt01a_no_arm",
                    f"Subject {u}: ADSL.TRT01A={shown}, but the subject has no actual arm in DM ({status})",
                    f"受试者 {u}：ADSL.TRT01A={shown}，但 DM 中该受试者无实际组别（{status}）"))
            continue
        if t in names[arm]:
            item.count("TRT01A", True)
            continue
        planned = subj.at[u, "PLANNED_ARM"]
        planned_names = names.get(planned, set()) | ({norm(sa.at[u, "PLANNED_TEXT"])} - {None})
        if planned is not None and planned != arm and t in planned_names:
            kind, en, zh = ("trt01a_planned",
                            f"ADSL.TRT01A={shown} is the planned arm ({planned}); the actual arm (DM.ACTARMCD) is "
                            f"{arm_text}",
                            f"ADSL.TRT01A={shown} 为计划组别（{planned}），实际组别（DM.ACTARMCD）为 {arm_text}")
        elif t in owner:
            kind, en, zh = ("trt01a_other_arm", f"ADSL.TRT01A={shown} names arm {owner[t]}; DM/EX give {arm_text}",
                            f"ADSL.TRT01A={shown} 对应组别 {owner[t]}，而 DM/EX 为 {arm_text}")
        else:
            kind, en, zh = ("trt01a_unmatched", f"ADSL.TRT01A={shown} does not name the actual arm {arm_text}",
                            f"ADSL.TRT01A={shown} 与实际组别 {arm_text} 不符")
        item.disagree_with(Disagreement("ADSL", u, f"TRT01A={shown}", "TRT01A", shown, arm_text, kind,
                                        f"Subject {u}: {en}", f"受试者 {u}：{zh}"))


# -- REC-002 ---------------------------------------------------------------------------------------------------

def treatment_dates(sub: Submission) -> ItemResult:
    """REC-002: TRTSDT (else TRTSDTM) against the first EX dose, TRTEDT (else TRTEDTM) against the last."""
    adsl, _, na = adsl_subjects(sub, "REC-002")
    if na is not None:
        return na
    model = sub.study
    if not model.dosing_known:
        return not_applicable("REC-002", "EX is missing (reported by ADM-001)", "缺少 EX（由 ADM-001 报告）")
    subj = model.subjects
    item = ItemResult("REC-002")
    both = _both(sub, adsl)
    open_last = _open_last_records(sub)
    for var, names, lo_col, hi_col, what_en, what_zh in (
            ("TRTSDT", ("TRTSDT", "TRTSDTM"), "FIRST_LO", "FIRST_HI", "first dose", "首次给药"),
            ("TRTEDT", ("TRTEDT", "TRTEDTM"), "LAST_DOSE_LO", "LAST_DOSE_HI", "last dose", "末次给药")):
        used = has_any(adsl, *names)
        if used is None:
            item.note(f"ADSL has no {var} variable", f"ADSL 缺少 {var} 变量")
            continue
        days = pd.Series(first_date(adsl, *names), index=adsl.index)
        for u in both:
            d = days.at[u]
            dosed = bool(subj.at[u, "DOSED"])
            lo, hi = subj.at[u, lo_col], subj.at[u, hi_col]
            if not dosed:
                if np.isnan(d):
                    item.count(var, True)
                else:
                    item.disagree_with(Disagreement(
                        "ADSL", u, f"{var}={iso(d)}", var, iso(d), "no dose in EX", f"{var.lower()}_not_dosed",
                        f"Subject {u}: ADSL.{var}={iso(d)}, but EX records no dose for the subject",
                        f"受试者 {u}：ADSL.{var}={iso(d)}，但 EX 中无该受试者的给药记录"))
                continue
            if np.isnan(lo):
                item.not_compared += 1
                continue
            sdtm = interval_text(lo, hi)
            if np.isnan(d):
                item.disagree_with(Disagreement(
                    "ADSL", u, f"{var}=", var, None, sdtm, f"{var.lower()}_missing",
                    f"Subject {u}: ADSL.{var} is blank; the {what_en} in EX is {sdtm}",
                    f"受试者 {u}：ADSL.{var} 为空；EX 中{what_zh}日期为 {sdtm}"))
            elif lo <= d <= hi:
                item.count(var, True)
            else:
                gap = int(d - hi) if d > hi else int(d - lo)
                item.disagree_with(Disagreement(
                    "ADSL", u, f"{var}={iso(d)}", var, iso(d), sdtm, f"{var.lower()}_differs",
                    f"Subject {u}: ADSL.{var}={iso(d)}, the {what_en} in EX is {sdtm} ({gap:+d} days)",
                    f"受试者 {u}：ADSL.{var}={iso(d)}，EX 中{what_zh}日期为 {sdtm}（相差 {gap:+d} 天）"))
    _explain_open_records(item, open_last)
    return item


def _open_last_records(sub: Submission) -> dict[str, tuple[float, float]]:
    """Subjects whose last administration in EX has no EXENDTC: (its EXSTDTC day, the latest EXENDTC day or NaN)."""
    ex = sub.study.exposure
    if ex.empty:
        return {}
    ex = ex[ex["USUBJID"].isin(sub.study.dosed)]
    out = {}
    for u, g in ex.groupby("USUBJID", sort=False):
        end = g["END_HI"].to_numpy(dtype=float)
        start = g["START_HI"].to_numpy(dtype=float)
        last = np.where(np.isnan(end), start, end)
        last_any = np.nanmax(last) if (~np.isnan(last)).any() else np.nan
        open_starts = start[np.isnan(end) & ~np.isnan(start)]
        if len(open_starts) and open_starts.max() == last_any:
            out[u] = (float(last_any), float(np.nanmax(end)) if (~np.isnan(end)).any() else np.nan)
    return out


def _explain_open_records(item: ItemResult, open_last: dict[str, tuple[float, float]]) -> None:
    """A TRTEDT disagreement where EX's last record has no end date and ADaM took the latest EXENDTC (or left
    TRTEDT blank when no record has one): the reason is the open record, said so."""
    for k, d in enumerate(item.disagreements):
        if d.variable != "TRTEDT" or d.usubjid not in open_last:
            continue
        start, latest_end = open_last[d.usubjid]
        adam_day = None if d.adam is None else float(np.datetime64(d.adam, "D").astype("int64"))
        same = (adam_day is None and np.isnan(latest_end)) or (adam_day is not None and adam_day == latest_end)
        if not same:
            continue
        en = (f"Subject {d.usubjid}: ADSL.TRTEDT={d.adam or BLANK}, but the last administration in EX started "
              f"{iso(start)} and has no EXENDTC: ADaM's TRTEDT takes only records with an end date "
              + (f"(latest EXENDTC {iso(latest_end)})" if not np.isnan(latest_end) else "(none has one)"))
        zh = (f"受试者 {d.usubjid}：ADSL.TRTEDT={d.adam or BLANK}，但 EX 中末次给药开始于 {iso(start)} 且无 EXENDTC："
              f"ADaM 的 TRTEDT 仅取有结束日期的记录"
              + (f"（最晚 EXENDTC 为 {iso(latest_end)}）" if not np.isnan(latest_end) else "（均无结束日期）"))
        item.disagreements[k] = Disagreement(d.dataset, d.usubjid, d.record, d.variable, d.adam, d.sdtm,
                                             "trtedt_open_record", en, zh)


# -- REC-005 ---------------------------------------------------------------------------------------------------

EOS_EXPECTED = {"completed": ("COMPLETED", "完成"), "discontinued": ("DISCONTINUED", "中止"),
                "ongoing": ("ONGOING", "进行中")}


def end_of_study(sub: Submission) -> ItemResult:
    """REC-005: DTHFL against deaths in DM/DS/AE; EOSSTT against the DS disposition of enrolled subjects."""
    adsl, _, na = adsl_subjects(sub, "REC-005")
    if na is not None:
        return na
    item = ItemResult("REC-005")
    both = _both(sub, adsl)
    for var, compare in (("DTHFL", _dthfl), ("EOSSTT", _eosstt)):
        _compare_if_present(var, compare, sub, item, adsl, both)
    return item


def _dthfl(sub: Submission, item: ItemResult, adsl: pd.DataFrame, both: list[str]) -> None:
    deaths = sub.study.deaths
    for u, shown, adam in _flag_disagreements(sub, item, adsl, both, "DTHFL", "DIED"):
        if adam:
            item.disagree_with(Disagreement(
                "ADSL", u, f"DTHFL={shown}", "DTHFL", shown, "no death in DM, DS or AE", "dthfl_no_death",
                f"Subject {u}: ADSL.DTHFL={shown}, but no death is recorded in DM, DS or AE",
                f"受试者 {u}：ADSL.DTHFL={shown}，但 DM、DS、AE 中均无死亡记录"))
        else:
            rows = deaths[deaths["USUBJID"] == u]
            where = ", ".join(f"{r.SOURCE} {r.DATE}" if isinstance(r.DATE, str) else str(r.SOURCE)
                              for r in rows.itertuples())
            item.disagree_with(Disagreement(
                "ADSL", u, f"DTHFL={shown}", "DTHFL", shown, f"died ({where})", "dthfl_death_missed",
                f"Subject {u}: ADSL.DTHFL={shown}, but a death is recorded ({where})",
                f"受试者 {u}：ADSL.DTHFL={shown}，但有死亡记录（{where}）"))


def _eosstt(sub: Submission, item: ItemResult, adsl: pd.DataFrame, both: list[str]) -> None:
    subj = sub.study.subjects
    vocab = sub.vocab.eos_status
    skipped = 0
    for u in both:
        if not bool(subj.at[u, "ENROLLED"]):
            skipped += 1
            continue
        raw = adsl.at[u, "EOSSTT"]
        shown = text(raw) or BLANK
        got = vocab.category(raw)
        expected = "completed" if subj.at[u, "COMPLETED"] else "discontinued" if subj.at[u, "DISCONTINUED"] \
            else "ongoing"
        decod = subj.at[u, "DISPOSITION"]
        ds_text = f"{EOS_EXPECTED[expected][0]} (DS {decod})" if isinstance(decod, str) else \
            f"{EOS_EXPECTED[expected][0]} (no disposition event in DS)"
        if got == expected or (got is None and text(raw) is None and expected == "ongoing"):
            item.count("EOSSTT", True)
            continue
        if got is None and text(raw) is not None:
            kind, en, zh = ("eosstt_unknown_value", f"ADSL.EOSSTT={shown} is outside the eos_status vocabulary of the "
                                                    f"rules file; DS gives {ds_text}",
                            f"ADSL.EOSSTT={shown} 不在规则文件的 eos_status 词表中；DS 为 {ds_text}")
        else:
            kind, en, zh = (f"eosstt_{expected}", f"ADSL.EOSSTT={shown}, DS gives {ds_text}",
                            f"ADSL.EOSSTT={shown}，DS 为 {ds_text}")
        item.disagree_with(Disagreement("ADSL", u, f"EOSSTT={shown}", "EOSSTT", shown, ds_text, kind,
                                        f"Subject {u}: {en}", f"受试者 {u}：{zh}"))
    item.not_compared += skipped
    if skipped:
        item.note(f"EOSSTT not compared for {skipped} subject(s) never enrolled (screen failures)",
                  f"{skipped} 名未入组受试者（筛选失败）未比较 EOSSTT")
