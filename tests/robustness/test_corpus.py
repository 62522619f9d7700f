"""Issue 9: every bad input of the corpus gives a review (exit 0, the expected finding) or exit 2 with one line;
never exit 1, never a traceback, nothing written outside the output folder, memory and time bounded.

The corpus (``corpus.py``) is written once per module into a temporary folder. Most cases are reviewed
in-process by a pool of two worker processes (fast); a representative subset, and every case that could
blow up memory or hang, goes through the real ``workbench review`` CLI in a subprocess whose RSS is
watched (killed above 1.5 GB) and whose wall time is bounded. Counts by kind and outcome are printed and
written to ``test-artifacts/robustness-summary.json``.
"""
from __future__ import annotations

import json
import os
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import corpus
import runner

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
ALL = corpus.cases()
BY_NAME = {c.name: c for c in ALL}
# in-process cases that also render report.html (the first of each kind whose values reach the figures)
REPORT_KINDS = ("bad date", "numbers as text", "non-numeric dose", "bad unit", "zero rows", "duplicate keys",
                "missing key column", "manifest", "submission id", "csv")
WITH_REPORT: set[str] = set()
for _c in ALL:
    if _c.kind in REPORT_KINDS and not _c.cli and not _c.exit2 and not _c.bug and \
            not any(BY_NAME[n].kind == _c.kind for n in WITH_REPORT):
        WITH_REPORT.add(_c.name)


def _param(c: corpus.Case):
    marks = [pytest.mark.xfail(strict=True, reason=f"BUG: {c.bug}")] if c.bug else []
    return pytest.param(c.name, id=c.name, marks=marks)


def _selected(request) -> set[str] | None:
    """Case names of the test_case items pytest will run (all cases when only the module-level tests run)."""
    names = set()
    for item in request.session.items:
        cs = getattr(item, "callspec", None)
        if cs is not None and item.module is request.module and "name" in cs.params:
            names.add(cs.params["name"])
    only_cases = all(getattr(i, "originalname", "") == "test_case" for i in request.session.items
                     if i.module is request.module)
    return names if names and only_cases else None


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory, request):
    base = tmp_path_factory.mktemp("robustness")
    root, out, logs = base / "corpus", base / "out", base / "logs"
    t0 = time.perf_counter()
    cases = corpus.build_corpus(root, _selected(request))
    built = time.perf_counter() - t0
    env = runner.cli_env(base)
    out.mkdir()
    logs.mkdir()
    tmpdir = base / "tmpdir"          # TMPDIR of the CLI runs: only exit-1 error logs may appear there
    exclude = (out, logs, tmpdir)
    parent = base.parent
    parent_before = (os.lstat(parent).st_mtime_ns, sorted(os.listdir(parent)))
    before = runner.snapshot(base, exclude)
    t1 = time.perf_counter()
    # two lanes (2 cores): each lane runs one CLI subprocess or one in-process case of the worker pool at a time;
    # the CLI cases first, longest timeout first, so the slow ones overlap the many short in-process ones
    order = sorted(cases, key=lambda c: (not c.cli, -c.timeout))
    with runner.pool(2) as pool, ThreadPoolExecutor(2) as lanes:
        def run(c: corpus.Case) -> runner.Outcome:
            if c.cli:
                return runner.review_cli(c.path, out / c.name, env, base, logs / c.name, c.timeout)
            try:
                return pool.apply_async(runner.review_inprocess, (str(c.path), str(out / c.name)
                                        if c.name in WITH_REPORT else None)).get(timeout=c.timeout * 2)
            except Exception as exc:  # noqa: BLE001 - a hung or dead worker is that case's failure
                return runner.Outcome("killed", f"in-process run did not finish: {exc!r}", killed="timeout")
        futures = {c.name: lanes.submit(run, c) for c in order}
        results = {name: f.result() for name, f in futures.items()}
    elapsed = time.perf_counter() - t1
    after = runner.snapshot(base, exclude)
    parent_after = (os.lstat(parent).st_mtime_ns, sorted(os.listdir(parent)))
    summary = _summary(cases, results, built, elapsed)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "robustness-summary.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n",
                                                       encoding="utf-8")
    return {"base": base, "root": root, "out": out, "cases": {c.name: c for c in cases}, "results": results,
            "before": before, "after": after, "parent": (parent_before, parent_after), "summary": summary}


def _summary(cases, results, built: float, elapsed: float) -> dict:
    by_kind: dict[str, Counter] = defaultdict(Counter)
    for c in cases:
        o = results[c.name]
        by_kind[c.kind]["tried"] += 1
        by_kind[c.kind][_label(o)] += 1
        if c.bug:
            by_kind[c.kind]["known bug (xfail)"] += 1
    outcomes = Counter(_label(results[c.name]) for c in cases)
    return {"bad_inputs": len(cases), "through_cli": sum(c.cli for c in cases), "known_bugs": sum(bool(c.bug) for c in cases),
            "seconds_build": round(built, 1), "seconds_run": round(elapsed, 1), "outcomes": dict(outcomes),
            "by_kind": {k: dict(v) for k, v in sorted(by_kind.items())},
            "cases": {c.name: {"kind": c.kind, "via": "cli" if c.cli else "inprocess", "outcome": _label(results[c.name]),
                               "seconds": round(results[c.name].seconds, 2),
                               "peak_rss_mb": (round(results[c.name].peak_rss_mb)
                                               if results[c.name].peak_rss_mb is not None else None),
                               "bug": c.bug} for c in cases}}


