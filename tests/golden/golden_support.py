"""Golden review.json documents: which submissions, how a document is produced, how two are compared.

The goldens pin what ``run_review(...).to_dict()`` returns for every bundled sample and for one
scaled 300-subject submission (built by the deterministic generator at test time). They are the
"findings and analyses are identical before and after optimisation" guard and the golden
review.json of issue 3. Regenerate them deliberately with ``python tests/golden/regenerate.py``.
"""
from __future__ import annotations

import contextlib
import gzip
import json
import math
import os
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "sample_data"
GOLDEN_DIR = Path(__file__).resolve().parent / "data"
BUNDLED = sorted(p.name for p in SAMPLES.iterdir() if p.is_dir())
SCALED = {"scaled-300": 300}          # name -> subjects (generate_scaled, seed 1)
CASES = BUNDLED + list(SCALED)

# Findings that compare a date with "today" (no TS DCUTDTC) must not drift with the calendar.
PINNED_TODAY = "2026-06-30"
# Fields left out of the comparison, per case kind. Generated Parquet bytes embed the pyarrow
# version, so input hashes of the generated submission would change with a library upgrade
# although nothing the workbench computes did.
DROP = {"generated_at"}
DROP_GENERATED = {"input_sha256", "inputs[].sha256"}


def golden_path(case: str) -> Path:
    return GOLDEN_DIR / f"{case}.json.gz"


def case_folder(case: str, scratch: Path) -> Path:
    """The submission folder of a case (bundled: sample_data/<case>; scaled: generated into ``scratch``)."""
    if case in SCALED:
        from workbench.sample import generate_scaled

        target = scratch / case
        marker = target / ".complete"
        if not marker.exists():
            folder = generate_scaled(target, SCALED[case])
            (target / ".complete").write_text(str(folder))
        return Path(marker.read_text())
    return SAMPLES / case


@contextlib.contextmanager
def pinned_today(day: str = PINNED_TODAY):
    import numpy as np

    import workbench.dates as dates

    saved = dates.today_day
    dates.today_day = lambda: float(np.datetime64(day, "D").astype("int64"))
    try:
        yield
    finally:
        dates.today_day = saved


@contextlib.contextmanager
def cache_env(path: Path | None):
    """Point WORKBENCH_CACHE_DIR at ``path`` (a fresh temporary folder when None) for the block."""
    saved = os.environ.get("WORKBENCH_CACHE_DIR")
    with contextlib.ExitStack() as stack:
        if path is None:
            path = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wb-golden-cache-")))
        os.environ["WORKBENCH_CACHE_DIR"] = str(path)
        try:
            yield path
        finally:
            if saved is None:
                os.environ.pop("WORKBENCH_CACHE_DIR", None)
            else:
                os.environ["WORKBENCH_CACHE_DIR"] = saved


def review_document(folder: Path) -> dict:
    """``run_review(folder).to_dict()`` as plain JSON values (round-tripped), ``generated_at`` removed."""
    return review_and_document(folder)[1]


FIGURE_HOOKS = ("completeness", "cmc", "dose_response", "efficacy", "soc_heatmap", "top_pts", "forest", "swimmer",
                "km", "follow_up", "edish", "lab_over_time")
FIGURES_PATH = GOLDEN_DIR / "figures.json"


def review_and_document(folder: Path):
    """The Review (for figures) and its document, as :func:`review_document`."""
    from workbench.jsonout import dumps
    from workbench.review import run_review

    with pinned_today():
        review = run_review(folder)
    doc = json.loads(dumps(review.to_dict(generated_at="(golden)")))
    for key in DROP:
        doc.pop(key, None)
    return review, doc


