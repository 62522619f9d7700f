"""One review of one submission: load, check, analyse, classify; and its review.json."""
from __future__ import annotations

import datetime as dt
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .checks import CheckRun, completeness, run_checks, scorecard
from .loader import load_submission
from .submission import Submission

SCHEMA_VERSION = "1"


@dataclass
class Review:
    """Everything a review produced, as library objects (the app and report render from this)."""

    submission: Submission
    checks: CheckRun
    scorecard: dict
    completeness: float | None
    analyses: object | None = None        # workbench.analyses.AnalysisResults
    tier: object | None = None            # workbench.tiers.TierResult
    rules: object | None = None           # workbench.tiers.Rules
    timings: dict[str, float] = field(default_factory=dict)
    tables: list | None = None            # workbench.tables.Table, in the order of the specification
    _analyses_doc: dict | None = field(default=None, repr=False)

    @property
    def findings(self):
        return self.checks.findings

    def table(self, table_id: str):
        """The standard table ``table_id`` of this review (None when not built)."""
        return next((t for t in self.tables or [] if t.id == table_id), None)

    def analyses_dict(self) -> dict | None:
        """The review.json ``analyses`` object (computed once per review)."""
        if self.analyses is None:
            return None
        if self._analyses_doc is None:
            self._analyses_doc = self.analyses.to_dict()
        return self._analyses_doc

    def to_dict(self, generated_at: str | None = None) -> dict:
        """The review.json document (review-output.md, schema_version "1")."""
        from .jsonout import jsonable

        sub = self.submission
        doc = {
            "schema_version": SCHEMA_VERSION,
            "submission_id": sub.submission_id,
            "tool_version": __version__,
            "generated_at": generated_at or dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "rules": ({"path": getattr(self.rules, "path", "default"), "sha256": getattr(self.rules, "sha256", None)}
                      if self.rules is not None else None),
            "inputs": [f.to_dict() for f in sorted(sub.inputs, key=lambda f: f.path)],
            "input_sha256": sub.input_sha256,
            "findings": [f.to_dict() for f in self.checks.findings],
            "checks": [r.to_dict() for r in sorted(self.checks.results, key=lambda r: r.check_id)],
            "scorecard": self.scorecard,
            "completeness": self.completeness,
            "findings_by_severity": self.checks.by_severity(),
            "study": study_card(sub),
            "overrides": [o.to_dict() for o in sub.study.parameters.overrides],
            "parameters": sub.study.parameters.to_dict(),
        }
        if sub.overlay:
            doc["overlay"] = {"fields": sub.overlay.given(), "note": sub.overlay.note, "sha256": sub.overlay.sha256}
        if self.analyses is not None:
            doc["analyses"] = self.analyses_dict()
        if self.tier is not None:
            doc["tier"] = self.tier.to_dict()
        doc.update(package_sections(sub))
        if self.tables is not None:
            doc["tables"] = [t.to_dict() for t in self.tables]
        if doc["rules"] is None:
            del doc["rules"]
        return jsonable(doc)


def study_card(sub: Submission) -> dict:
    """The facts a reviewer reads first: product, design, indication, subjects, arms (with the rule that made an
    arm the control), and where each study fact came from (submission.yaml or the trial-design datasets)."""
    m = sub.m
    model = sub.study
    subj = model.subjects
    design = model.design
    return {
        "title": design.value("title"), "sponsor": design.value("sponsor"), "manifest_present": sub.manifest_present,
        "bare_folder": sub.bare,
        "product": m.product.name, "cell_type": m.product.cell_type, "source": m.product.source,
        "gene_modified": m.product.gene_modified, "design": design.value("design"), "stage": design.value("stage"),
        "first_in_human": m.study.first_in_human, "blinding": design.value("blinding"),
        "indication": design.value("indication"),
        "subjects_in_dm": int(len(subj)), "subjects_enrolled": int(subj["ENROLLED"].sum()) if len(subj) else 0,
        "subjects_dosed": len(model.dosed) if model.dosing_known else None,
        "sites": int(subj["SITEID"].nunique()) if len(subj) else 0,
        "domains": sorted(sub.datasets),
        "required_followup_days": model.parameters.required_followup_days,
        "required_followup_source": model.parameters.followup_source()[0],
        "required_followup_source_zh": model.parameters.followup_source()[1],
        "overrides": [o.to_dict() for o in model.parameters.overrides],
        "arms": [{"arm": a.ARM, "label": None if a.LABEL is None or a.LABEL != a.LABEL else a.LABEL,
                  "control": bool(a.CONTROL), "role_rule": a.ROLE_RULE,
                  "role_evidence": None if a.ROLE_EVIDENCE is None or a.ROLE_EVIDENCE != a.ROLE_EVIDENCE
                  else a.ROLE_EVIDENCE} for a in model.arms.itertuples()],
        "facts": {k: f.to_dict() for k, f in design.facts.items() if k != "data_cutoff"},
    }


