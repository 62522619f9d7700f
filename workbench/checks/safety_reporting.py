"""Safety controls in time (G-2.1.3c, G-4.2.1): SAF-010 (enrolment and dosing paused after a stopping rule was met)
and SAF-011 (serious adverse events reported within the rules' limit)."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..dates import parse_dtc
from ..findings import Element
from ..study.stopping import stopping_rules as evaluate_stopping_rules
from .helpers import MAX_PER_COLUMN, col, day_text, docs_of, examples, ids, listing, need, num, rec_key
from .registry import NotApplicable, check

F = Element.SAFETY


def _dated_docs(sub, doctype: str) -> pd.DataFrame:
    """Index rows of one DOCTYPE with LO / HI day numbers of DATE (NaN when blank or malformed)."""
    d = docs_of(sub, doctype)
    if len(d) == 0:
        return d.assign(LO=pd.Series(dtype=float), HI=pd.Series(dtype=float))
    p = parse_dtc(col(d, "DATE"))
    return d.assign(LO=p.lo, HI=p.hi)


@check("SAF-010", F, "major", "G-2.1.3c", "Enrolment and dosing paused after a stopping rule was met",
       "触发停止规则后暂停入组和给药直至完成评估")
def paused_after_stopping_rule(sub, out):
    """After a stopping rule was met (the onset of the event that reached its threshold), a subject consented
    (enrolled) or was dosed before the date of the STOPPING_RULE_REVIEW document (or with no review at all)."""
    if not sub.m.study.stopping_rules:
        return NotApplicable("no stopping rules declared (SAF-005 reports a first-in-human study without them)",
                             "未申报停止规则（首次人体试验未申报时由 SAF-005 报告）")
    met = [r for r in evaluate_stopping_rules(sub) if r["met"] and r.get("met_event")]
    if not met:
        return None
    reviews = _dated_docs(sub, "STOPPING_RULE_REVIEW")
    ex = sub.study.exposure
    if len(ex):
        given = (ex["DOSE_RAW"] > 0).to_numpy() | ex["CONTROL"].to_numpy(dtype=bool)
        ex = ex[given & ex["USUBJID"].notna().to_numpy()]
    subj = sub.study.subjects
    enrolled = subj[subj["ENROLLED"].to_numpy(dtype=bool)] if len(subj) else subj
    for r in met:
        ev = r["met_event"]
        m = ev["day"]
        after = reviews[reviews["LO"] >= m] if len(reviews) else reviews
        review_day = float(after["LO"].min()) if len(after) else np.inf
        if len(after):
            first = after.sort_values("LO").iloc[0]
            rev_en = f"before its evaluation (STOPPING_RULE_REVIEW {first.get('DOCID') or '—'} dated {first['DATE']})"
            rev_zh = f"且早于其评估（STOPPING_RULE_REVIEW {first.get('DOCID') or '—'}，日期 {first['DATE']}）"
        else:
            rev_en = "with no STOPPING_RULE_REVIEW document dated after it"
            rev_zh = "且其后无 STOPPING_RULE_REVIEW 评估文件"
        seq = f", AESEQ={num(ev['aeseq'])}" if ev.get("aeseq") is not None else ""
        nth = r["threshold"]
        suffix = "th" if 10 <= nth % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(nth % 10, "th")
        when_en = (f"stopping rule {r['id']} was met on {day_text(m)} (subject {ev['usubjid']}{seq}, "
                   f"'{ev.get('term') or '—'}': the {nth}{suffix} subject meeting it"
                   f"{' in ' + ev['cohort'] if r['scope'] == 'cohort' else ''})")
        when_zh = (f"停止规则 {r['id']} 于 {day_text(m)} 触发（受试者 {ev['usubjid']}{seq}，“{ev.get('term') or '—'}”，"
                   f"第 {r['threshold']} 名符合条件的受试者{'，' + ev['cohort'] + ' 组' if r['scope'] == 'cohort' else ''}）")
        events: dict[str, list[tuple[str, str]]] = {}
        if len(ex):
            hit = (ex["START_LO"] > m) & (ex["START_HI"] < review_day)
            keys = rec_key(ex, "EX", hit.to_numpy())
            for u, key, lo, hi in zip(ex.loc[hit, "USUBJID"], keys, ex.loc[hit, "START_LO"], ex.loc[hit, "START_HI"]):
                events.setdefault(u, []).append((f"dosed on {day_text(lo, hi)} (EX {key})",
                                                 f"{day_text(lo, hi)} 给药（EX {key}）"))
        if len(enrolled):
            hit = (enrolled["CONSENT_LO"].astype(float) > m) & (enrolled["CONSENT_HI"].astype(float) < review_day)
            for u, text in zip(enrolled.index[hit.to_numpy()], enrolled.loc[hit, "CONSENT_TEXT"]):
                events.setdefault(u, []).insert(0, (f"enrolled (consent {text})", f"入组（知情同意 {text}）"))
        subjects = sorted(events)
        record = f"RULE={r['id']}"
        if len(subjects) > MAX_PER_COLUMN:
            ex_en, ex_zh = listing(subjects, 6), listing(subjects, 6, sep="、")
            out.add("major", f"{len(subjects)} subjects were enrolled or dosed after {when_en}, {rev_en} ({ex_en})",
                    f"{len(subjects)} 名受试者在{when_zh}之后{rev_zh}入组或给药（{ex_zh}）", domain="EX", record=record)
            continue
        for u in subjects:
            out.add("major", f"Subject {u} was {' and '.join(e[0] for e in events[u])} after {when_en}, {rev_en}: "
                             "enrolment and dosing should pause until the rule is evaluated",
                    f"受试者 {u} 在{when_zh}之后{rev_zh}{'、'.join(e[1] for e in events[u])}：在完成评估前应暂停入组和给药",
                    domain="EX", usubjid=u, record=record)
    return None


@check("SAF-011", F, "major", "G-4.2.1", "Serious adverse events reported in time", "严重不良事件及时报告")
def sae_reported_in_time(sub, out):
    """A serious TEAE whose subject's SAE_REPORT documents include none dated within the rules' reporting limit
    (``sae_report_days`` after onset; default 1 day), or only undated ones. Subjects with no SAE_REPORT at all are
    SAF-003's finding."""
    if (na := need(sub, "AE", "SAF-001")) is not None:
        return na
    if sub.documents is None:
        return NotApplicable("no documents index (SAF-003 reports the missing SAE reports)",
                             "无文件索引（缺少 SAE 报告由 SAF-003 报告）")
    limit = sub.study.parameters.sae_report_days
    ae = sub.study.adverse_events
    if len(ae) == 0:
        return None
    ser = ae[(ae["SERIOUS"] & ae["TEAE"]).to_numpy(dtype=bool) & ae["USUBJID"].notna().to_numpy()]
    if ser.empty:
        return None
    reports = _dated_docs(sub, "SAE_REPORT")
    by_subject = {u: g for u, g in reports.groupby("USUBJID_N")} if len(reports) else {}
    subject_ids = ids(ser["USUBJID"])
    keys = rec_key(ae, "AE", ae.index.isin(ser.index))
    late_rows = []
    for idx, u, uid, lo, hi, text in zip(ser.index, ser["USUBJID"], subject_ids, ser["START_LO"], ser["START_HI"],
                                         col(ser, "AESTDTC")):
        reps = by_subject.get(uid)
        if reps is None or lo != lo:      # no report at all (SAF-003), or onset unknown (SAF-001 / TRC-003)
            continue
        dated = reps[reps["LO"].notna()]
        # a report that may fall within [onset, onset + limit] (partial dates: any overlap is in time)
        in_time = dated[(dated["HI"] >= lo) & (dated["LO"] <= hi + limit)]
        if len(in_time):
            continue
        later = dated[dated["LO"] > hi + limit].sort_values("LO")
        undated = reps[reps["LO"].isna()]
        if len(later):
            d = later.iloc[0]
            delay = int(d["LO"] - hi)
            what_en = f"the first SAE_REPORT after onset ({d.get('DOCID') or '—'}) is dated {d['DATE']}, {delay} days later"
            what_zh = f"发病后的首份 SAE_REPORT（{d.get('DOCID') or '—'}）日期为 {d['DATE']}，晚 {delay} 天"
        elif len(undated):
            what_en = f"its SAE_REPORT ({listing(undated['DOCID'].astype(str).tolist(), 3)}) is undated"
            what_zh = f"其 SAE_REPORT（{listing(undated['DOCID'].astype(str).tolist(), 3, sep='、')}）无日期"
        else:
            what_en = (f"no SAE_REPORT is dated on or after the onset (the subject's reports: "
                       f"{listing(dated['DATE'].astype(str).tolist(), 3)})")
            what_zh = f"无发病当日或之后日期的 SAE_REPORT（该受试者的报告日期：{listing(dated['DATE'].astype(str).tolist(), 3, sep='、')}）"
        term = ser.at[idx, "AEDECOD"] if "AEDECOD" in ser.columns and isinstance(ser.at[idx, "AEDECOD"], str) \
            else col(ser, "AETERM").get(idx)
        late_rows.append((u, keys.at[idx], term, text, what_en, what_zh))
    if not late_rows:
        return None
    lim_en, lim_zh = f"within {limit} day(s) of onset (rules: sae_report_days)", f"发病后 {limit} 天内（审评规则 sae_report_days）"
    if len(late_rows) > MAX_PER_COLUMN:
        ex_en, ex_zh = examples([r[1] for r in late_rows], [r[0] for r in late_rows])
        subjects = sorted({r[0] for r in late_rows})
        out.add("major", f"{len(late_rows)} serious adverse events of {len(subjects)} subjects have no SAE report "
                         f"{lim_en} (e.g. {ex_en})",
                f"{len(subjects)} 名受试者的 {len(late_rows)} 例严重不良事件无{lim_zh}的 SAE 报告（例如 {ex_zh}）",
                domain="AE", record="DOCTYPE=SAE_REPORT")
        return None
    for u, key, term, text, what_en, what_zh in late_rows:
        out.add("major", f"Subject {u}, AE {key}: serious adverse event '{term}' (onset {text}) not reported "
                         f"{lim_en}: {what_en}",
                f"受试者 {u}，AE {key}：严重不良事件“{term}”（发生于 {text}）未在{lim_zh}报告：{what_zh}",
                domain="AE", usubjid=u, record=key)
    return None
