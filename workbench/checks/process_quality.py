"""Process and quality consistency (G-4.1.1, G-2.3.2d, G-2.1.4a): CMC-001 .. CMC-006."""
from __future__ import annotations

import re

import pandas as pd

from ..findings import Element
from ..memo import memo
from ..units import to_number
from .helpers import (
    administered_lots,
    col,
    docs_of,
    listing,
    lot_subject,
    norm,
    num,
    pct,
)
from .registry import NotApplicable, check

Q = Element.PROCESS_QUALITY
SAFETY_ATTRIBUTES = ("STERILITY", "MYCOPLASMA", "ENDOTOXIN")
KNOWN_ATTRIBUTES = ("VIABILITY", "CELL_COUNT", "CD73", "CD90", "CD105", "CD34", "CD45", "HLA_DR", "STERILITY",
                    "MYCOPLASMA", "ENDOTOXIN", "KARYOTYPE", "RESIDUAL_UNDIFF", "POTENCY")
NEGATIVE = {"NEGATIVE", "NOT DETECTED", "NO GROWTH", "ABSENT", "NEG", "阴性", "未检出", "无菌生长"}
NOT_DONE = {"N/A", "NA", "NOT DONE", "ND", "NOT TESTED", "NT", "-", "—", "PENDING"}
FAILED = {"FAILED", "REJECTED"}
SIGMA = 3.0      # CMC-004 quality range: mean ± 3 SD of the clinical lots (analyses.md "Process and quality")
MIN_LOTS = 3     # fewest clinical lots with a numeric result for a range to be computed
_BOUND = re.compile(r"^\s*(?P<op><=|>=|<|>|≤|≥)\s*(?P<v>[-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)")


def _no_lots(sub) -> NotApplicable | None:
    if len(administered_lots(sub)):
        return None
    return NotApplicable("no administered lots in EX.EXLOT (see ADM-001 / ADM-003)",
                         "EX.EXLOT 中无给药批号（见 ADM-001 / ADM-003）")


def _lots_text(subjects: list) -> tuple[str, str]:
    return listing(subjects), listing(subjects, sep="、")


@memo
def judged_tests(sub) -> pd.DataFrame:
    """release_tests.csv with LOT, ATTR, VALUE (number; '<x' read as x), OP, JUDGED and OOS flags."""
    rt = sub.release_tests
    if rt is None:
        return pd.DataFrame(columns=["LOT", "ATTR", "VALUE", "OOS", "JUDGED", "TESTED"])
    rt = rt.copy()
    rt["LOT"] = norm(col(rt, "LOTID"))
    rt["ATTR"] = norm(col(rt, "ATTRIBUTE"))
    raw = col(rt, "RESULT")
    text = norm(raw)
    text = text.where(~text.isin(NOT_DONE), None)  # 'N/A', 'NOT DONE' …: untested, not a result
    value = to_number(raw.where(text.notna(), None))
    bound = text.fillna("").str.extract(_BOUND)
    op = bound["op"].replace({"≤": "<=", "≥": ">="})
    value = value.where(value.notna(), pd.to_numeric(bound["v"], errors="coerce"))
    low, high = to_number(col(rt, "SPEC_LOW")), to_number(col(rt, "SPEC_HIGH"))
    spec_text = norm(col(rt, "SPEC_TEXT"))
    numeric = value.notna() & (low.notna() | high.notna())
    upper_only = op.isin(["<", "<="])  # '<0.5': the true value is at most 0.5
    lower_only = op.isin([">", ">="])
    # out of specification unless the result certainly lies within the limits
    below = low.notna() & ((value < low) | (upper_only & (value <= low)))
    above = high.notna() & ((value > high) | (lower_only & (value >= high)))
    neg_equiv = text.isin(NEGATIVE) & spec_text.isin(NEGATIVE)
    text_judged = ~numeric & spec_text.notna() & text.notna()
    text_oos = text_judged & (text != spec_text) & ~neg_equiv
    rt["VALUE"] = value
    rt["OP"] = op
    rt["TESTED"] = text.notna()
    rt["JUDGED"] = numeric | text_judged
    rt["OOS"] = (numeric & (below | above)) | text_oos
    return rt