def package_sections(sub: Submission) -> dict:
    """review.json ``package`` (what a data package holds, each file with its SHA-256) and ``reconciliation`` (the
    ADaM datasets against the SDTM, per item: agree / disagree counts and the listing); none for other layouts."""
    from .reconciliation import reconciliation

    out = {}
    if sub.package is not None:
        sha = {f.path: f.sha256 for f in sub.inputs}
        pkg = sub.package.to_dict()
        pkg["files"] = [{**f, "sha256": sha.get(f["path"])} for f in pkg["files"]]
        out["package"] = pkg
    rec = reconciliation(sub)
    if rec is not None:
        out["reconciliation"] = rec.to_dict()
    return out


def _optional_modules():
    try:
        from . import analyses as analyses_mod
    except ImportError:  # pragma: no cover - during development only
        analyses_mod = None
    try:
        from . import tiers as tiers_mod
    except ImportError:  # pragma: no cover
        tiers_mod = None
    return analyses_mod, tiers_mod


def run_review(source: str | os.PathLike | Submission, rules_path: str | os.PathLike | None = None,
               rules=None, overlay=None) -> Review:
    """Load (unless given a Submission), run every check and analysis, and propose the evidence tier.

    ``overlay``: a :class:`workbench.overlay.Overlay` of reviewer-supplied facts (bare submissions).

    Raises :class:`workbench.SubmissionError` when nothing is usable and ``RulesError`` for a bad rules file.
    """
    timings: dict[str, float] = {}
    analyses_mod, tiers_mod = _optional_modules()
    if rules is None and tiers_mod is not None:
        rules = tiers_mod.load_rules(rules_path)
    t0 = time.perf_counter()
    sub = source if isinstance(source, Submission) else load_submission(source)
    if rules is not None:
        sub.use_rules(rules)   # the vocabularies coded values are read with
    if overlay is not None:
        sub.use_overlay(overlay)   # the reviewer's statements of what the data cannot tell
    timings["load"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    run = run_checks(sub)
    card = scorecard(run)
    timings["checks"] = time.perf_counter() - t0
    review = Review(sub, run, card, completeness(run), rules=rules, timings=timings)
    if analyses_mod is not None:
        t0 = time.perf_counter()
        review.analyses = analyses_mod.run_analyses(sub)
        timings["analyses"] = time.perf_counter() - t0
    if tiers_mod is not None and review.analyses is not None:
        t0 = time.perf_counter()
        inputs = tiers_mod.TierInputs.from_results(review.analyses)
        review.tier = tiers_mod.classify(run.findings, inputs, tiers_mod.TierFacts.from_submission(sub, inputs),
                                         rules)
        timings["tier"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    from .tables import build_tables

    review.tables = build_tables(sub)
    timings["tables"] = time.perf_counter() - t0
    return review


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write to a temporary file beside ``path`` and rename it into place (no half-written outputs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "wb" if isinstance(data, bytes) else "w"
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, mode, **({} if isinstance(data, bytes) else {"encoding": "utf-8"})) as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def write_review(review: Review, out_dir: str | os.PathLike, lang: str = "zh",
                 generated_at: str | None = None, audit=None, images: bool = True) -> dict[str, Path]:
    """Write review.json, report.html and the exports (tables.xlsx, review.docx with the figures as images unless
    ``images`` is False, tables/<id>.csv) into ``out_dir``; returns their paths. ``audit``: a
    :class:`workbench.audit.AuditTrail` whose decisions and signatures report.html shows."""
    import json

    out = Path(out_dir)
    from .exports import start_images

    images = start_images(review, lang) if images else False   # Chromium draws while the rest is written
    doc = review.to_dict(generated_at)   # already strict JSON values (jsonable): no second conversion pass
    paths = {"review.json": out / "review.json"}
    atomic_write(paths["review.json"], json.dumps(doc, ensure_ascii=False, indent=2, allow_nan=False) + "\n")
    try:
        from .report import render_report
    except ImportError:  # pragma: no cover
        return paths
    paths["report.html"] = out / "report.html"
    atomic_write(paths["report.html"], render_report(review, lang=lang, doc=doc, audit=audit))
    from .exports import write_exports

    paths.update(write_exports(review, out, lang=lang, doc=doc, images=images, audit=audit))
    return paths


def review_to_folder(submission_path: str | os.PathLike, out_dir: str | os.PathLike, rules_path=None,
                     lang: str = "zh", generated_at: str | None = None, images: bool = True) -> Review:
    """Review one submission and write its outputs (review.json, report.html, the exports) into ``out_dir``."""
    review = run_review(submission_path, rules_path=rules_path)
    write_review(review, out_dir, lang=lang, generated_at=generated_at, images=images)
    return review
