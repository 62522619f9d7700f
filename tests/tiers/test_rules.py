"""The rules file: shipped defaults, replacement files, validation messages, hash recorded."""
from __future__ import annotations

from pathlib import Path

import pytest
from tierdata import classify, t4_analyses, t4_facts

import workbench
from workbench.rules import values_sha256
from workbench.tiers import Rules, RulesError, load_rules

SHIPPED = Path(workbench.__file__).parent / "rules" / "default.yaml"


def test_shipped_rules_and_hash():
    r = load_rules(None)
    assert r.path == "default"
    assert r.sha256 == values_sha256(r.values())          # the thresholds in force, not the file's bytes
    assert load_rules("default").sha256 == r.sha256
    assert r.to_dict() == {"path": "default", "sha256": r.sha256}
    v = r.values()
    assert (v["related_sae_rate"], v["min_arm_dosed_for_rate"], v["t4_min_active_dosed"], v["follow_up_share"],
            v["t4_p_value"], v["t3_min_dosed"], v["t2_min_evaluable"], v["default_window_days"]) == \
        (0.20, 3, 100, 0.80, 0.05, 6, 3, 28)
    assert v["t4_required_documents"] == ["BIODISTRIBUTION_REPORT", "NONCLINICAL_SUMMARY"]
    assert v["t4_major_finding_elements"] == ["efficacy", "safety", "follow_up"]


def test_every_model_key_is_in_the_shipped_file():
    import yaml
    shipped = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    assert set(shipped) == set(Rules.model_fields)


def test_override_file_changes_outcome_and_hash_is_recorded(tmp_path):
    a = t4_analyses(active=(30, 30))                       # 60 active dosed: T3 under the defaults
    assert classify([], a, t4_facts(), load_rules(None)).proposed.value == "T3"
    f = tmp_path / "lenient.yaml"
    f.write_text("# smaller confirmatory programme\nt4_min_active_dosed: 50\n", encoding="utf-8")
    rules = load_rules(f)
    assert rules.t4_min_active_dosed == 50 and rules.t3_min_dosed == 6      # other keys keep the shipped values
    res = classify([], a, t4_facts(), rules)
    assert res.proposed.value == "T4"
    d = res.to_dict()
    assert d["rules"] == {"path": str(f.resolve()), "sha256": values_sha256(rules.values())}
    assert d["rules"]["sha256"] != load_rules(None).sha256
    assert "≥ 50" in res.criterion("T4.safety_set_size").evidence_en


def test_override_related_sae_threshold(tmp_path):
    a = t4_analyses()
    a["safety"]["overview"][1]["related_serious"] = 9       # 9/60 = 0.15
    assert classify([], a, t4_facts(), load_rules(None)).proposed.value == "T4"
    f = tmp_path / "strict.yaml"
    f.write_text("related_sae_rate: 0.10\n", encoding="utf-8")
    assert classify([], a, t4_facts(), load_rules(f)).proposed.value == "T1"


@pytest.mark.parametrize("text,key", [
    ("related_sae_rat: 0.2\n", "related_sae_rat"),                       # unknown key (typo)
    ("related_sae_rate: 1.5\n", "related_sae_rate"),                     # out of range
    ("related_sae_rate: 'high'\n", "related_sae_rate"),                  # not a number
    ("related_sae_rate: true\n", "related_sae_rate"),                    # bool is not a number
    ("t3_min_dosed: 0\n", "t3_min_dosed"),
    ("t3_min_dosed: 6.5\n", "t3_min_dosed"),
    ("follow_up_share: .nan\n", "follow_up_share"),
    ("t4_required_documents: [BIODISTRIBUTION_REPORT, BIO_REPORT]\n", "t4_required_documents"),
    ("t4_major_finding_elements: [efficacy, efficiency]\n", "t4_major_finding_elements"),
    ("t4_designs: [randomised]\n", "t4_designs"),
    ("version: 2\n", "version"),
])
def test_invalid_rules_rejected_naming_key_and_file(tmp_path, text, key):
    f = tmp_path / "bad-rules.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError) as exc:
        load_rules(f)
    msg = str(exc.value)
    assert f"'{key}" in msg and str(f) in msg
    assert exc.value.key == key and exc.value.path == str(f)


@pytest.mark.parametrize("text,fragment", [("- a\n- b\n", "mapping"), ("a: [1,\n", "YAML"),
                                           ("!!python/object:os.system {}\n", "YAML")])
def test_unreadable_rules_rejected(tmp_path, text, fragment):
    f = tmp_path / "r.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match=fragment) as exc:
        load_rules(f)
    assert str(f) in str(exc.value)


def test_missing_rules_file(tmp_path):
    with pytest.raises(RulesError, match="cannot be read"):
        load_rules(tmp_path / "nope.yaml")


def test_empty_file_means_defaults_and_their_hash(tmp_path):
    f = tmp_path / "empty.yaml"
    f.write_bytes(b"")
    r = load_rules(f)
    assert r.values() == load_rules(None).values()
    assert r.sha256 == load_rules(None).sha256 and r.path == str(f.resolve())


def test_rules_are_immutable():
    r = load_rules(None)
    with pytest.raises(Exception):
        r.t3_min_dosed = 1


def test_rules_file_extends_vocabularies_and_the_review_reads_with_them(tmp_path):
    """A reviewer adds a causality value; the review counts it as related, and a new category is refused."""
    import pandas as pd

    from workbench.review import run_review

    folder = tmp_path / "s"
    folder.mkdir()
    pd.DataFrame({"USUBJID": ["A"], "ARMCD": ["DL1"]}).to_csv(folder / "dm.csv", index=False)
    pd.DataFrame({"USUBJID": ["A"], "EXDOSE": ["1"], "EXDOSU": ["10^6 cells"], "EXSTDTC": ["2021-01-01"]}) \
        .to_csv(folder / "ex.csv", index=False)
    pd.DataFrame({"USUBJID": ["A"], "AESEQ": [1], "AETERM": ["Fever"], "AESTDTC": ["2021-01-02"],
                  "AEREL": ["相关性可能"]}).to_csv(folder / "ae.csv", index=False)
    default = run_review(folder)
    ae = default.submission.study.adverse_events
    assert not ae["RELATED_KNOWN"].iloc[0]                      # outside the shipped vocabulary: conservative
    f = tmp_path / "mine.yaml"
    f.write_text("vocabularies:\n  causality:\n    related: [相关性可能]\n", encoding="utf-8")
    mine = run_review(folder, rules_path=f)
    ae = mine.submission.study.adverse_events
    assert ae["RELATED_KNOWN"].iloc[0] and ae["RELATED"].iloc[0]
    assert "POSSIBLE" in mine.rules.vocabularies["causality"]["related"]   # added to, not replaced
    f.write_text("vocabularies:\n  causality:\n    maybe: [X]\n", encoding="utf-8")
    with pytest.raises(RulesError, match="vocabularies.causality.maybe"):
        load_rules(f)
