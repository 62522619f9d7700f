"""Compliance and data integrity (G-4.1.2, G-2.1.1, G-2.1.3b, G-4.0): TRC-001 .. TRC-007."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..dates import parse_dtc
from ..findings import Element
from .helpers import (
    MAX_PER_COLUMN,
    coded,
    col,
    consent_record,
    cutoff,
    dates,
    day_text,
    doc_index,
    docs_of,
    listing,
    map_distinct,
    norm,
    rec_key,
    today,
    variables_against_define,
)
from .registry import NotApplicable, check

C = Element.COMPLIANCE
# SDTM datasets that have no subjects: trial design (TA, TE, TV, TI, TS, TD, TM), relationships, device ids
NO_SUBJECT_DOMAINS = frozenset({"TA", "TE", "TV", "TI", "TS", "TD", "TM", "RELREC", "POOLDEF", "DI", "OI"})
STUDY_CRITICAL = ("PROTOCOL", "CSR")
STUDY_MAJOR = ("REGISTRATION_RECORD", "IB", "ICF_TEMPLATE", "SOP_PRODUCT_HANDLING", "PRODUCT_ACCOUNTABILITY", "SAP")
SITE_MAJOR = ("INVESTIGATOR_CV", "TRAINING_RECORD", "MONITORING_REPORT")
DOC_NAMES = {
    "PROTOCOL": "protocol", "CSR": "clinical study report", "ETHICS_APPROVAL": "ethics approval",
    "ICF_SIGNED": "signed informed consent", "REGISTRATION_RECORD": "filing (备案) record",
    "IB": "investigator's brochure", "ICF_TEMPLATE": "informed consent form template",
    "INVESTIGATOR_CV": "investigator qualification", "TRAINING_RECORD": "product-handling training record",
    "SOP_PRODUCT_HANDLING": "product-handling SOP", "MONITORING_REPORT": "monitoring report",
    "PRODUCT_ACCOUNTABILITY": "product accountability records", "SAP": "statistical analysis plan",
}
DOC_NAMES_ZH = {
    "PROTOCOL": "试验方案", "CSR": "临床研究报告", "ETHICS_APPROVAL": "伦理审查批件", "ICF_SIGNED": "签署的知情同意书",
    "REGISTRATION_RECORD": "备案记录", "IB": "研究者手册", "ICF_TEMPLATE": "知情同意书模板", "INVESTIGATOR_CV": "研究者资质",
    "TRAINING_RECORD": "产品操作培训记录", "SOP_PRODUCT_HANDLING": "产品操作标准操作规程", "MONITORING_REPORT": "监查报告",
    "PRODUCT_ACCOUNTABILITY": "产品接收、储存、发放记录", "SAP": "统计分析计划",
}


def _missing_doc(out, sev, doctype, where_en="", where_zh="", **kw):
    out.add(sev, f"Essential document missing: {doctype} ({DOC_NAMES[doctype]}){where_en}",
            f"缺少必备文件：{doctype}（{DOC_NAMES_ZH[doctype]}）{where_zh}", record=f"DOCTYPE={doctype}", **kw)


@check("TRC-001", C, "critical / major", "G-4.1.2, G-2.1.3b", "Essential documents on file", "必备文件齐全")
def essential_documents(sub, out):
    """Missing PROTOCOL, ETHICS_APPROVAL per site, ICF_SIGNED per enrolled subject, CSR (critical); other essential documents (major)."""
    docs = doc_index(sub)
    if docs is None:
        out.add("critical", "documents/index.csv is missing: no essential document (protocol, ethics approval, signed "
                            "consents, CSR …) can be traced", "缺少 documents/index.csv：无法追溯任何必备文件（方案、伦理批件、"
                "签署的知情同意书、临床研究报告等）", record="PATH=documents/index.csv")
        return None
    have = set(docs["DOCTYPE_N"].dropna())
    for t in STUDY_CRITICAL:
        if t not in have:
            _missing_doc(out, "critical", t)
    for t in STUDY_MAJOR:
        if t not in have:
            _missing_doc(out, "major", t)
    subj = sub.study.subjects
    sites = sorted(set(subj["SITE"].dropna())) if len(subj) else []
    for t, sev, study_level_counts in (("ETHICS_APPROVAL", "critical", False),) + tuple((t, "major", True) for t in SITE_MAJOR):
        rows = docs[docs["DOCTYPE_N"] == t]
        if rows.empty:
            _missing_doc(out, sev, t)
            continue
        covered = set(rows["SITE_N"].dropna())
        if study_level_counts and rows["SITE_N"].isna().any():
            continue  # a study-level document covers every site
        for s in sites:
            if s not in covered:
                raw = subj.loc[subj["SITE"] == s, "SITEID"].iloc[0]
                _missing_doc(out, sev, t, f" for site {raw}", f"（中心 {raw}）", domain="DM")
    enrolled = subj.index[subj["ENROLLED"]] if len(subj) else []
    signed = set(docs.loc[docs["DOCTYPE_N"] == "ICF_SIGNED", "USUBJID_N"].dropna())
    for u in sorted(set(enrolled) - signed):
        out.add("critical", f"Subject {u}: no signed informed consent (ICF_SIGNED) in the documents index",
                f"受试者 {u}：文件索引中无签署的知情同意书（ICF_SIGNED）", domain="DM", usubjid=u,
                record="DOCTYPE=ICF_SIGNED")
    return None


@check("TRC-002", C, "critical", "G-4.1.2", "Every record belongs to a subject in DM", "所有记录均对应 DM 中的受试者")
def orphan_records(sub, out):
    """A record (any domain, SUPP-- included, and the documents index) whose USUBJID is not in DM."""
    dm = sub.domain("DM")
    if dm is None or "USUBJID" not in dm.columns:
        return NotApplicable("DM or DM.USUBJID missing (reported by SCR-001)", "缺少 DM 或 DM.USUBJID（由 SCR-001 报告）")
    known = set(dm["USUBJID"].dropna())
    tables = [(d, df) for d, df in sorted(sub.datasets.items()) if d != "DM"] + sorted(sub.supp.items())
    for dom, df in tables:
        if df.empty:
            continue
        if "USUBJID" not in df.columns:
            if dom not in NO_SUBJECT_DOMAINS and sub.datasets.get(dom) is df:   # SUPP-- without it: TRC-007
                out.add("critical", f"{dom}: no USUBJID variable: its {len(df)} record(s) belong to no subject and "
                                    f"drop out of every subject-level check and analysis",
                        f"{dom}：缺少 USUBJID 变量，其 {len(df)} 条记录不属于任何受试者，无法用于任何受试者层面的核查和分析",
                        domain=dom, record=f"{dom}.USUBJID")
            continue
        u = df["USUBJID"]
        if sub.datasets.get(dom) is df:   # per distinct subject of the domain, not per record
            c = coded(sub, dom, "USUBJID")
            bad = pd.Series(~c.mask([v in known for v in c.uniques]), index=df.index)
        else:
            bad = ~u.isin(known)
        if not bad.any():
            continue
        keys = rec_key(df, dom, bad)
        blank = u[bad].isna()
        if blank.any():
            k = keys[blank]
            out.add("critical", f"{dom}: {int(blank.sum())} record(s) without USUBJID ({listing(k.tolist(), 5)})",
                    f"{dom}：{int(blank.sum())} 条记录缺少 USUBJID（{listing(k.tolist(), 5, '、')}）",
                    domain=dom, record=k.iloc[0])
        sel = pd.DataFrame({"U": u[bad], "K": keys})[~blank.to_numpy()]
        for usubjid, grp in sel.groupby("U", sort=True):
            ks = grp["K"].tolist()
            out.add("critical", f"{dom}: {len(ks)} record(s) of subject {usubjid}, who is not in DM ({listing(ks, 5)})",
                    f"{dom}：受试者 {usubjid} 的 {len(ks)} 条记录，但 DM 中无此受试者（{listing(ks, 5, '、')}）",
                    domain=dom, usubjid=usubjid, record=ks[0])
    docs = doc_index(sub)
    if docs is not None:
        bad = docs["USUBJID_N"].notna() & ~docs["USUBJID_N"].isin(known)
        for _, r in docs[bad].iterrows():
            out.add("critical", f"documents/index.csv: document {r.get('DOCID')} ({r.get('DOCTYPE')}) names subject "
                                f"{r.USUBJID_N}, who is not in DM",
                    f"documents/index.csv：文件 {r.get('DOCID')}（{r.get('DOCTYPE')}）对应的受试者 {r.USUBJID_N} 不在 DM 中",
                    usubjid=r.USUBJID_N, record=f"DOCID={r.get('DOCID')}")
    return None


def _date_problems(out, label: str, domain: str | None, var: str, values: pd.Series, d, keys,
                   usubjid: pd.Series | None, cut: tuple[float, str, str]) -> None:
    """Malformed and future dates of one column: record-level findings up to MAX_PER_COLUMN, then one summary."""
    day, cut_en, cut_zh = cut
    for kind, mask in (("malformed", d.malformed), ("future", d.lo > day)):
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            continue
        shown = idx[:MAX_PER_COLUMN]
        key_of = dict(zip(shown, keys(shown), strict=True))
        for i in shown:
            v, k = values.iloc[i], key_of[i]
            u = usubjid.iloc[i] if usubjid is not None else None
            who_en = f"Subject {u}, {label} {k}" if u is not None and u == u else f"{label} {k}"
            who_zh = f"受试者 {u}，{label} {k}" if u is not None and u == u else f"{label} {k}"
            if kind == "malformed":
                en, zh = f"{who_en}: {var} '{v}' is not an ISO 8601 date", f"{who_zh}：{var}“{v}”不是 ISO 8601 日期"
            else:
                en, zh = f"{who_en}: {var} {v} is after {cut_en}", f"{who_zh}：{var} {v} 晚于{cut_zh}"
            out.add("major", en, zh, domain=domain, usubjid=None if u is None or u != u else u, record=k)
        if len(idx) > MAX_PER_COLUMN:
            more = len(idx) - MAX_PER_COLUMN
            what_en = "malformed" if kind == "malformed" else f"after {cut_en}"
            what_zh = "格式错误" if kind == "malformed" else f"晚于{cut_zh}"
            out.add("major", f"{label}: {more} more {var} value(s) {what_en} ({len(idx)} in all)",
                    f"{label}：另有 {more} 个 {var} 值{what_zh}（共 {len(idx)} 个）", domain=domain, record=f"VAR={var}")


def _keys(df: pd.DataFrame, dom: str):
    """Record keys for positions of ``df`` (computed only for the records shown)."""
    def key_of(pos):
        mask = np.zeros(len(df), dtype=bool)
        mask[pos] = True
        return rec_key(df, dom, mask).tolist()
    return key_of


@check("TRC-003", C, "major / critical", "G-2.1.1, G-4.1.2", "Dates plausible", "日期合理")
def date_plausibility(sub, out):
    """Malformed ISO 8601 date or date after the data cut-off/today (major); consent before the site's ethics approval (critical)."""
    cut = cutoff(sub)
    for dom, df in sorted(sub.datasets.items()):
        for var in [c for c in df.columns if c.endswith("DTC")]:
            d = dates(sub, dom, var)
            if not (d.malformed.any() or (d.lo > cut[0]).any()):
                continue
            u = df["USUBJID"] if "USUBJID" in df.columns else None
            _date_problems(out, dom, dom, var, df[var], d, _keys(df, dom), u, cut)
    docs = doc_index(sub)
    if docs is not None and "DATE" in docs.columns:
        # documents are written after the data cut-off (the CSR, the last monitoring report): only a future
        # date is implausible for them
        now_cut = today()
        d = parse_dtc(docs["DATE"])
        ids_ = ("DOCID=" + col(docs, "DOCID").astype(str)).tolist()
        _date_problems(out, "documents/index.csv", None, "DATE", docs["DATE"], d, lambda pos: [ids_[i] for i in pos],
                       None, now_cut)
    if sub.batches is not None and "MFGDT" in sub.batches.columns:
        b = sub.batches
        d = parse_dtc(b["MFGDT"])
        lots = ("LOTID=" + col(b, "LOTID").astype(str)).tolist()
        _date_problems(out, "cmc/batches.csv", None, "MFGDT", b["MFGDT"], d, lambda pos: [lots[i] for i in pos],
                       None, cut)
    # consent before the site's ethics approval (G-2.1.1)
    eth = docs_of(sub, "ETHICS_APPROVAL")
    cons = sub.study.consent
    if eth.empty or cons.empty:
        return None
    ed = parse_dtc(eth["DATE"])
    e = pd.DataFrame({"SITE": eth["SITE_N"].to_numpy(), "LO": ed.lo, "TEXT": eth["DATE"].to_numpy()}).dropna(subset=["LO"])
    if e.empty:
        return None
    first_by_site = e.dropna(subset=["SITE"]).sort_values("LO").drop_duplicates("SITE").set_index("SITE")
    study_level = e[e["SITE"].isna()].sort_values("LO")
    subj = sub.study.subjects
    c = cons.join(subj[["SITE", "SITEID"]], how="left")
    c["E_LO"] = c["SITE"].map(first_by_site["LO"])
    c["E_TEXT"] = c["SITE"].map(first_by_site["TEXT"])
    if len(study_level):
        c["E_LO"] = c["E_LO"].fillna(study_level["LO"].iloc[0])
        c["E_TEXT"] = c["E_TEXT"].fillna(study_level["TEXT"].iloc[0])
    early = c[(c["HI"] < c["E_LO"]).fillna(False)]
    for u, r in early.iterrows():
        out.add("critical", f"Subject {u}: informed consent ({r.TEXT}) precedes the ethics approval of site {r.SITEID} "
                            f"({r.E_TEXT})",
                f"受试者 {u}：知情同意日期（{r.TEXT}）早于中心 {r.SITEID} 的伦理批准日期（{r.E_TEXT}）",
                domain="DM", usubjid=u, record=consent_record(r))
    return None