def figure_hashes(review) -> dict[str, str | None]:
    """SHA-256 of every report figure (hook/lang[/name]) as canonical JSON: the figures the report draws."""
    import hashlib

    from workbench import figure_hooks

    out: dict[str, str | None] = {}
    for name in FIGURE_HOOKS:
        for lang in ("zh", "en"):
            fig = getattr(figure_hooks, name)(review, lang)
            figs = fig if isinstance(fig, dict) else {"": fig}
            for title, f in figs.items():
                key = f"{name}/{lang}" + (f"/{title}" if title else "")
                text = None if f is None else json.dumps(rounded(json.loads(f.to_json())), sort_keys=True,
                                                         ensure_ascii=False)
                out[key] = None if text is None else hashlib.sha256(text.encode()).hexdigest()
    return out


# Floats are compared to about 10 significant digits: a new numpy, scipy or pandas release may sum in a
# different order and change the last bits of a result (seen: 0.7483850241947579 -> ...578 in a
# Kaplan-Meier bound), which is not a change in what the workbench computes.
REL_TOL, ABS_TOL = 1e-10, 1e-12
FIGURE_DIGITS = 10


def rounded(value):
    """``value`` with every float rounded to FIGURE_DIGITS significant digits (for figure hashes)."""
    if isinstance(value, float):
        return float(f"{value:.{FIGURE_DIGITS}g}") if math.isfinite(value) else value
    if isinstance(value, dict):
        return {k: rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [rounded(v) for v in value]
    return value


def read_figure_goldens() -> dict:
    return json.loads(FIGURES_PATH.read_text(encoding="utf-8")) if FIGURES_PATH.exists() else {}


def write_figure_goldens(data: dict) -> Path:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    FIGURES_PATH.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return FIGURES_PATH


def strip(doc: dict, case: str) -> dict:
    """Remove the fields not compared for this case."""
    if case not in SCALED:
        return doc
    doc = dict(doc)
    doc.pop("input_sha256", None)
    doc["inputs"] = [{k: v for k, v in f.items() if k != "sha256"} for f in doc.get("inputs", [])]
    return doc


def write_golden(case: str, doc: dict) -> Path:
    GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
    path = golden_path(case)
    text = json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=True, allow_nan=False) + "\n"
    # mtime=0: the same document always gives the same bytes (no spurious git changes)
    path.write_bytes(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0))
    return path


def read_golden(case: str) -> dict:
    return json.loads(gzip.decompress(golden_path(case).read_bytes()).decode("utf-8"))


def first_difference(expected, actual, path: str = "$") -> str | None:
    """The first path where two JSON values differ, with both values; None when equal.

    Types are compared exactly (3 and 3.0 are different review.json text), floats to REL_TOL / ABS_TOL,
    everything else exactly."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in sorted(set(expected) | set(actual)):
            if key not in actual:
                return f"{path}.{key}: missing in the new document (golden: {_short(expected[key])})"
            if key not in expected:
                return f"{path}.{key}: not in the golden document (new: {_short(actual[key])})"
            diff = first_difference(expected[key], actual[key], f"{path}.{key}")
            if diff:
                return diff
        return None
    if isinstance(expected, list) and isinstance(actual, list):
        for i, (e, a) in enumerate(zip(expected, actual)):
            diff = first_difference(e, a, f"{path}[{i}]")
            if diff:
                return diff
        if len(expected) != len(actual):
            return f"{path}: golden has {len(expected)} items, new has {len(actual)}"
        return None
    if type(expected) is not type(actual):  # 3 and 3.0 print differently in review.json
        return f"{path}: golden {_short(expected)} ({type(expected).__name__}), new {_short(actual)} ({type(actual).__name__})"
    if isinstance(expected, float) and isinstance(actual, float) and math.isnan(expected) and math.isnan(actual):
        return None
    if isinstance(expected, float) and math.isclose(expected, actual, rel_tol=REL_TOL, abs_tol=ABS_TOL):
        return None
    if expected != actual:
        return f"{path}: golden {_short(expected)}, new {_short(actual)}"
    return None


def _short(v, n: int = 300) -> str:
    text = json.dumps(v, ensure_ascii=False)
    return text if len(text) <= n else text[:n] + "…"
