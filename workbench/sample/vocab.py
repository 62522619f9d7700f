"""Realistic terms for the synthetic submissions: sites, MedDRA-like AE terms, drugs, labs, labels.

Everything here is invented for demonstration (hospital names are real institutions
used only as plausible site labels; no record refers to a real person or study).
SOC / PT spellings follow MedDRA (British spelling, e.g. 'Pyrexia', 'Diarrhoea').
"""
from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------- sites


@dataclass(frozen=True)
class Hospital:
    name_zh: str
    name_en: str
    city: str


HOSPITALS: dict[str, Hospital] = {
    "xuanwu": Hospital("首都医科大学宣武医院", "Xuanwu Hospital, Capital Medical University", "Beijing"),
    "ruijin": Hospital("上海交通大学医学院附属瑞金医院", "Ruijin Hospital, Shanghai Jiao Tong University School of Medicine",
                       "Shanghai"),
    "pumch": Hospital("北京协和医院", "Peking Union Medical College Hospital", "Beijing"),
    "huashan": Hospital("复旦大学附属华山医院", "Huashan Hospital, Fudan University", "Shanghai"),
    "westchina": Hospital("四川大学华西医院", "West China Hospital, Sichuan University", "Chengdu"),
    "sysu1": Hospital("中山大学附属第一医院", "The First Affiliated Hospital, Sun Yat-sen University", "Guangzhou"),
    "zju1": Hospital("浙江大学医学院附属第一医院", "The First Affiliated Hospital, Zhejiang University School of Medicine",
                     "Hangzhou"),
    "tongji": Hospital("华中科技大学同济医学院附属同济医院", "Tongji Hospital, Tongji Medical College, HUST", "Wuhan"),
    "drumtower": Hospital("南京大学医学院附属鼓楼医院", "Nanjing Drum Tower Hospital", "Nanjing"),
    "zzu1": Hospital("郑州大学第一附属医院", "The First Affiliated Hospital of Zhengzhou University", "Zhengzhou"),
    "nanfang": Hospital("南方医科大学南方医院", "Nanfang Hospital, Southern Medical University", "Guangzhou"),
    "pla5": Hospital("解放军总医院第五医学中心", "The Fifth Medical Center of Chinese PLA General Hospital", "Beijing"),
    "sysu3": Hospital("中山大学附属第三医院", "The Third Affiliated Hospital, Sun Yat-sen University", "Guangzhou"),
    "pkuph": Hospital("北京大学人民医院", "Peking University People's Hospital", "Beijing"),
    "suda1": Hospital("苏州大学附属第一医院", "The First Affiliated Hospital of Soochow University", "Suzhou"),
    "zoc": Hospital("中山大学中山眼科中心", "Zhongshan Ophthalmic Center, Sun Yat-sen University", "Guangzhou"),
    "tongren": Hospital("首都医科大学附属北京同仁医院", "Beijing Tongren Hospital, Capital Medical University", "Beijing"),
    "tiantan": Hospital("首都医科大学附属北京天坛医院", "Beijing Tiantan Hospital, Capital Medical University", "Beijing"),
    "xiangya": Hospital("中南大学湘雅医院", "Xiangya Hospital, Central South University", "Changsha"),
    "qilu": Hospital("山东大学齐鲁医院", "Qilu Hospital of Shandong University", "Jinan"),
    "xijing": Hospital("空军军医大学西京医院", "Xijing Hospital, Air Force Medical University", "Xi'an"),
    "cmu1": Hospital("中国医科大学附属第一医院", "The First Hospital of China Medical University", "Shenyang"),
    "sph": Hospital("上海市第六人民医院", "Shanghai Sixth People's Hospital", "Shanghai"),
    "renji": Hospital("上海交通大学医学院附属仁济医院", "Renji Hospital, Shanghai Jiao Tong University School of Medicine",
                      "Shanghai"),
    "hxh": Hospital("华中科技大学同济医学院附属协和医院", "Union Hospital, Tongji Medical College, HUST", "Wuhan"),
    "tjmu": Hospital("天津医科大学总医院", "Tianjin Medical University General Hospital", "Tianjin"),
    "fjmu": Hospital("福建医科大学附属协和医院", "Fujian Medical University Union Hospital", "Fuzhou"),
    "cqmu1": Hospital("重庆医科大学附属第一医院", "The First Affiliated Hospital of Chongqing Medical University",
                      "Chongqing"),
    "jsph": Hospital("江苏省人民医院", "Jiangsu Province Hospital", "Nanjing"),
    "hebmu2": Hospital("哈尔滨医科大学附属第二医院", "The Second Affiliated Hospital of Harbin Medical University",
                       "Harbin"),
}

# order used when a scaled study needs many sites
HOSPITAL_ORDER = list(HOSPITALS)

# --------------------------------------------------------------------------- SOCs