@check("TRC-004", C, "critical / major", "G-4.1.2", "Document files intact and indexed", "文件完整且已编入索引")
def document_integrity(sub, out):
    """SHA256 mismatch, indexed file absent or outside documents/ (critical); file present but not indexed (minor)."""
    docs = doc_index(sub)
    if docs is None and not sub.unindexed_documents:
        return NotApplicable("no documents folder or index (reported by TRC-001)", "无文件夹或文件索引（由 TRC-001 报告）")
    if docs is not None:
        status = norm(col(docs, "PATH_STATUS")).fillna("").str.lower()
        declared = map_distinct(col(docs, "SHA256"), lambda v: str(v).strip().lower(), "")
        actual = map_distinct(col(docs, "FILE_SHA256"), lambda v: str(v).lower(), "")
        flagged = (status == "missing") | (status == "outside") | ((status == "ok") & (declared != "") &
                                                                   (declared != actual))
        for i in docs.index[flagged.to_numpy()]:
            st, path, docid, dt = status.at[i], docs.at[i, "PATH"], docs.at[i, "DOCID"], docs.at[i, "DOCTYPE"]
            rec = f"DOCID={docid}"
            if st == "missing":
                out.add("critical", f"Document {docid} ({dt}): file documents/{path} is listed but absent",
                        f"文件 {docid}（{dt}）：索引列出 documents/{path}，但文件不存在", record=rec)
            elif st == "outside":
                out.add("critical", f"Document {docid} ({dt}): path '{path}' leaves the documents/ folder; it was not opened",
                        f"文件 {docid}（{dt}）：路径“{path}”位于 documents/ 文件夹之外，未打开", record=rec)
            else:
                out.add("critical", f"Document {docid} ({dt}): SHA-256 of documents/{path} does not match the index "
                                    f"(index {declared.at[i][:12]}…, file {actual.at[i][:12]}…)",
                        f"文件 {docid}（{dt}）：documents/{path} 的 SHA-256 与索引不符"
                        f"（索引 {declared.at[i][:12]}…，文件 {actual.at[i][:12]}…）", record=rec)
    for path in sub.unindexed_documents:
        out.add("minor", f"File documents/{path} is present but not listed in documents/index.csv",
                f"文件 documents/{path} 存在，但未列入 documents/index.csv", record=f"PATH=documents/{path}")
    return None