def _label(o: runner.Outcome) -> str:
    return f"killed ({o.killed})" if o.exit == "killed" else f"exit {o.exit}"


def _matches(f: dict, check: str, text: str | None) -> bool:
    if check != "*" and f["check_id"] not in check.split("|"):
        return False
    return text is None or text in (f.get("record") or "") or text in (f.get("message_en") or "")


def _no_nan(doc_text: str) -> dict:
    def refuse(name):
        raise AssertionError(f"review.json contains {name}")
    return json.loads(doc_text, parse_constant=refuse)


@pytest.mark.parametrize("name", [_param(c) for c in ALL])
def test_case(corpus_run, name):
    case: corpus.Case = corpus_run["cases"][name]
    o: runner.Outcome = corpus_run["results"][name]
    where = f"[{o.via}] {name}: exit {o.exit} {o.killed or ''} after {o.seconds:.1f} s"
    assert o.exit != "killed", f"{where}: killed for {o.killed} (peak RSS {o.peak_rss_mb} MB)\n{o.stderr[-1500:]}"
    assert o.exit != "1", f"{where}: internal error\n{o.stderr[-1500:]}\n{o.traceback or ''}"
    assert "Traceback" not in o.stderr, f"{where}: traceback on stderr\n{o.stderr[-3000:]}"
    if o.peak_rss_mb is not None:
        assert o.peak_rss_mb < runner.MEMORY_LIMIT_MB, f"{where}: peak RSS {o.peak_rss_mb:.0f} MB"
    assert o.seconds < case.timeout, where
    if case.exit2:
        assert o.exit == "2", where
        lines = o.stderr.rstrip("\n").split("\n")
        assert len(lines) == 1 and "\r" not in o.stderr and lines[0].startswith("workbench: cannot review:"), \
            f"{where}: stderr is not one line: {o.stderr!r}"
        assert not (corpus_run["out"] / name / "review.json").exists()
        return
    assert o.exit == "0", f"{where}\n{o.stderr[-1500:]}"
    doc = o.doc
    assert doc is not None and doc["schema_version"] == "1"
    if o.via == "cli":
        out = corpus_run["out"] / name
        doc = _no_nan((out / "review.json").read_text(encoding="utf-8"))
        report = (out / "report.html").read_text(encoding="utf-8")
        assert corpus.CANARY not in report
        assert not [p.name for p in out.iterdir() if p.name not in ("review.json", "report.html", "tables.xlsx",
                                                                    "review.docx", "tables")]
    assert corpus.CANARY not in json.dumps(doc, ensure_ascii=False), f"{where}: content of a file outside leaked"
    errors = [(r["check_id"], r.get("reason_en")) for r in doc["checks"] if r["status"] == "error"]
    assert errors == [], f"{where}: checks raised: {errors}"
    assert not (doc.get("analyses") or {}).get("errors"), f"{where}: analyses raised: {doc['analyses']['errors']}"
    findings = doc["findings"]
    missing = [(c, t) for c, t in case.expect if not any(_matches(f, c, t) for f in findings)]
    got = sorted({(f["check_id"], f["severity"]) for f in findings if f["severity"] != "info"})
    assert missing == [], f"{where}: expected findings {missing} not found; got {got}"
    unexpected = [(c, t) for c, t in case.absent if any(_matches(f, c, t) for f in findings)]
    assert unexpected == [], f"{where}: findings that should not be there: {unexpected}"
    if case.verify is not None:
        case.verify(doc)


def test_nothing_written_outside_out(corpus_run):
    """Inputs hashed before and after every run: unchanged; no file appears anywhere but in the output folders
    (HOME, caches and TMPDIR of the CLI runs are inside the snapshot too); the parent folder is untouched."""
    changes = runner.diff(corpus_run["before"], corpus_run["after"])
    assert changes == [], "\n".join(changes[:50])
    assert not (corpus_run["root"] / corpus.OUTSIDE / "PWNED").exists()
    (mt_before, ls_before), (mt_after, ls_after) = corpus_run["parent"]
    assert ls_before == ls_after and mt_before == mt_after
    # the one file an exit-1 run writes outside OUT is its traceback log, in TMPDIR (review-output.md)
    logs = sorted(p.name for p in (corpus_run["base"] / "tmpdir").iterdir())
    exit1 = [n for n, o in corpus_run["results"].items() if o.via == "cli" and o.exit == "1"]
    assert len(logs) == len(exit1) and all(n.startswith("workbench-error-") and n.endswith(".log") for n in logs), \
        (logs, exit1)


def test_summary(corpus_run, capsys):
    s = corpus_run["summary"]
    with capsys.disabled():
        print(f"\nrobustness corpus: {s['bad_inputs']} bad inputs ({s['through_cli']} through the CLI), "
              f"run in {s['seconds_run']} s; outcomes {s['outcomes']}")
        for kind, counts in s["by_kind"].items():
            print(f"  {kind:22s} {dict(counts)}")
    assert s["bad_inputs"] == len(corpus_run["cases"])
    assert (ARTIFACTS / "robustness-summary.json").is_file()
