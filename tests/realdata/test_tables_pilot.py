"""The standard tables of the CDISC pilot against an independent computation written here from the definitions of
review-output.md ("Standard tables", "Laboratory conventions") and analyses.md ("Common definitions"): pyreadstat
and pandas on the XPT files, nothing of the workbench. And the sponsor's own ADaM Hy's-law flag (ADLBHY)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from realdata_support import read_xpt

SPEC_IDS = ["disposition", "demographics", "exposure", "ae_overview", "ae_soc_pt", "ae_max_grade",
            "ae_related_soc_pt", "ae_leading_to_discontinuation", "aesi_soc_pt", "sae_listing", "death_listing",
            "lab_summary", "lab_shift", "hepatic", "hys_law_listing", "vitals_summary", "ecg_summary", "cm_summary",
            "deviations", "immunogenicity"]
NO_ARM = {"SCRNFAIL", "NOTASSGN", "NOTTRT", "UNPLAN"}


@pytest.fixture(scope="module")
def truth(raw):
    dm, ex = raw("DM"), raw("EX")
    dm = dm.assign(ACT=dm["ACTARMCD"].str.strip(), PLAN=dm["ARMCD"].str.strip())
    dm["ARMX"] = np.where(dm["ACT"].str.upper().isin(NO_ARM) | (dm["ACT"] == ""), None, dm["ACT"])
    control = set(dm.loc[dm["ACTARM"].str.upper().str.contains("PLACEBO"), "ACT"])
    arm = dm.set_index("USUBJID")["ARMX"]
    ex = ex.assign(ARM=ex["USUBJID"].map(arm))
    given = ex[(ex["EXDOSE"] > 0) | ex["ARM"].isin(control)]
    first = given.groupby("USUBJID")["EXSTDTC"].min().str[:10]
    dosed = arm[arm.index.isin(first.index)]
    return {"dm": dm.set_index("USUBJID"), "arm": arm, "dosed": dosed, "first": first}


def _table(doc, tid):
    return next(t for t in doc["tables"] if t["id"] == tid)


def _cells(t, **key):
    """{column: n} of the first row whose key has these items."""
    for r in t["rows"]:
        if all((r.get("key") or {}).get(k) == v for k, v in key.items()):
            return {c: cell["n"] for c, cell in r["cells"].items()}
    raise KeyError(key)


def test_every_table_id_of_the_spec_is_present_in_order(pilot_review):
    _, doc = pilot_review
    assert [t["id"] for t in doc["tables"]] == SPEC_IDS
    for t in doc["tables"]:
        assert {"id", "title_zh", "title_en", "population", "filter", "columns", "rows", "footnotes_zh",
                "footnotes_en"} <= set(t)
        assert t["title_zh"] and t["title_en"] and t["footnotes_zh"] or t.get("note_en")
    summary = _table(doc, "ae_soc_pt")
    assert [c["key"] for c in summary["columns"]] == ["Pbo", "Xan_Lo", "Xan_Hi", "Total"]   # control first, by dose
    assert [c["n"] for c in summary["columns"]] == [86, 96, 72, 254]
    assert _table(doc, "sae_listing")["kind"] == "listing"
    # the pilot has no DV and no IS: present, empty, saying why (never zeros)
    for tid, dom in (("deviations", "DV"), ("immunogenicity", "IS")):
        t = _table(doc, tid)
        assert t["rows"] == [] and t["reason_code"] == f"no_{dom.lower()}" and dom in t["note_en"]


def test_disposition_equals_the_independent_computation(pilot_review, raw, truth):
    _, doc = pilot_review
    t = _table(doc, "disposition")
    dm, ds = truth["dm"], raw("DS")
    alloc = dm["ARMX"].where(dm["ARMX"].notna(), None)
    ev = ds[ds["DSCAT"] == "DISPOSITION EVENT"].sort_values("DSSTDTC", kind="stable")
    completed = set(ev.loc[ev["DSDECOD"] == "COMPLETED", "USUBJID"])
    other = set(ev.loc[~ev["DSDECOD"].isin(["COMPLETED", "SCREEN FAILURE"]), "USUBJID"]) - completed
    last = ev.drop_duplicates("USUBJID", keep="last").set_index("USUBJID")["DSDECOD"]

    def per_arm(ids) -> dict:
        s = alloc[alloc.index.isin(ids)]
        out = {a: int((s == a).sum()) for a in ("Pbo", "Xan_Lo", "Xan_Hi")}
        out["Total"] = len(s)
        return out

    assert _cells(t, status="screened") == per_arm(dm.index) == {"Pbo": 86, "Xan_Lo": 96, "Xan_Hi": 72, "Total": 306}
    assert _cells(t, status="screen_failure") == per_arm(dm.index[dm["ACT"].str.upper() == "SCRNFAIL"])
    assert _cells(t, status="dosed") == per_arm(truth["dosed"].index)
    assert _cells(t, status="completed") == per_arm(completed)
    assert _cells(t, status="discontinued") == per_arm(other)
    for reason in sorted(set(last[last.index.isin(other)])):
        assert _cells(t, status="discontinued", reason=reason) == per_arm(set(last.index[last == reason]) & other), \
            reason
    assert _cells(t, status="discontinued")["Total"] == 144 and _cells(t, status="completed")["Total"] == 110


def test_demographics_equal_the_independent_computation(pilot_review, truth):
    _, doc = pilot_review
    t = _table(doc, "demographics")
    dm = truth["dm"].loc[truth["dosed"].index]
    groups = {a: dm[dm["ARMX"] == a] for a in ("Pbo", "Xan_Lo", "Xan_Hi")} | {"Total": dm}
    assert {c["key"]: c["n"] for c in t["columns"]} == {a: len(g) for a, g in groups.items()}
    stats = {r["key"]["statistic"]: r["cells"] for r in t["rows"] if r["key"].get("characteristic") == "age"
             and "statistic" in r["key"]}
    for a, g in groups.items():
        age = g["AGE"].astype(float)
        assert stats["n"][a]["n"] == len(age)
        assert stats["mean_sd"][a]["values"] == pytest.approx([age.mean(), age.std(ddof=1)])
        assert stats["median"][a]["values"] == pytest.approx([age.median()])
        assert stats["min_max"][a]["values"] == pytest.approx([age.min(), age.max()])
    for var, key in (("SEX", "sex"), ("RACE", "race"), ("ETHNIC", "ethnic")):
        for value in sorted(dm[var].unique()):
            got = _cells(t, characteristic=key, value=value)
            assert got == {a: int((g[var] == value).sum()) for a, g in groups.items()}, (var, value)
    for label, lo, hi in (("18–64", 18, 65), ("65–74", 65, 75), ("75–84", 75, 85), ("≥85", 85, 200)):
        got = _cells(t, characteristic="age_group", value=label)
        assert got == {a: int(((g["AGE"] >= lo) & (g["AGE"] < hi)).sum()) for a, g in groups.items()}, label


def _lab(raw, truth, codes) -> pd.DataFrame:
    lb = raw("LB")
    lb = lb[lb["LBTESTCD"].isin(codes) & lb["USUBJID"].isin(truth["dosed"].index)].copy()
    lb["DAY"] = lb["LBDTC"].str[:10]
    lb["FIRST"] = lb["USUBJID"].map(truth["first"])
    lb["ARM"] = lb["USUBJID"].map(truth["dosed"])
    return lb


def test_hepatic_counts_equal_the_independent_computation(pilot_review, raw, truth):
    review, doc = pilot_review
    lb = _lab(raw, truth, ["ALT", "AST", "BILI"])
    post = lb[(lb["DAY"] > lb["FIRST"]) & (lb["LBBLFL"] != "Y") & lb["LBSTRESN"].notna() & (lb["LBSTNRHI"] > 0)]
    peak = (post["LBSTRESN"] / post["LBSTNRHI"]).groupby([post["USUBJID"], post["LBTESTCD"]]).max().unstack()
    flags = pd.DataFrame({"evaluable": True, "alt_3x": peak["ALT"] > 3, "ast_3x": peak["AST"] > 3,
                          "bili_2x": peak["BILI"] > 2}, index=peak.index)
    flags["alt_or_ast_3x"] = flags["alt_3x"] | flags["ast_3x"]
    flags["hys_law"] = flags["alt_or_ast_3x"] & flags["bili_2x"]
    flags["ARM"] = flags.index.map(truth["dosed"])
    hepatic = doc["analyses"]["labs"]["hepatic"]
    by_arm = {a["arm"]: a for a in hepatic["arms"]}
    table = _table(doc, "hepatic")
    for key in ("evaluable", "alt_3x", "ast_3x", "alt_or_ast_3x", "bili_2x", "hys_law"):
        for arm in ("Pbo", "Xan_Lo", "Xan_Hi"):
            ids = sorted(flags.index[(flags["ARM"] == arm) & flags[key]])
            assert by_arm[arm][key] == len(ids), (key, arm)
            if key != "evaluable":
                assert by_arm[arm]["subjects"][key] == ids, (key, arm)
        expected = {a: int(((flags["ARM"] == a) & flags[key]).sum()) for a in ("Pbo", "Xan_Lo", "Xan_Hi")}
        expected["Total"] = int(flags[key].sum())
        assert _cells(table, criterion=key) == expected, key
    assert hepatic["total"]["evaluable"] == 247 and hepatic["total"]["hys_law"] == 1


def test_potential_hys_law_equals_the_sponsors_adlbhy(pilot_review, pilot_dir):
    _, doc = pilot_review
    adlbhy = read_xpt(pilot_dir.parent / "cdiscpilot01-adam" / "adlbhy.xpt")
    sponsor = sorted(adlbhy.loc[(adlbhy["PARAMCD"] == "HYSLAW") & (adlbhy["AVALC"] == "Y"), "USUBJID"].unique())
    assert doc["analyses"]["labs"]["hepatic"]["total"]["subjects"]["hys_law"] == sponsor == ["01-705-1186"]
    listing = _table(doc, "hys_law_listing")
    assert [r["cells"]["usubjid"]["text"] for r in listing["rows"]] == sponsor


def _category(row) -> str | None:
    ind = str(row["LBNRIND"]).strip().upper()
    if ind in ("LOW", "NORMAL", "HIGH"):
        return ind
    v, lo, hi = row["LBSTRESN"], row["LBSTNRLO"], row["LBSTNRHI"]
    if pd.isna(v) or (pd.isna(lo) and pd.isna(hi)):
        return None
    return "LOW" if v < lo else "HIGH" if v > hi else "NORMAL"


def test_alt_shift_table_equals_the_independent_computation(pilot_review, raw, truth):
    _, doc = pilot_review
    lb = _lab(raw, truth, ["ALT"]).sort_values(["USUBJID", "LBDTC", "LBSEQ"])
    lb["CAT"] = lb.apply(_category, axis=1)
    flagged = lb[lb["LBBLFL"] == "Y"].drop_duplicates("USUBJID", keep="last")
    pre = lb[lb["DAY"] <= lb["FIRST"]].drop_duplicates("USUBJID", keep="last")
    base = pd.concat([flagged, pre[~pre["USUBJID"].isin(flagged["USUBJID"])]]).set_index("USUBJID")
    post = lb[(lb["DAY"] > lb["FIRST"]) & lb["CAT"].notna()]
    post = post[~post.set_index(["USUBJID", "LBSEQ"]).index.isin(list(zip(base.index, base["LBSEQ"])))]
    rank = {"NORMAL": 1, "LOW": 2, "HIGH": 3}
    worst = post.groupby("USUBJID")["CAT"].agg(lambda s: max(s, key=rank.get))
    frame = pd.DataFrame({"worst": worst, "base": base["CAT"].reindex(worst.index),
                          "arm": worst.index.map(truth["dosed"])})
    t = _table(doc, "lab_shift")
    rows = [r for r in t["rows"] if r["key"].get("test") == "ALT"]
    head = next(r for r in rows if r["level"] == 0)
    assert head["cells"]["Total"]["n"] == len(frame) == 247
    seen = 0
    for r in rows[1:]:
        b, w = r["key"]["baseline"], r["key"]["worst"]
        sel = frame[(frame["base"] == b) & (frame["worst"] == w)] if b is not None else \
            frame[frame["base"].isna() & (frame["worst"] == w)]
        expected = {a: int((sel["arm"] == a).sum()) for a in ("Pbo", "Xan_Lo", "Xan_Hi")} | {"Total": len(sel)}
        assert {c: cell["n"] for c, cell in r["cells"].items()} == expected, (b, w)
        seen += len(sel)
    assert seen == len(frame)
    normal_high = _cells(t, test="ALT", baseline="NORMAL", worst="HIGH")
    assert normal_high["Total"] == 22 and normal_high["Pbo"] == 6   # the pilot's figure, as computed above