@check("TRC-005", C, "minor", "G-4.0", "Dataset metadata (define.xml) matches the data", "数据集元数据（define.xml）与数据一致")
def define_matches(sub, out):
    """define.xml absent; dataset or variable in the data but not in define.xml, or vice versa."""
    if sub.define is None:
        path = (sub.package.sdtm_define or "") if sub.package is not None else "define.xml"
        if any(i.path == path for i in sub.load_issues):
            return NotApplicable("define.xml could not be read (reported by TRC-007)", "define.xml 无法读取（由 TRC-007 报告）")
        if sub.package is not None:
            return NotApplicable("the SDTM define.xml is missing from the data package (reported by PKG-002)",
                                 "数据包缺少 SDTM define.xml（由 PKG-002 报告）")
        out.add("minor", "define.xml is absent: dataset and variable metadata are not supplied",
                "缺少 define.xml：未提供数据集和变量元数据", record="PATH=define.xml")
        return None
    qnams: dict[str, set] = {}
    for name, s in sub.supp.items():
        parent = name[4:]
        if "RDOMAIN" in s.columns and s["RDOMAIN"].notna().any():
            parent = str(s["RDOMAIN"].dropna().iloc[0]).upper()
        qnams.setdefault(parent, set()).update(norm(col(s, "QNAM")).dropna())
    data = {d: set(df.columns) - qnams.get(d, set()) for d, df in sub.datasets.items()}
    data.update({d: set(df.columns) for d, df in sub.supp.items()})
    define = {k.upper(): {v.upper() for v in vs} for k, vs in sub.define.items()}
    for d in sorted(set(data) - set(define)):
        out.add("minor", f"Dataset {d} is in the data but not in define.xml", f"数据集 {d} 存在于数据中，但 define.xml 中未定义",
                domain=d)
    for d in sorted(set(define) - set(data)):
        out.add("minor", f"Dataset {d} is defined in define.xml but not supplied", f"define.xml 定义了数据集 {d}，但未提供该数据集",
                domain=d)
    variables_against_define(out, data, define, "define.xml", "the data", "数据")
    return None


