"""T3 (preliminary efficacy; confirmatory trial needed, G-4.2.3) and T2 (preliminary safety; extend
exploratory trials, G-4.2.2)."""
from __future__ import annotations

from .criterion import Context, Criterion, criterion, na, pct, share_verdict
from .t4 import efficacy


@criterion("T3.efficacy_signal")
def t3_efficacy_signal(c: Context) -> Criterion:
    cid = "T3.efficacy_signal"
    need_en, need_zh = "an efficacy signal on the primary endpoint (95% CI excluding 0 on the favourable side)", \
        "主要终点有效性信号（95% CI 在有利方向上不含 0）"
    eff, comp, desc_en, desc_zh = efficacy(c)
    if eff is None:
        return na(cid, "not evaluable: no efficacy analysis (analyses.efficacy)", "无法评价：缺少有效性分析结果（analyses.efficacy）",
                   need_en, need_zh, signal=None)
    signal = eff.signal
    reason = f" ({eff.reason})" if eff.reason else ""
    if signal is True:
        return Criterion(cid, True, f"efficacy signal: {desc_en}", f"有有效性信号：{desc_zh}", values={"signal": True})
    if signal is False:
        return Criterion(cid, False, f"no efficacy signal: {desc_en}{reason}", f"无有效性信号：{desc_zh}{reason}",
                         values={"signal": False}, need_en=need_en, need_zh=need_zh)
    return na(cid, f"not evaluable: efficacy signal not determined{reason}", f"无法评价：未能判定有效性信号{reason}",
               need_en, need_zh, signal=None)


@criterion("T3.dosed_subjects")
def t3_dosed_subjects(c: Context) -> Criterion:
    cid = "T3.dosed_subjects"
    need = c.rules.t3_min_dosed
    need_en, need_zh = f"≥ {need} dosed subjects in the arm(s) showing the efficacy signal", \
        f"显示有效性信号的组别给药受试者 ≥ {need} 例"
    eff, comp, _, _ = efficacy(c)
    if comp is None:
        return na(cid, "not evaluable: no primary efficacy comparison (analyses.efficacy.comparison)",
                   "无法评价：缺少主要有效性比较结果（analyses.efficacy.comparison）", need_en, need_zh, threshold=need)
    if c.arms is None:
        return na(cid, "not evaluable: dosed subjects per arm not available (analyses.exposure)",
                   "无法评价：缺少各组给药人数（analyses.exposure）", need_en, need_zh, threshold=need)
    ctrl = c.control_arms()
    arms_in = comp.arms
    if arms_in:
        names = [str(a) for a in arms_in if str(a) not in ctrl]
        how_en, how_zh = "arm(s) in the comparison", "比较中的试验组"
    else:
        names = [a.arm for a in c.arms if not a.control]
        how_en, how_zh = "all active arms (comparison arms not given)", "全部试验组（比较未列出组别）"
    by = {a.arm: a.dosed for a in c.arms}
    unknown = [n for n in names if by.get(n) is None]
    if unknown or not names:
        return na(cid, f"not evaluable: dosed count unknown for {', '.join(unknown) or 'the signal arms'}",
                   f"无法评价：{'、'.join(unknown) or '信号组别'}给药人数未知", need_en, need_zh, threshold=need)
    total = sum(by[n] for n in names)
    per = ", ".join(f"{n} {by[n]}" for n in names)
    values = {"arms": names, "dosed": total, "threshold": need}
    if total >= need:
        return Criterion(cid, True, f"{total} dosed subjects ≥ {need} in {how_en}: {per}",
                         f"{how_zh}给药受试者 {total} 例 ≥ {need}：{per}", values=values)
    return Criterion(cid, False, f"{total} dosed subjects < {need} in {how_en}: {per}",
                     f"{how_zh}给药受试者 {total} 例 < {need}：{per}", values=values,
                     need_en=f"{need_en} (now {total})", need_zh=f"{need_zh}（当前 {total} 例）")


def _window_counts(c: Context, active_only: bool = False) -> tuple[int, int, str] | None:
    """(followed for the window, dosed, source) over all arms with dosed subjects (``active_only``: the arms
    given the product, not control); the DLT-evaluable n of the active arms as a fallback when there is no
    follow-up analysis."""
    arms = c.inputs.follow_up
    if arms and active_only:
        arms = [r for r in arms if not r.control]
        if not arms:   # every arm with follow-up is a control arm: nobody was given the product
            return 0, 0, "follow_up"
    if arms:
        fw = [r.followed_window for r in arms]
        d = [r.dosed for r in arms]
        if all(x is not None for x in fw) and all(x is not None for x in d):
            return sum(fw), sum(d), "follow_up"
    levels = c.inputs.dlt.levels if c.inputs.dlt is not None else None
    if levels and c.active is not None and all(a.dosed is not None for a in c.active):
        n = [r.n for r in levels]
        if all(x is not None for x in n):
            return sum(n), sum(a.dosed for a in c.active), "dlt.levels (DLT-evaluable)"
    return None


