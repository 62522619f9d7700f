"""Small on-disk cache of review summaries for the landing page and portfolio (never inside a submission)."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from . import __version__


def cache_dir() -> Path:
    from .settings import Settings

    return Path(Settings.from_env().cache_dir)


def fingerprint(folder: Path, rules_sha256: str | None) -> str:
    """Cheap key: every file's relative path, size and mtime, the rules hash and the tool version."""
    h = hashlib.sha256(f"{__version__}\n{rules_sha256}\n".encode())
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for fn in sorted(filenames):
            p = Path(dirpath) / fn
            try:
                st = p.lstat()
            except OSError:
                continue
            h.update(f"{p.relative_to(folder).as_posix()}\t{st.st_size}\t{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def summary_of(doc: dict) -> dict:
    """The few fields the landing page and portfolio need from a review.json document."""
    tier = doc.get("tier") or {}
    study = doc.get("study") or {}
    return {"submission_id": doc["submission_id"], "title": study.get("title"), "product": study.get("product"),
            "cell_type": study.get("cell_type"), "design": study.get("design"),
            "subjects_dosed": study.get("subjects_dosed"), "tier": tier.get("proposed"),
            "tier_label_zh": tier.get("label_zh"), "tier_label_en": tier.get("label_en"),
            "findings_by_severity": doc.get("findings_by_severity"), "completeness": doc.get("completeness"),
            "input_sha256": doc.get("input_sha256"), "rules_sha256": (doc.get("rules") or {}).get("sha256")}


def review_summary(folder: Path, rules_path=None) -> dict:
    """Summary of the review of ``folder`` (computed and cached; ``error`` set when it cannot be reviewed)."""
    from .review import run_review
    from .tiers import load_rules

    rules = load_rules(rules_path)
    key = fingerprint(folder, rules.sha256)
    path = cache_dir() / "summaries" / f"{key}.json"
    if path.is_file():
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            pass
    try:
        review = run_review(folder, rules=rules)
        summary = summary_of(review.to_dict())
    except Exception as exc:  # noqa: BLE001 - the list shows the problem instead of failing
        summary = {"submission_id": folder.name, "error": f"{type(exc).__name__}: {exc}".splitlines()[0]}
    try:
        from .review import atomic_write

        atomic_write(path, json.dumps(summary, ensure_ascii=False))
    except OSError:
        pass
    return summary