SOC = {
    "gen": "General disorders and administration site conditions",
    "inf": "Infections and infestations",
    "msk": "Musculoskeletal and connective tissue disorders",
    "nerv": "Nervous system disorders",
    "psych": "Psychiatric disorders",
    "gi": "Gastrointestinal disorders",
    "hep": "Hepatobiliary disorders",
    "inv": "Investigations",
    "vasc": "Vascular disorders",
    "card": "Cardiac disorders",
    "resp": "Respiratory, thoracic and mediastinal disorders",
    "skin": "Skin and subcutaneous tissue disorders",
    "eye": "Eye disorders",
    "metab": "Metabolism and nutrition disorders",
    "blood": "Blood and lymphatic system disorders",
    "immune": "Immune system disorders",
    "neo": "Neoplasms benign, malignant and unspecified (incl cysts and polyps)",
    "inj": "Injury, poisoning and procedural complications",
    "renal": "Renal and urinary disorders",
}


@dataclass(frozen=True)
class AETerm:
    """A preferred term with its SOC, verbatim variants and how it behaves in the simulation.

    ``w_active``/``w_control``: relative frequency in active / control arms;
    ``rel_active``/``rel_control``: probability the investigator judges it related;
    ``early``: onset concentrated in the first days after administration (infusion/injection effects);
    ``g2``: probability of grade 2 (else grade 1) for background events.
    """

    decod: str
    soc: str
    verbatims: tuple[str, ...]
    w_active: float = 1.0
    w_control: float = 1.0
    rel_active: float = 0.05
    rel_control: float = 0.02
    early: bool = False
    g2: float = 0.25
    zh: tuple[str, ...] = ()
    treat: str | None = None      # key into TREATMENTS when the AE is commonly treated


def _t(decod, soc, verbatims, **kw) -> AETerm:
    return AETerm(decod, SOC[soc], tuple(verbatims), **kw)


# common background terms (weights are tuned per indication below)
COMMON_AE = [
    _t("Pyrexia", "gen", ["FEVER", "LOW-GRADE FEVER", "PYREXIA"], w_active=3.0, w_control=0.8, rel_active=0.75,
       rel_control=0.3, early=True, zh=("发热", "低热"), treat="paracetamol"),
    _t("Fatigue", "gen", ["FATIGUE", "TIREDNESS"], w_active=1.2, w_control=1.0, rel_active=0.2, zh=("乏力", "疲劳")),
    _t("Upper respiratory tract infection", "inf", ["UPPER RESPIRATORY TRACT INFECTION", "URTI", "COMMON COLD"],
       w_active=2.0, w_control=2.0, rel_active=0.02, zh=("上呼吸道感染", "感冒"), treat="amoxicillin"),
    _t("Nasopharyngitis", "inf", ["NASOPHARYNGITIS", "SORE THROAT AND RUNNY NOSE"], w_active=1.5, w_control=1.5,
       rel_active=0.01, zh=("鼻咽炎",)),
    _t("Urinary tract infection", "inf", ["URINARY TRACT INFECTION", "UTI"], w_active=0.7, w_control=0.7,
       rel_active=0.02, zh=("泌尿道感染",), treat="levofloxacin"),
    _t("Headache", "nerv", ["HEADACHE", "TENSION HEADACHE"], w_active=1.6, w_control=1.3, rel_active=0.2,
       rel_control=0.1, early=True, zh=("头部疼痛", "头疼"), treat="paracetamol"),
    _t("Dizziness", "nerv", ["DIZZINESS", "DIZZY"], w_active=1.0, w_control=0.9, rel_active=0.1, zh=("头晕",)),
    _t("Nausea", "gi", ["NAUSEA"], w_active=1.0, w_control=0.8, rel_active=0.2, early=True, zh=("恶心",),
       treat="metoclopramide"),
    _t("Diarrhoea", "gi", ["DIARRHEA", "LOOSE STOOLS"], w_active=0.8, w_control=0.8, rel_active=0.05,
       zh=("腹泻",), treat="montmorillonite"),
    _t("Constipation", "gi", ["CONSTIPATION"], w_active=0.8, w_control=0.8, rel_active=0.03, zh=("便秘",),
       treat="lactulose"),
    _t("Insomnia", "psych", ["INSOMNIA", "DIFFICULTY SLEEPING"], w_active=0.8, w_control=0.8, rel_active=0.05,
       zh=("失眠",), treat="zolpidem"),
    _t("Rash", "skin", ["RASH", "SKIN RASH"], w_active=0.7, w_control=0.5, rel_active=0.3, rel_control=0.1,
       zh=("皮疹",), treat="loratadine"),
    _t("Pruritus", "skin", ["ITCHING", "PRURITUS"], w_active=0.5, w_control=0.4, rel_active=0.2, zh=("瘙痒",),
       treat="loratadine"),
    _t("Hypertension", "vasc", ["BLOOD PRESSURE INCREASED", "HYPERTENSION"], w_active=0.8, w_control=0.8,
       rel_active=0.02, zh=("血压升高",), treat="amlodipine_new"),
    _t("Back pain", "msk", ["BACK PAIN", "LOW BACK PAIN"], w_active=0.8, w_control=0.8, rel_active=0.02,
       zh=("背痛", "腰痛")),
    _t("Cough", "resp", ["COUGH"], w_active=0.8, w_control=0.8, rel_active=0.02, zh=("咳嗽",)),
    _t("Alanine aminotransferase increased", "inv", ["ALT INCREASED", "ELEVATED ALT"], w_active=0.5,
       w_control=0.4, rel_active=0.3, rel_control=0.1, zh=("丙氨酸氨基转移酶升高",)),
    _t("Hypokalaemia", "metab", ["HYPOKALEMIA", "LOW POTASSIUM"], w_active=0.4, w_control=0.4, rel_active=0.02,
       zh=("低钾血症",), treat="potassium"),
]