def _spec(r) -> str:
    lo, hi, txt = r.get("SPEC_LOW"), r.get("SPEC_HIGH"), r.get("SPEC_TEXT")
    has = lambda v: v is not None and v == v and str(v).strip() != ""  # noqa: E731
    if has(lo) and has(hi):
        return f"{lo}–{hi}"
    if has(lo):
        return f"≥ {lo}"
    if has(hi):
        return f"≤ {hi}"
    return str(txt) if has(txt) else "—"


@check("CMC-001", Q, "critical", "G-4.1.1", "Batch record for every administered lot", "每个给药批次均有批记录")
def batch_records(sub, out):
    """Administered lot (EXLOT) without a batch record in cmc/batches.csv, or batches missing while EX has lots."""
    if (na := _no_lots(sub)) is not None:
        return na
    lots = administered_lots(sub)
    if sub.batches is None:
        out.add("critical", f"cmc/batches.csv is missing while EX lists {len(lots)} administered lot(s) "
                            f"({listing(lots['RAW'].tolist())}): production records cannot be traced",
                f"缺少 cmc/batches.csv，而 EX 中有 {len(lots)} 个给药批号（{listing(lots['RAW'].tolist(), sep='、')}）：无法追溯生产记录",
                domain="EX")
        return None
    known = set(norm(col(sub.batches, "LOTID")).dropna())
    for _, r in lots[~lots["LOT"].isin(known)].iterrows():
        s_en, s_zh = _lots_text(r.SUBJECTS)
        out.add("critical", f"Lot {r.RAW} was administered (EX, subjects {s_en}) but has no batch record in cmc/batches.csv",
                f"批号 {r.RAW} 已给药（EX，受试者 {s_zh}），但 cmc/batches.csv 中无该批记录",
                domain="EX", usubjid=lot_subject(r), record=f"LOTID={r.RAW}")
    return None


@check("CMC-002", Q, "critical / major", "G-4.1.1", "Administered lots released and within specification",
       "给药批次已放行且符合质量标准")
def lots_in_spec(sub, out):
    """Administered lot not RELEASED or out of spec on STERILITY/MYCOPLASMA/ENDOTOXIN (critical); other OOS or known attribute untested (major)."""
    if (na := _no_lots(sub)) is not None:
        return na
    lots = administered_lots(sub)
    raw_of = dict(zip(lots["LOT"], lots["RAW"], strict=True))
    subj_of = {r.LOT: lot_subject(r) for _, r in lots.iterrows()}
    if sub.batches is not None:
        b = sub.batches.assign(LOT=norm(col(sub.batches, "LOTID")), ST=norm(col(sub.batches, "STATUS")))
        b = b[b["LOT"].isin(raw_of)].drop_duplicates("LOT")
        for _, r in b[b["ST"] != "RELEASED"].iterrows():
            st = r.ST or "blank"
            out.add("critical", f"Lot {raw_of[r.LOT]} was administered but its batch STATUS is {st}, not RELEASED",
                    f"批号 {raw_of[r.LOT]} 已给药，但批状态为 {st}，而非 RELEASED（已放行）",
                    domain="EX", usubjid=subj_of[r.LOT], record=f"LOTID={raw_of[r.LOT]}")
    if sub.release_tests is None:
        out.add("major", f"cmc/release_tests.csv is missing: the {len(lots)} administered lot(s) have no release test results",
                f"缺少 cmc/release_tests.csv：{len(lots)} 个给药批次均无放行检验结果", domain="EX")
        return None
    rt = judged_tests(sub)
    mine = rt[rt["LOT"].isin(raw_of)]
    oos = mine[mine["OOS"]]
    for _, r in oos.iterrows():
        safety = r.ATTR in SAFETY_ATTRIBUTES
        sev = "critical" if safety else "major"
        kind_en = "safety attribute " if safety else ""
        kind_zh = "安全性指标" if safety else "指标"
        out.add(sev, f"Lot {raw_of[r.LOT]}: {kind_en}{r.ATTR} result {r.RESULT} {r.get('UNIT') or ''} is out of "
                     f"specification ({_spec(r)})".replace("  ", " "),
                f"批号 {raw_of[r.LOT]}：{kind_zh} {r.ATTR} 结果 {r.RESULT} {r.get('UNIT') or ''} 不符合质量标准（{_spec(r)}）"
                .replace("  ", " "), domain="EX", usubjid=subj_of[r.LOT], record=f"LOTID={raw_of[r.LOT]}")
    known = set(rt["ATTR"].dropna()) & set(KNOWN_ATTRIBUTES) | set(SAFETY_ATTRIBUTES)
    tested = set(map(tuple, mine.loc[mine["TESTED"], ["LOT", "ATTR"]].to_numpy().tolist()))
    for lot in sorted(raw_of):
        missing = sorted(a for a in known if (lot, a) not in tested)
        if missing:
            out.add("major", f"Lot {raw_of[lot]}: release attribute(s) not tested: {', '.join(missing)}",
                    f"批号 {raw_of[lot]}：以下放行检验项目未检测：{'、'.join(missing)}",
                    domain="EX", usubjid=subj_of[lot], record=f"LOTID={raw_of[lot]}")
    return None