def _window_need(who_en: str, who_zh: str, window_days: int) -> tuple[str, str]:
    """What a follow-up criterion needs: ``who`` followed for the DLT window."""
    return (f"≥ {who_en} followed for the {window_days}-day DLT window",
            f"≥ {who_zh}随访满 {window_days} 天 DLT 观察期")


def _no_follow_up(cid: str, need_en: str, need_zh: str, **values) -> Criterion:
    return na(cid, "not evaluable: no follow-up per arm (analyses.follow_up)",
              "无法评价：缺少各组随访结果（analyses.follow_up）", need_en, need_zh, **values)


@criterion("T3.safety_followup")
def t3_safety_followup(c: Context) -> Criterion:
    cid = "T3.safety_followup"
    share, w = c.rules.t3_window_share, c.window_days
    need_en, need_zh = _window_need(f"{share:.0%} of dosed subjects", f"{share:.0%} 的给药受试者", w)
    got = _window_counts(c)
    if got is None:
        return _no_follow_up(cid, need_en, need_zh, window_days=w, threshold=share)
    fw, dosed, src = got
    values = {"followed_window": fw, "dosed": dosed, "window_days": w, "threshold": share}
    if dosed == 0:
        return na(cid, "not evaluable: no dosed subject", "无法评价：无给药受试者", need_en, need_zh,
                   **values)
    values["share"] = round(fw / dosed, 4)
    note_en, note_zh = c.window_note()
    body_en = f"{fw}/{dosed} dosed subjects ({pct(fw, dosed)}) followed ≥ {w} days{note_en}"
    body_zh = f"{fw}/{dosed} 例给药受试者（{pct(fw, dosed)}）随访 ≥ {w} 天{note_zh}"
    src_en = f" [{src}]" if src != "follow_up" else ""
    return share_verdict(cid, fw, dosed, share, body_en, body_zh, values, need_en, need_zh, suffix_en=src_en)


# --------------------------------------------------------------------- T2 --

@criterion("T2.evaluable_safety")
def t2_evaluable_safety(c: Context) -> Criterion:
    cid = "T2.evaluable_safety"
    need, w = c.rules.t2_min_evaluable, c.window_days
    need_en, need_zh = _window_need(f"{need} subjects dosed with the product (active arms)",
                                    f"{need} 例接受研究产品给药（试验组）的受试者", w)
    got = _window_counts(c, active_only=True)
    if got is None:
        return _no_follow_up(cid, need_en, need_zh, window_days=w, threshold=need)
    fw, dosed, src = got
    values = {"followed_window": fw, "dosed": dosed, "window_days": w, "threshold": need, "arms": "active"}
    src_en = f" [{src}]" if src != "follow_up" else ""
    ctrl = [r for r in (c.inputs.follow_up or []) if r.control and r.followed_window]
    ctrl_en = f"; control arms not counted ({sum(r.followed_window for r in ctrl)} followed)" if ctrl else ""
    ctrl_zh = f"；对照组不计入（{sum(r.followed_window for r in ctrl)} 例随访满期）" if ctrl else ""
    note_en, note_zh = c.window_note()
    ctrl_en, ctrl_zh = ctrl_en + note_en.replace(" (", "; ").rstrip(")"), ctrl_zh + note_zh.replace("（", "；").rstrip("）")
    if fw >= need:
        return Criterion(cid, True, f"{fw} subjects dosed with the product followed ≥ {w} days ≥ {need} "
                                    f"(of {dosed} dosed in active arms{ctrl_en}){src_en}",
                         f"{fw} 例接受研究产品给药的受试者随访 ≥ {w} 天，≥ {need} 例（试验组共 {dosed} 例给药{ctrl_zh}）",
                         values=values)
    return Criterion(cid, False, f"{fw} subjects dosed with the product followed ≥ {w} days < {need} "
                                 f"(of {dosed} dosed in active arms{ctrl_en}){src_en}",
                     f"{fw} 例接受研究产品给药的受试者随访 ≥ {w} 天，< {need} 例（试验组共 {dosed} 例给药{ctrl_zh}）",
                     values=values, need_en=f"{need_en} (now {fw})", need_zh=f"{need_zh}（当前 {fw} 例）")
