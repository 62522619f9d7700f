"""submission.yaml: safe loading, typed validation, per-field problems in plain words."""
from __future__ import annotations

from workbench.manifest import ProblemKind, parse_manifest

GOOD = """
submission_id: SCX-2026-001
title: 同种异体脐带间充质干细胞治疗膝骨关节炎的备案临床研究
product: {name: UC-MSC, cell_type: MSC, source: allogeneic, commercial_process_version: P2}
study:
  design: randomized_controlled
  stage: exploratory_and_confirmatory
  arms:
    - {armcd: DL1, dose: 1.0e6, dose_unit: cells/kg}
    - {armcd: PBO, dose: 0, control: true}
  primary_endpoint: {domain: qs, testcd: WOMACT, visit: WEEK 48, type: clinical, better: lower}
"""


def test_valid_manifest():
    m, problems = parse_manifest(GOOD)
    assert problems == []
    assert m.study.arms[1].is_control and not m.study.arms[0].is_control
    assert m.study.primary_endpoint.domain == "QS"
    assert m.study.followup.required_days is None and m.study.dlt.window_days is None   # not declared
    assert m.next_stage is None


def test_next_stage_and_undeclared_dlt():
    m, problems = parse_manifest(GOOD + "next_stage: {dose: 3.0e6, dose_unit: cells/kg, frequency: {administrations: 2, "
                                        "interval_days: 28}, population: adults}\n")
    assert problems == []
    assert (m.next_stage.dose, m.next_stage.dose_unit, m.next_stage.frequency.administrations,
            m.next_stage.frequency.interval_days, m.next_stage.population) == (3.0e6, "cells/kg", 2, 28, "adults")
    m, problems = parse_manifest(GOOD + "next_stage: {dose: -1, frequency: {administrations: 0}}\n")
    assert {p.field for p in problems} == {"next_stage.dose", "next_stage.frequency.administrations"}


def test_invalid_value_names_field_and_allowed_values_and_keeps_the_rest():
    m, problems = parse_manifest(GOOD.replace("design: randomized_controlled", "design: crossover"))
    assert len(problems) == 1
    p = problems[0]
    assert p.kind == ProblemKind.INVALID and p.field == "study.design"
    assert "crossover" in p.message_en and "randomized_controlled" in p.message_en
    assert "study.design" in p.message_zh
    assert m.study.design is None and m.study.stage == "exploratory_and_confirmatory" and len(m.study.arms) == 2


def test_unknown_key_reported_not_fatal():
    m, problems = parse_manifest(GOOD + "favourite_colour: blue\n")
    assert [(p.field, p.kind) for p in problems] == [("favourite_colour", ProblemKind.UNKNOWN_KEY)]
    assert m.submission_id == "SCX-2026-001"


def test_wrong_types_per_field():
    text = GOOD.replace("dose: 1.0e6", "dose: lots").replace("submission_id: SCX-2026-001", "submission_id: ../../etc")
    m, problems = parse_manifest(text)
    fields = {p.field for p in problems}
    assert "submission_id" in fields and any(f.startswith("study.arms[0]") for f in fields)
    assert m.submission_id is None


def test_yaml_object_tags_refused():
    m, problems = parse_manifest("submission_id: !!python/object/apply:os.system ['echo pwned']\n")
    assert m is None and problems[0].kind == ProblemKind.UNREADABLE


def test_billion_laughs_refused_quickly():
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, 9):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        bomb += f"{cur}: &{cur} [{', '.join('*' + prev for _ in range(9))}]\n"
    m, problems = parse_manifest(bomb)
    assert m is None and problems[0].kind == ProblemKind.UNREADABLE
    assert "alias" in problems[0].message_en


def test_not_a_mapping():
    m, problems = parse_manifest("- just\n- a list\n")
    assert problems and problems[0].kind == ProblemKind.INVALID