KOA_AE = [
    _t("Arthralgia", "msk", ["KNEE PAIN", "ARTHRALGIA OF TARGET KNEE", "JOINT PAIN"], w_active=3.0, w_control=2.2,
       rel_active=0.45, rel_control=0.3, early=True, treat="paracetamol"),
    _t("Joint swelling", "msk", ["KNEE SWELLING", "SWELLING OF TARGET KNEE"], w_active=2.2, w_control=1.0,
       rel_active=0.7, rel_control=0.4, early=True),
    _t("Injection site pain", "gen", ["INJECTION SITE PAIN", "PAIN AT INJECTION SITE"], w_active=2.5,
       w_control=1.6, rel_active=0.9, rel_control=0.85, early=True),
    _t("Joint effusion", "msk", ["KNEE EFFUSION", "JOINT EFFUSION"], w_active=1.0, w_control=0.5, rel_active=0.6,
       rel_control=0.3, early=True),
    _t("Myalgia", "msk", ["MUSCLE PAIN", "MYALGIA"], w_active=0.6, w_control=0.6, rel_active=0.05),
    _t("Contusion", "inj", ["BRUISE", "CONTUSION"], w_active=0.5, w_control=0.5, rel_active=0.0),
]

PD_AE = [
    _t("Procedural pain", "inj", ["INCISION SITE PAIN", "POSTOPERATIVE PAIN"], w_active=2.0, rel_active=0.05,
       early=True, treat="paracetamol"),
    _t("Procedural headache", "inj", ["POST-PROCEDURAL HEADACHE", "HEADACHE AFTER SURGERY"], w_active=2.0,
       rel_active=0.05, early=True, treat="paracetamol"),
    _t("Dyskinesia", "nerv", ["DYSKINESIA", "INVOLUNTARY MOVEMENTS"], w_active=1.0, rel_active=0.4),
    _t("Orthostatic hypotension", "vasc", ["ORTHOSTATIC HYPOTENSION"], w_active=0.8, rel_active=0.05),
    _t("Hallucination", "psych", ["VISUAL HALLUCINATIONS"], w_active=0.4, rel_active=0.1),
    _t("Tremor", "nerv", ["HAND TREMOR WORSENED"], w_active=0.6, rel_active=0.05),
    _t("Fall", "inj", ["FALL AT HOME", "FALL"], w_active=0.8, rel_active=0.0),
]

CIRRHOSIS_AE = [
    _t("Ascites", "gi", ["ASCITES", "INCREASED ASCITES"], w_active=2.0, rel_active=0.02),
    _t("Abdominal distension", "gi", ["ABDOMINAL DISTENSION", "BLOATING"], w_active=1.5, rel_active=0.03),
    _t("Oedema peripheral", "gen", ["LEG EDEMA", "PERIPHERAL OEDEMA"], w_active=1.2, rel_active=0.02),
    _t("Procedural pain", "inj", ["BONE MARROW ASPIRATION SITE PAIN"], w_active=1.5, rel_active=0.0, early=True,
       treat="paracetamol"),
    _t("Platelet count decreased", "inv", ["PLATELET COUNT DECREASED", "THROMBOCYTOPENIA WORSENED"], w_active=0.8,
       rel_active=0.05),
    _t("Hepatic encephalopathy", "nerv", ["HEPATIC ENCEPHALOPATHY GRADE 1"], w_active=0.6, rel_active=0.02,
       treat="lactulose"),
]

SLE_AE = [
    _t("Arthralgia", "msk", ["JOINT PAIN", "ARTHRALGIA"], w_active=1.5, rel_active=0.05, treat="paracetamol"),
    _t("Herpes zoster", "inf", ["HERPES ZOSTER", "SHINGLES"], w_active=0.5, rel_active=0.02,
       treat="valaciclovir"),
    _t("Alopecia", "skin", ["HAIR LOSS"], w_active=0.5, rel_active=0.0),
    _t("Infusion related reaction", "inj", ["INFUSION REACTION", "CHILLS DURING INFUSION"], w_active=0.8,
       rel_active=0.9, early=True, treat="loratadine"),
]

GVHD_AE = [
    _t("Cytomegalovirus infection reactivation", "inf", ["CMV REACTIVATION", "CMV VIRAEMIA"], w_active=2.0,
       rel_active=0.05, treat="ganciclovir"),
    _t("Thrombocytopenia", "blood", ["THROMBOCYTOPENIA", "LOW PLATELETS"], w_active=2.0, rel_active=0.05),
    _t("Anaemia", "blood", ["ANEMIA"], w_active=1.5, rel_active=0.02),
    _t("Hyperglycaemia", "metab", ["STEROID INDUCED HYPERGLYCEMIA", "HYPERGLYCAEMIA"], w_active=1.5,
       rel_active=0.0),
    _t("Oedema peripheral", "gen", ["LEG EDEMA"], w_active=0.8, rel_active=0.02),
    _t("Infusion related reaction", "inj", ["INFUSION REACTION"], w_active=0.6, rel_active=0.9, early=True,
       treat="loratadine"),
]