@check("CMC-003", Q, "critical", "G-4.1.1, G-2.3.2d", "Clinical lots made by the commercial process or shown comparable",
       "临床批次采用拟上市工艺或已证明可比")
def process_comparability(sub, out):
    """Administered lot of a process version other than commercial_process_version, without a COMPARABILITY_REPORT."""
    if (na := _no_lots(sub)) is not None:
        return na
    cpv = sub.m.product.commercial_process_version
    if not cpv:
        return NotApplicable("commercial_process_version not declared", "未申报拟上市工艺版本（commercial_process_version）")
    if sub.batches is None:
        return NotApplicable("cmc/batches.csv missing (reported by CMC-001)", "缺少 cmc/batches.csv（由 CMC-001 报告）")
    if len(docs_of(sub, "COMPARABILITY_REPORT")):
        return None
    lots = administered_lots(sub)
    b = sub.batches.assign(LOT=norm(col(sub.batches, "LOTID")), PV=norm(col(sub.batches, "PROCVER")))
    b = b[b["LOT"].isin(set(lots["LOT"]))].drop_duplicates("LOT")
    other = b[b["PV"] != str(cpv).strip().upper()]
    lots = lots.set_index("LOT")
    for lot, pv in zip(other["LOT"], other["PV"], strict=True):
        r = lots.loc[lot]
        s_en, s_zh = _lots_text(r.SUBJECTS)
        pv = pv or "not recorded"
        out.add("critical", f"Lot {r.RAW} (subjects {s_en}) was made with process version {pv}, not the commercial "
                            f"process {cpv}, and there is no COMPARABILITY_REPORT",
                f"批号 {r.RAW}（受试者 {s_zh}）采用工艺版本 {pv}，而非拟上市工艺 {cpv}，且无 COMPARABILITY_REPORT（可比性研究报告）",
                domain="EX", usubjid=r.SUBJECTS[0] if len(r.SUBJECTS) == 1 else None, record=f"LOTID={r.RAW}")
    return None


@check("CMC-004", Q, "major / info", "G-4.1.1", "Quality attributes consistent between process versions",
       "不同工艺版本间质量属性一致")