@check("TRC-006", C, "major", "G-4.1.2", "A protocol version in force at consent and enrolment",
       "知情同意和入组时有生效的方案版本")
def protocol_in_force(sub, out):
    """Consent before the first protocol version's effective date, or no protocol effective at a subject's enrolment date."""
    prot = pd.concat([docs_of(sub, "PROTOCOL"), docs_of(sub, "PROTOCOL_AMENDMENT")])
    if prot.empty:
        return NotApplicable("no protocol in the documents index (reported by TRC-001)", "文件索引中无方案（由 TRC-001 报告）")
    d = parse_dtc(prot["DATE"])
    if not d.known.any():
        out.add("major", "No protocol version has an effective date (documents/index.csv DATE): the protocol in force "
                         "at consent and enrolment cannot be shown",
                "所有方案版本均无生效日期（documents/index.csv DATE）：无法证明知情同意和入组时有生效方案",
                record="DOCTYPE=PROTOCOL")
        return None
    k = int(np.nanargmin(d.lo))
    p_lo, p_text = d.lo[k], prot["DATE"].iloc[k]
    p_id = prot["DOCID"].iloc[k] if "DOCID" in prot.columns else "?"
    cons = sub.study.consent
    if cons.empty:
        return None
    early = cons[(cons["HI"] < p_lo).fillna(False)]
    for u, r in early.iterrows():
        out.add("major", f"Subject {u}: informed consent ({r.TEXT}) precedes the effective date of the first protocol "
                         f"version ({p_id}, {p_text})",
                f"受试者 {u}：知情同意日期（{r.TEXT}）早于首个方案版本的生效日期（{p_id}，{p_text}）",
                domain="DM", usubjid=u, record=consent_record(r))
    # enrolment date: DS ENROLLED/RANDOMIZED, else DM.RFSTDTC
    dm = sub.domain("DM")
    enrol = pd.Series(np.nan, index=cons.index)
    ds = sub.domain("DS")
    if ds is not None and "USUBJID" in ds.columns:
        m = norm(col(ds, "DSDECOD")).isin({"ENROLLED", "RANDOMIZED"}).to_numpy()
        dd = dates(sub, "DS", "DSSTDTC")
        e = pd.Series(dd.hi[m], index=ds["USUBJID"].to_numpy()[m]).dropna()
        enrol = enrol.fillna(e.groupby(level=0).min())
    r = dates(sub, "DM", "RFSTDTC")
    rf = pd.Series(r.hi, index=dm["USUBJID"].to_numpy())
    rf = rf[~rf.index.duplicated()]
    enrol = enrol.fillna(rf.reindex(enrol.index))
    late = enrol[(enrol < p_lo) & ~enrol.index.isin(early.index)]
    for u, day in late.items():
        out.add("major", f"Subject {u}: enrolled ({day_text(day)}) before any protocol version was in effect "
                         f"(first effective {p_text})",
                f"受试者 {u}：入组日期（{day_text(day)}）早于任何方案版本的生效日期（首个生效 {p_text}）",
                domain="DM", usubjid=u)
    return None


@check("TRC-007", C, "major", "G-4.1.2", "All files readable and unambiguous", "所有文件可读且无歧义")
def load_problems(sub, out):
    """Unreadable or ambiguous file (corrupt, empty, two files for one domain, unknown encoding, unsafe XML …)."""
    for issue in sub.load_issues:
        reason = issue.reason.value
        if sub.package is not None and reason == "unrecognised_name":
            continue   # a data package's file names are judged by PKG-001
        out.add("major", f"File {issue.path} ({reason}): {issue.detail_en}",
                f"文件 {issue.path}（{reason}）：{issue.detail_zh}", domain=issue.domain, record=f"PATH={issue.path}")
    return None