AMD_AE = [
    _t("Conjunctival haemorrhage", "eye", ["SUBCONJUNCTIVAL HAEMORRHAGE"], w_active=2.5, rel_active=0.1,
       early=True, zh=("结膜下出血", "球结膜下出血")),
    _t("Eye pain", "eye", ["EYE PAIN AFTER SURGERY"], w_active=2.0, rel_active=0.1, early=True,
       zh=("术后眼痛", "眼痛"), treat="tobradex"),
    _t("Intraocular pressure increased", "inv", ["RAISED INTRAOCULAR PRESSURE"], w_active=1.5, rel_active=0.15,
       zh=("眼压升高",), treat="brimonidine"),
    _t("Cataract", "eye", ["CATARACT PROGRESSION"], w_active=1.0, rel_active=0.05, zh=("白内障加重", "白内障")),
    _t("Vitreous floaters", "eye", ["FLOATERS"], w_active=0.8, rel_active=0.1, zh=("玻璃体飞蚊症", "眼前黑影飘动")),
    _t("Epiretinal membrane", "eye", ["EPIRETINAL MEMBRANE"], w_active=0.6, rel_active=0.2, zh=("视网膜前膜",)),
    _t("Tremor", "nerv", ["TACROLIMUS TREMOR"], w_active=0.6, rel_active=0.0, zh=("手部震颤",)),
]

STROKE_AE = [
    _t("Pneumonia", "inf", ["PNEUMONIA"], w_active=0.8, rel_active=0.02, treat="levofloxacin"),
    _t("Depression", "psych", ["POST-STROKE DEPRESSION"], w_active=0.6, rel_active=0.0),
    _t("Infusion related reaction", "inj", ["INFUSION REACTION"], w_active=0.6, rel_active=0.9, early=True),
]

AE_SETS = {
    "koa": COMMON_AE + KOA_AE,
    "pd": COMMON_AE + PD_AE,
    "cirrhosis": COMMON_AE + CIRRHOSIS_AE,
    "sle": COMMON_AE + SLE_AE,
    "gvhd": COMMON_AE + GVHD_AE,
    "amd": [t for t in COMMON_AE if t.zh] + AMD_AE,
    "stroke": COMMON_AE + STROKE_AE,
}

# unrelated serious events used as background SAEs (grade 3, hospitalisation)
SAE_TERMS = [
    ("Pneumonia", SOC["inf"], "PNEUMONIA REQUIRING HOSPITALISATION"),
    ("Cholelithiasis", SOC["hep"], "GALLSTONES"),
    ("Atrial fibrillation", SOC["card"], "NEW ONSET ATRIAL FIBRILLATION"),
    ("Cerebral infarction", SOC["nerv"], "CEREBRAL INFARCTION"),
    ("Femur fracture", SOC["inj"], "FEMORAL NECK FRACTURE AFTER FALL"),
    ("Angina pectoris", SOC["card"], "UNSTABLE ANGINA"),
]

# fatal events never related to product (used for background deaths)
DEATH_TERMS = [
    ("Myocardial infarction", SOC["card"], "ACUTE MYOCARDIAL INFARCTION"),
    ("Cerebral haemorrhage", SOC["nerv"], "INTRACEREBRAL HAEMORRHAGE"),
    ("Pneumonia", SOC["inf"], "SEVERE PNEUMONIA"),
]

# --------------------------------------------------------------------------- drugs


@dataclass(frozen=True)
class Drug:
    trt: str
    decod: str
    cls: str
    dose: float
    unit: str
    freq: str
    route: str
    zh: str = ""


