"""What the bundled samples share: sponsors, manufacturing sites, stopping rules, small builders."""
from __future__ import annotations

import numpy as np

from ..documents import DocPlan
from ..spec import StudySpec
from ..study import Study
from ..vocab import HOSPITALS

SPONSOR = {
    "huaxia": "华夏再生医学科技有限公司 (Huaxia Regenerative Medicine Co., Ltd.)",
    "tianyuan": "天源干细胞生物技术有限公司 (Tianyuan Stem Cell Biotech Co., Ltd.)",
    "kangning": "康宁细胞治疗研究院 (Kangning Institute of Cell Therapy)",
    "minghui": "明辉生物医药股份有限公司 (Minghui Biopharma Co., Ltd.)",
}
MFG_SITE = {
    "huaxia": "Huaxia GMP cell manufacturing facility, Suzhou",
    "tianyuan": "Tianyuan GMP facility, Tianjin",
    "kangning": "Kangning cell preparation centre, Guangzhou",
    "minghui": "Minghui GMP facility, Hangzhou",
}

STOP_TUMOUR = {"id": "SR2", "description": "any tumour, teratoma or ectopic tissue formation",
               "scope": "study", "min_grade": 1, "related_only": False, "serious_only": False,
               "terms": ["Teratoma", "Neoplasm", "Benign neoplasm", "Malignant neoplasm progression"], "threshold": 1}

IE_EN = [("IN02", "Diagnosis confirmed per protocol criteria", "INCLUSION"),
         ("IN04", "Adequate organ function at screening", "INCLUSION"),
         ("EX03", "Active infection requiring systemic therapy", "EXCLUSION"),
         ("EX07", "History of malignancy within 5 years", "EXCLUSION")]


def sites(keys: list[str]) -> list:
    return [(f"{k + 1:02d}", HOSPITALS[h]) for k, h in enumerate(keys)]


def arms_yaml(spec: StudySpec) -> list[dict]:
    out = []
    for a in spec.arms:
        d = {"armcd": a.armcd, "dose": float(a.dose)}
        if a.control:
            d["control"] = True
        else:
            d["dose_unit"] = a.dose_unit
        out.append(d)
    return out


def doc_plan(spec: StudySpec, sponsor: str, product: str, title: str, **kw) -> DocPlan:
    return DocPlan(sponsor=SPONSOR[sponsor], product=product, title=title,
                   hospitals={sid: h for sid, h in spec.sites}, **kw)


def readme(title: str, text: str) -> str:
    return f"# {title}\n\n{text}\n"


def donor_karyotypes(study: Study, rng: np.random.Generator) -> dict[str, str]:
    return {lot: ("46,XX" if rng.random() < 0.5 else "46,XY") for lot in study.lots["LOTID"]}