def attribute_drift(sub, out):
    """Commercial-process lots outside the clinical lots' mean ± 3 SD for a numeric attribute (major); per-attribute summary (info)."""
    if sub.release_tests is None:
        return NotApplicable("cmc/release_tests.csv missing (reported by CMC-002)", "缺少 cmc/release_tests.csv（由 CMC-002 报告）")
    if (na := _no_lots(sub)) is not None:
        return na
    rt = judged_tests(sub)
    clinical = set(administered_lots(sub)["LOT"])
    vals = rt[rt["VALUE"].notna() & rt["ATTR"].notna()]
    clin = vals[vals["LOT"].isin(clinical)]
    stats = clin.groupby("ATTR")["VALUE"].agg(["count", "mean", "std"])
    if stats.empty:
        return None
    cpv = sub.m.product.commercial_process_version
    comm = pd.DataFrame(columns=vals.columns)
    if cpv and sub.batches is not None:
        b = sub.batches
        ok = (norm(col(b, "PROCVER")) == str(cpv).strip().upper()) & ~norm(col(b, "STATUS")).isin(FAILED)
        comm = vals[vals["LOT"].isin(set(norm(col(b, "LOTID"))[ok].dropna()))]
    for attr, s in stats.iterrows():
        n, mean, sd = int(s["count"]), s["mean"], s["std"]
        if n < MIN_LOTS or not sd > 0:
            out.add("info", f"{attr}: {n} clinical lot(s), mean {num(mean)}; too few lots or no spread for a ±{SIGMA:g} SD range",
                    f"{attr}：临床批次 {n} 个，均值 {num(mean)}；批次太少或无变异，无法计算 ±{SIGMA:g} SD 范围", record=f"ATTRIBUTE={attr}")
            continue
        lo, hi = mean - SIGMA * sd, mean + SIGMA * sd
        c = comm[comm["ATTR"] == attr]
        outside = c[(c["VALUE"] < lo) | (c["VALUE"] > hi)]
        for _, r in outside.iterrows():
            out.add("major", f"Lot {r.LOTID} (commercial process {cpv}): {attr} {num(r.VALUE)} is outside the clinical lots' "
                             f"range {num(lo)}–{num(hi)} (mean {num(mean)} ± {SIGMA:g} SD, {n} lots)",
                    f"批号 {r.LOTID}（拟上市工艺 {cpv}）：{attr} {num(r.VALUE)} 超出临床批次范围 {num(lo)}–{num(hi)}"
                    f"（均值 {num(mean)} ± {SIGMA:g} SD，{n} 批）", record=f"LOTID={r.LOTID}")
        cm_en = f"; commercial-process lots: {c['LOT'].nunique()}, outside: {outside['LOT'].nunique()}" if cpv else ""
        cm_zh = f"；拟上市工艺批次 {c['LOT'].nunique()} 个，超出范围 {outside['LOT'].nunique()} 个" if cpv else ""
        out.add("info", f"{attr}: clinical lots n={n}, mean {num(mean)}, SD {num(sd)}, range {num(lo)}–{num(hi)}{cm_en}",
                f"{attr}：临床批次 n={n}，均值 {num(mean)}，SD {num(sd)}，范围 {num(lo)}–{num(hi)}{cm_zh}",
                record=f"ATTRIBUTE={attr}")
    return None


@check("CMC-005", Q, "info / major", "G-2.1.4a", "Manufacturing failures counted and explained", "生产失败的统计与原因")
def manufacturing_failures(sub, out):
    """Lots FAILED or REJECTED: count, failure rate and reasons (info); FAILREASON missing for a lot not RELEASED (major)."""
    b = sub.batches
    if b is None:
        return NotApplicable("cmc/batches.csv missing", "缺少 cmc/batches.csv")
    lot = norm(col(b, "LOTID"))
    st = norm(col(b, "STATUS"))
    reason = col(b, "FAILREASON")
    failed = st.isin(FAILED)
    n, k = int(lot.notna().sum()), int(failed.sum())
    reasons = reason[failed].fillna("(no reason)").astype(str).value_counts()
    r_en = "; reasons: " + ", ".join(f"{x} ({c})" for x, c in reasons.items()) if k else ""
    r_zh = "；原因：" + "、".join(f"{x}（{c}）" for x, c in reasons.items()) if k else ""
    out.add("info", f"{k} of {n} manufactured lots FAILED or REJECTED (failure rate {pct(k, n)}){r_en}",
            f"{n} 个生产批次中 {k} 个失败或被拒收（失败率 {pct(k, n)}）{r_zh}")
    need_reason = (st != "RELEASED") & ~reason.notna() & lot.notna()
    for i in b.index[need_reason.to_numpy()]:
        raw = b.at[i, "LOTID"]
        s = st.at[i] or "blank"
        out.add("major", f"Lot {raw}: STATUS {s} without FAILREASON", f"批号 {raw}：状态为 {s}，但未填写 FAILREASON（失败原因）",
                record=f"LOTID={raw}")
    return None


@check("CMC-006", Q, "major", "G-4.1.1", "Release certificate for every administered lot", "每个给药批次均有放行证书")
def release_certificates(sub, out):
    """Administered lot without a BATCH_RELEASE_CERT document."""
    if (na := _no_lots(sub)) is not None:
        return na
    lots = administered_lots(sub)
    certs = set(docs_of(sub, "BATCH_RELEASE_CERT")["LOTID_N"].dropna())
    for _, r in lots[~lots["LOT"].isin(certs)].iterrows():
        out.add("major", f"Lot {r.RAW} was administered but has no BATCH_RELEASE_CERT document",
                f"批号 {r.RAW} 已给药，但无 BATCH_RELEASE_CERT（批放行证书）文件",
                domain="EX", usubjid=lot_subject(r), record=f"LOTID={r.RAW}")
    return None