DRUGS: dict[str, Drug] = {
    "paracetamol": Drug("PARACETAMOL", "PARACETAMOL", "ANALGESICS", 500, "mg", "PRN", "ORAL", "对乙酰氨基酚片"),
    "amoxicillin": Drug("AMOXICILLIN", "AMOXICILLIN", "ANTIBACTERIALS FOR SYSTEMIC USE", 500, "mg", "TID", "ORAL",
                        "阿莫西林胶囊"),
    "levofloxacin": Drug("LEVOFLOXACIN", "LEVOFLOXACIN", "ANTIBACTERIALS FOR SYSTEMIC USE", 500, "mg", "QD",
                         "ORAL", "左氧氟沙星片"),
    "metoclopramide": Drug("METOCLOPRAMIDE", "METOCLOPRAMIDE", "DRUGS FOR FUNCTIONAL GASTROINTESTINAL DISORDERS",
                           10, "mg", "TID", "ORAL", "甲氧氯普胺片"),
    "montmorillonite": Drug("SMECTITE", "SMECTITE", "ANTIDIARRHEALS, INTESTINAL ANTIINFLAMMATORY/ANTIINFECTIVE AGENTS",
                            3, "g", "TID", "ORAL", "蒙脱石散"),
    "lactulose": Drug("LACTULOSE", "LACTULOSE", "DRUGS FOR CONSTIPATION", 15, "mL", "BID", "ORAL", "乳果糖口服溶液"),
    "zolpidem": Drug("ZOLPIDEM", "ZOLPIDEM", "PSYCHOLEPTICS", 10, "mg", "QD", "ORAL", "酒石酸唑吡坦片"),
    "loratadine": Drug("LORATADINE", "LORATADINE", "ANTIHISTAMINES FOR SYSTEMIC USE", 10, "mg", "QD", "ORAL",
                       "氯雷他定片"),
    "amlodipine_new": Drug("AMLODIPINE", "AMLODIPINE", "CALCIUM CHANNEL BLOCKERS", 5, "mg", "QD", "ORAL",
                           "苯磺酸氨氯地平片"),
    "potassium": Drug("POTASSIUM CHLORIDE", "POTASSIUM CHLORIDE", "MINERAL SUPPLEMENTS", 1, "g", "TID", "ORAL",
                      "氯化钾缓释片"),
    "valaciclovir": Drug("VALACICLOVIR", "VALACICLOVIR", "ANTIVIRALS FOR SYSTEMIC USE", 300, "mg", "BID", "ORAL"),
    "ganciclovir": Drug("GANCICLOVIR", "GANCICLOVIR", "ANTIVIRALS FOR SYSTEMIC USE", 5, "mg/kg", "BID",
                        "INTRAVENOUS"),
    "tobradex": Drug("TOBRAMYCIN/DEXAMETHASONE EYE DROPS", "TOBRAMYCIN;DEXAMETHASONE", "OPHTHALMOLOGICALS", 1, "DROP",
                     "QID", "OPHTHALMIC", "妥布霉素地塞米松滴眼液"),
    "brimonidine": Drug("BRIMONIDINE EYE DROPS", "BRIMONIDINE", "ANTIGLAUCOMA PREPARATIONS AND MIOTICS", 1, "DROP",
                        "BID", "OPHTHALMIC", "酒石酸溴莫尼定滴眼液"),
}

# chronic medication per comorbidity (started before consent, ongoing)
COMORBIDITIES = [
    # MH decod, SOC, probability, drug key or None
    ("Hypertension", SOC["vasc"], 0.35, Drug("AMLODIPINE", "AMLODIPINE", "CALCIUM CHANNEL BLOCKERS", 5, "mg", "QD",
                                             "ORAL", "苯磺酸氨氯地平片")),
    ("Type 2 diabetes mellitus", SOC["metab"], 0.15, Drug("METFORMIN", "METFORMIN", "BLOOD GLUCOSE LOWERING DRUGS, "
                                                          "EXCL. INSULINS", 500, "mg", "BID", "ORAL", "盐酸二甲双胍片")),
    ("Hyperlipidaemia", SOC["metab"], 0.2, Drug("ATORVASTATIN", "ATORVASTATIN", "LIPID MODIFYING AGENTS", 20, "mg",
                                                "QD", "ORAL", "阿托伐他汀钙片")),
    ("Gastrooesophageal reflux disease", SOC["gi"], 0.08, Drug("OMEPRAZOLE", "OMEPRAZOLE",
                                                               "DRUGS FOR ACID RELATED DISORDERS", 20, "mg", "QD",
                                                               "ORAL", "奥美拉唑肠溶胶囊")),
]

MH_ZH = {"Hypertension": "高血压", "Type 2 diabetes mellitus": "2型糖尿病", "Hyperlipidaemia": "高脂血症",
         "Gastrooesophageal reflux disease": "胃食管反流病"}

# --------------------------------------------------------------------------- labs and vitals


@dataclass(frozen=True)
class LabTest:
    testcd: str
    test: str
    cat: str
    unit: str
    lo: float
    hi: float
    mean: float
    sd: float
    decimals: int


LAB_TESTS: dict[str, LabTest] = {t.testcd: t for t in [
    LabTest("WBC", "Leukocytes", "HEMATOLOGY", "10^9/L", 3.5, 9.5, 6.2, 1.4, 2),
    LabTest("NEUT", "Neutrophils", "HEMATOLOGY", "10^9/L", 1.8, 6.3, 3.8, 1.0, 2),
    LabTest("LYM", "Lymphocytes", "HEMATOLOGY", "10^9/L", 1.1, 3.2, 1.9, 0.5, 2),
    LabTest("HGB", "Hemoglobin", "HEMATOLOGY", "g/L", 115, 175, 136, 12, 0),
    LabTest("PLAT", "Platelets", "HEMATOLOGY", "10^9/L", 125, 350, 220, 50, 0),
    LabTest("ALT", "Alanine Aminotransferase", "CHEMISTRY", "U/L", 9, 50, 24, 8, 0),
    LabTest("AST", "Aspartate Aminotransferase", "CHEMISTRY", "U/L", 15, 40, 25, 6, 0),
    LabTest("BILI", "Bilirubin", "CHEMISTRY", "umol/L", 3.4, 20.5, 11, 3.5, 1),
    LabTest("ALB", "Albumin", "CHEMISTRY", "g/L", 40, 55, 44, 3, 1),
    LabTest("CREAT", "Creatinine", "CHEMISTRY", "umol/L", 57, 111, 75, 14, 0),
    LabTest("UREA", "Urea", "CHEMISTRY", "mmol/L", 2.8, 7.2, 5.2, 1.2, 2),
    LabTest("GLUC", "Glucose", "CHEMISTRY", "mmol/L", 3.9, 6.1, 5.3, 0.8, 2),
    LabTest("K", "Potassium", "CHEMISTRY", "mmol/L", 3.5, 5.3, 4.2, 0.3, 2),
    LabTest("SODIUM", "Sodium", "CHEMISTRY", "mmol/L", 137, 147, 141, 2, 0),
    LabTest("CRP", "C Reactive Protein", "CHEMISTRY", "mg/L", 0, 10, 3, 2, 1),
    LabTest("INR", "Prothrombin Intl. Normalized Ratio", "COAGULATION", "", 0.8, 1.2, 1.0, 0.06, 2),
    LabTest("AFP", "Alpha Fetoprotein", "TUMOR MARKERS", "ng/mL", 0, 7, 3, 1.2, 2),
    LabTest("CEA", "Carcinoembryonic Antigen", "TUMOR MARKERS", "ng/mL", 0, 5, 2, 0.9, 2),
]}

