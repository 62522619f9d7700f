"""docs/extending.md runs as written: its example check registers, fires on a planted case, stays quiet on the
clean study; and checks declared in the `workbench.checks` entry-point group are loaded by the registry."""
from __future__ import annotations

import re
import sys
from pathlib import Path

from factory import clean_study, load_study

from workbench.checks import registry, run_checks
from workbench.checks.registry import CheckRegistry

DOC = Path(__file__).resolve().parents[2] / "docs" / "extending.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.S)


def test_doc_example_check(tmp_path, monkeypatch):
    """The example module and its tests, run as the doc shows them (twice: the fixture re-registers)."""
    (tmp_path / "mychecks.py").write_text(_blocks("python")[0], encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "mychecks", raising=False)
    ns: dict = {}
    exec(compile(_blocks("python")[1], "test_lab_001.py", "exec"), ns)
    try:
        for name in ("test_alt_elevation_fires", "test_alt_quiet_on_clean"):
            fixture = ns["lab_check"].__wrapped__()  # the doc's fixture, driven by hand
            check_id = next(fixture)
            spec = registry.get(check_id)
            assert spec.element.value == "safety" and not spec.builtin
            ns[name](check_id, tmp_path / name)
            next(fixture, None)  # teardown: unregisters LAB-001
            assert check_id not in registry.ids()
    finally:
        registry.unregister("LAB-001")
        sys.modules.pop("mychecks", None)


def test_entry_point_group_loads_checks(monkeypatch, tmp_path):
    """A module named in the `workbench.checks` entry-point group is imported once and its checks registered."""
    reg = CheckRegistry()

    class EP:
        name, group, value = "lab_checks", "workbench.checks", "labplugin"

        def load(self):
            from workbench.checks import check

            @check("PLG-001", "safety", "minor", "G-2.2.1", "Plugin check", "插件检查", registry=reg)
            def plugin(sub, out):
                """Always one minor finding."""
                out.add("minor", "plugin ran", "插件已运行")

            return plugin

    import importlib.metadata as md

    monkeypatch.setattr(md, "entry_points", lambda group=None: [EP()] if group == "workbench.checks" else [])
    assert reg.ids() == ["PLG-001"]
    run = run_checks(load_study(clean_study(), tmp_path), reg=reg)
    assert [(f.check_id, f.severity.value) for f in run.findings] == [("PLG-001", "minor")]


def test_review_command_loads_an_analysts_check_file(tmp_path):
    """`workbench review SUB --checks my_checks.py` runs the analyst's check (the doc's example), and a broken file
    is refused with one line naming it (exit 2)."""
    import json
    import subprocess

    mod = tmp_path / "my_checks.py"
    mod.write_text(_blocks("python")[0], encoding="utf-8")
    sample = Path(__file__).resolve().parents[2] / "sample_data" / "rct-ucmsc-koa"
    run = subprocess.run([sys.executable, "-m", "workbench.cli", "review", str(sample), "--out", str(tmp_path / "out"),
                          "--checks", str(mod)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    doc = json.loads((tmp_path / "out" / "review.json").read_text(encoding="utf-8"))
    assert {c["check_id"]: c["status"] for c in doc["checks"]}["LAB-001"] in ("pass", "fail", "not_applicable")
    bad = tmp_path / "broken.py"
    bad.write_text("import no_such_module_here\n", encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "workbench.cli", "review", str(sample), "--out", str(tmp_path / "o2"),
                          "--checks", str(bad)], capture_output=True, text=True, timeout=300)
    assert run.returncode == 2 and "broken.py" in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_doc_analysis_example_registers_and_runs(tmp_path):
    """docs/extending.md's analysis example, run as written."""
    import workbench.analyses as analyses

    code = _blocks("python")[-1]
    ns: dict = {}
    exec(compile(code, "example_analysis.py", "exec"), ns)
    try:
        sub = load_study(clean_study(), tmp_path)
        res = analyses.run_analyses(sub, only=["n_sites"])
        assert res.extra["n_sites"] == {"n_sites": int(sub.study.subjects.loc[sub.study.subjects["DOSED"], "SITE"]
                                                       .nunique())} and res.extra["n_sites"]["n_sites"] > 0
        assert analyses.registry.get("n_sites").clauses == ("G-2.1.3b",)
    finally:
        analyses.unregister("n_sites")