STANDARD_LABS = ["WBC", "NEUT", "LYM", "HGB", "PLAT", "ALT", "AST", "BILI", "ALB", "CREAT", "GLUC", "K", "CRP",
                 "AFP", "CEA"]


@dataclass(frozen=True)
class VitalTest:
    testcd: str
    test: str
    unit: str
    mean: float
    sd: float
    decimals: int


VITALS = [
    VitalTest("WEIGHT", "Weight", "kg", 0, 0, 1),        # from the subject's weight
    VitalTest("SYSBP", "Systolic Blood Pressure", "mmHg", 128, 12, 0),
    VitalTest("DIABP", "Diastolic Blood Pressure", "mmHg", 79, 8, 0),
    VitalTest("PULSE", "Pulse Rate", "beats/min", 74, 8, 0),
    VitalTest("TEMP", "Temperature", "C", 36.6, 0.3, 1),
    VitalTest("RESP", "Respiratory Rate", "breaths/min", 17, 2, 0),
]

# --------------------------------------------------------------------------- CMC


@dataclass(frozen=True)
class Attribute:
    name: str
    unit: str
    mean: float | None = None     # numeric attributes
    sd: float | None = None
    low: float | None = None
    high: float | None = None
    decimals: int = 1
    text: str | None = None       # text attributes: passing result = spec text


def msc_attributes() -> list[Attribute]:
    return [
        Attribute("VIABILITY", "%", 93.5, 1.6, 80, None, 1),
        Attribute("CELL_COUNT", "10^8 cells", 3.2, 0.3, 2.0, None, 2),
        Attribute("CD73", "%", 99.2, 0.35, 95, None, 1),
        Attribute("CD90", "%", 99.0, 0.4, 95, None, 1),
        Attribute("CD105", "%", 98.3, 0.6, 95, None, 1),
        Attribute("CD34", "%", 0.35, 0.12, None, 2, 2),
        Attribute("CD45", "%", 0.4, 0.12, None, 2, 2),
        Attribute("HLA_DR", "%", 0.5, 0.15, None, 2, 2),
        Attribute("STERILITY", "", text="NEGATIVE"),
        Attribute("MYCOPLASMA", "", text="NEGATIVE"),
        Attribute("ENDOTOXIN", "EU/mL", 0.12, 0.03, None, 0.5, 3),
        Attribute("KARYOTYPE", "", text="46,XX"),
        Attribute("POTENCY", "% inhibition of T-cell proliferation", 62, 5, 30, None, 1),
    ]


def pluripotent_attributes(identity: str, identity_mean: float, karyotype: str, potency_unit: str,
                           potency_mean: float, potency_low: float) -> list[Attribute]:
    return [
        Attribute("VIABILITY", "%", 90.5, 1.8, 80, None, 1),
        Attribute("CELL_COUNT", "10^7 cells", 4.1, 0.3, 3.0, None, 2),
        Attribute(identity, "%", identity_mean, 2.0, identity_mean - 15, None, 1),
        Attribute("RESIDUAL_UNDIFF", "%", 0.012, 0.004, None, 0.1, 3),
        Attribute("STERILITY", "", text="NEGATIVE"),
        Attribute("MYCOPLASMA", "", text="NEGATIVE"),
        Attribute("ENDOTOXIN", "EU/mL", 0.1, 0.025, None, 0.5, 3),
        Attribute("KARYOTYPE", "", text=karyotype),
        Attribute("POTENCY", potency_unit, potency_mean, potency_mean * 0.06, potency_low, None, 1),
    ]


# --------------------------------------------------------------------------- SDTM labels

LABELS = {
    "STUDYID": "Study Identifier", "DOMAIN": "Domain Abbreviation", "USUBJID": "Unique Subject Identifier",
    "SUBJID": "Subject Identifier for the Study", "RFSTDTC": "Subject Reference Start Date/Time",
    "RFENDTC": "Subject Reference End Date/Time", "RFXSTDTC": "Date/Time of First Study Treatment",
    "RFXENDTC": "Date/Time of Last Study Treatment", "RFICDTC": "Date/Time of Informed Consent",
    "RFPENDTC": "Date/Time of End of Participation", "DTHDTC": "Date/Time of Death", "DTHFL": "Subject Death Flag",
    "SITEID": "Study Site Identifier", "AGE": "Age", "AGEU": "Age Units", "SEX": "Sex", "RACE": "Race",
    "ETHNIC": "Ethnicity", "ARMCD": "Planned Arm Code", "ARM": "Description of Planned Arm",
    "ACTARMCD": "Actual Arm Code", "ACTARM": "Description of Actual Arm", "COUNTRY": "Country",
    "DMDTC": "Date/Time of Collection", "EPOCH": "Epoch", "VISITNUM": "Visit Number", "VISIT": "Visit Name",
    "DSSEQ": "Sequence Number", "DSTERM": "Reported Term for the Disposition Event",
    "DSDECOD": "Standardized Disposition Term", "DSCAT": "Category for Disposition Event",
    "DSSTDTC": "Start Date/Time of Disposition Event", "DSSTDY": "Study Day of Start of Disposition Event",
    "IESEQ": "Sequence Number", "IETESTCD": "Incl/Excl Criterion Short Name", "IETEST": "Inclusion/Exclusion Criterion",
    "IECAT": "Inclusion/Exclusion Category", "IEORRES": "I/E Criterion Original Result",
    "IESTRESC": "I/E Criterion Result in Std Format", "IEDTC": "Date/Time of Collection",
    "EXSEQ": "Sequence Number", "EXTRT": "Name of Treatment", "EXDOSE": "Dose", "EXDOSU": "Dose Units",
    "EXDOSFRM": "Dose Form", "EXDOSFRQ": "Dosing Frequency per Interval", "EXROUTE": "Route of Administration",
    "EXLOT": "Lot Number", "EXSTDTC": "Start Date/Time of Treatment", "EXENDTC": "End Date/Time of Treatment",
    "EXSTDY": "Study Day of Start of Treatment", "EXENDY": "Study Day of End of Treatment",
    "AESEQ": "Sequence Number", "AETERM": "Reported Term for the Adverse Event",
    "AEDECOD": "Dictionary-Derived Term", "AEBODSYS": "Body System or Organ Class", "AESEV": "Severity/Intensity",
    "AETOXGR": "Standard Toxicity Grade", "AESER": "Serious Event", "AEREL": "Causality",
    "AEACN": "Action Taken with Study Treatment", "AEOUT": "Outcome of Adverse Event",
    "AESDTH": "Results in Death", "AESHOSP": "Requires or Prolongs Hospitalization",
    "AESTDTC": "Start Date/Time of Adverse Event", "AEENDTC": "End Date/Time of Adverse Event",
    "AESTDY": "Study Day of Start of Adverse Event", "AEENDY": "Study Day of End of Adverse Event",
    "AEDLT": "Dose-Limiting Toxicity", "CMSEQ": "Sequence Number", "CMTRT": "Reported Name of Drug, Med, or Therapy",
    "CMDECOD": "Standardized Medication Name", "CMCLAS": "Medication Class", "CMINDC": "Indication",
    "CMDOSE": "Dose per Administration", "CMDOSU": "Dose Units", "CMDOSFRQ": "Dosing Frequency per Interval",
    "CMROUTE": "Route of Administration", "CMSTDTC": "Start Date/Time of Medication",
    "CMENDTC": "End Date/Time of Medication", "CMENRTPT": "End Relative to Reference Time Point",
    "CMENTPT": "End Reference Time Point", "MHSEQ": "Sequence Number",
    "MHTERM": "Reported Term for the Medical History", "MHDECOD": "Dictionary-Derived Term",
    "MHBODSYS": "Body System or Organ Class", "MHCAT": "Category for Medical History",
    "MHSTDTC": "Start Date/Time of Medical History Event", "MHENRTPT": "End Relative to Reference Time Point",
    "MHENTPT": "End Reference Time Point", "LBSEQ": "Sequence Number", "LBTESTCD": "Lab Test or Examination Short Name",
    "LBTEST": "Lab Test or Examination Name", "LBCAT": "Category for Lab Test",
    "LBORRES": "Result or Finding in Original Units",
    "LBORRESU": "Original Units", "LBORNRLO": "Reference Range Lower Limit in Orig Unit",
    "LBORNRHI": "Reference Range Upper Limit in Orig Unit", "LBSTRESC": "Character Result/Finding in Std Format",
    "LBSTRESN": "Numeric Result/Finding in Standard Units", "LBSTRESU": "Standard Units",
    "LBSTNRLO": "Reference Range Lower Limit-Std Units", "LBSTNRHI": "Reference Range Upper Limit-Std Units",
    "LBNRIND": "Reference Range Indicator", "LBBLFL": "Baseline Flag", "LBDTC": "Date/Time of Specimen Collection",
    "LBDY": "Study Day of Specimen Collection", "VSSEQ": "Sequence Number", "VSTESTCD": "Vital Signs Test Short Name",
    "VSTEST": "Vital Signs Test Name", "VSORRES": "Result or Finding in Original Units", "VSORRESU": "Original Units",
    "VSSTRESC": "Character Result/Finding in Std Format", "VSSTRESN": "Numeric Result/Finding in Standard Units",
    "VSSTRESU": "Standard Units", "VSBLFL": "Baseline Flag", "VSDTC": "Date/Time of Measurements",
    "VSDY": "Study Day of Vital Signs", "SVSTDTC": "Start Date/Time of Visit", "SVENDTC": "End Date/Time of Visit",
    "SVSTDY": "Study Day of Start of Visit", "RDOMAIN": "Related Domain Abbreviation",
    "IDVAR": "Identifying Variable", "IDVARVAL": "Identifying Variable Value", "QNAM": "Qualifier Variable Name",
    "QLABEL": "Qualifier Variable Label", "QVAL": "Data Value", "QORIG": "Origin", "QEVAL": "Evaluator",
}

DOMAIN_LABELS = {
    "DM": "Demographics", "DS": "Disposition", "IE": "Inclusion/Exclusion Criteria Not Met", "EX": "Exposure",
    "AE": "Adverse Events", "CM": "Concomitant Medications", "MH": "Medical History", "LB": "Laboratory Test Results",
    "VS": "Vital Signs", "SV": "Subject Visits", "QS": "Questionnaires",
    "RS": "Disease Response and Clin Classification",
    "OE": "Ophthalmic Examinations", "SUPPAE": "Supplemental Qualifiers for AE",
}


def label_for(col: str) -> str:
    """SDTM label of a variable; generic --xxx labels derived from the suffix for findings domains."""
    if col in LABELS:
        return LABELS[col]
    generic = {"SEQ": "Sequence Number", "TESTCD": "Short Name of Measurement, Test or Examination",
               "TEST": "Name of Measurement, Test or Examination", "CAT": "Category",
               "ORRES": "Result or Finding in Original Units", "ORRESU": "Original Units",
               "STRESC": "Character Result/Finding in Std Format", "STRESN": "Numeric Result/Finding in Standard Units",
               "STRESU": "Standard Units", "BLFL": "Baseline Flag", "DTC": "Date/Time of Collection",
               "DY": "Study Day of Collection", "LOC": "Location Used for the Measurement", "LAT": "Laterality",
               "METHOD": "Method of Test or Examination", "EVAL": "Evaluator"}
    for suffix, text in generic.items():
        if col[2:] == suffix:
            return text
    return col


@dataclass
class DocText:
    """Bilingual title of an essential document type."""

    zh: str
    en: str


DOC_TITLES = {
    "PROTOCOL": DocText("临床研究方案", "Clinical study protocol"),
    "PROTOCOL_AMENDMENT": DocText("临床研究方案修订", "Protocol amendment"),
    "ETHICS_APPROVAL": DocText("伦理委员会审查批件", "Ethics committee approval"),
    "REGISTRATION_RECORD": DocText("干细胞临床研究备案记录", "Stem-cell clinical study filing (备案) record"),
    "ICF_TEMPLATE": DocText("知情同意书（模板）", "Informed consent form template"),
    "ICF_SIGNED": DocText("已签署知情同意书", "Signed informed consent"),
    "LTFU_ICF_SIGNED": DocText("长期随访研究知情同意书（已签署）", "Signed long-term follow-up consent"),
    "IB": DocText("研究者手册", "Investigator's brochure"),
    "INVESTIGATOR_CV": DocText("研究者履历", "Investigator curriculum vitae"),
    "TRAINING_RECORD": DocText("细胞产品储存、复苏、配制及给药培训记录",
                               "Training record: product storage, thaw, preparation and administration"),
    "SOP_PRODUCT_HANDLING": DocText("细胞产品储存、复苏、配制及给药标准操作规程",
                                    "SOP for product storage, thaw, preparation and administration"),
    "RISK_CONTROL_PLAN": DocText("风险控制计划", "Risk-control plan"),
    "MONITORING_REPORT": DocText("监查访视报告", "Monitoring visit report"),
    "SAE_REPORT": DocText("严重不良事件报告", "Serious adverse event report"),
    "STOPPING_RULE_REVIEW": DocText("研究停止规则触发后评估报告", "Stopping-rule review"),
    "PRODUCT_ACCOUNTABILITY": DocText("研究产品接收、储存、发放记录", "Product accountability records"),
    "BATCH_RELEASE_CERT": DocText("批放行证书", "Batch release certificate"),
    "COMPARABILITY_REPORT": DocText("工艺变更可比性研究报告", "Process-change comparability report"),
    "NONCLINICAL_SUMMARY": DocText("非临床研究综述（药理、毒理、致瘤性）",
                                   "Nonclinical summary (pharmacology, toxicology, tumorigenicity)"),
    "BIODISTRIBUTION_REPORT": DocText("体内存活、分布及持续性研究报告",
                                      "In vivo survival, biodistribution and persistence report"),
    "SAP": DocText("统计分析计划", "Statistical analysis plan"),
    "DMP": DocText("数据管理计划", "Data management plan"),
    "CSR": DocText("临床研究报告", "Clinical study report (ICH E3)"),
    "DEVIATION_LOG": DocText("方案偏离记录", "Protocol deviation log"),
}

__all__ = ["AETerm", "AE_SETS", "Attribute", "COMORBIDITIES", "DEATH_TERMS", "DOC_TITLES", "DOMAIN_LABELS",
           "DRUGS", "Drug", "HOSPITALS", "HOSPITAL_ORDER", "Hospital", "LAB_TESTS", "LABELS", "LabTest", "MH_ZH",
           "SAE_TERMS", "SOC", "STANDARD_LABS", "VITALS", "VitalTest", "label_for", "msc_attributes",
           "pluripotent_attributes"]
