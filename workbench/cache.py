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


# -- whole reviews, for the app: a second page of the same submission does no recomputation ------------------

REVIEW_CACHE_MAX_BYTES = 4 * 1024 ** 3   # the oldest cached reviews are removed beyond this total


def review_key(folder: Path, rules, overlay=None, checks: tuple[str, ...] = ()) -> str:
    """What a review depends on: the files (path, size, mtime), the rules in force, the reviewer overlay, the
    analysts' check modules loaded, the tool version."""
    extra = "\n".join([overlay.sha256 if overlay else "", *sorted(checks)])
    return hashlib.sha256(f"{fingerprint(folder, rules.sha256)}\n{extra}".encode()).hexdigest()


def _review_path(key: str) -> Path:
    return cache_dir() / "reviews" / f"{key}.pickle"


def load_cached_review(key: str):
    """The review cached under ``key`` (None when there is none or it cannot be read). The cache folder is the
    user's own (mode 0700): only reviews this tool wrote there are read."""
    import pickle

    import gc

    path = _review_path(key)
    enabled = gc.isenabled()
    gc.disable()   # reading creates many objects and no garbage: collections would only cost time (half of it)
    try:
        with open(path, "rb") as fh:
            review = pickle.load(fh)
        os.utime(path)   # recently used: kept longest
        return review
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
        return None
    finally:
        if enabled:
            gc.enable()


def store_review(key: str, review) -> Path | None:
    """Cache ``review`` under ``key``; of the submission's memoised derivations only the study model is kept (the
    subjects, arms and events every page starts from), the others are recomputed on use. The oldest cached reviews
    go when the total exceeds REVIEW_CACHE_MAX_BYTES."""
    from .frame_pickle import dumps
    from .memo import CACHE_ATTR
    from .review import atomic_write
    from .study.model import study_model

    sub = review.submission
    kept = f"{study_model.__module__}.{study_model.__qualname__}"
    sub.study.subjects   # noqa: B018 - computed now (it is memoised), read back with the review
    derived = sub.__dict__.pop(CACHE_ATTR, None)
    if derived:
        sub.__dict__[CACHE_ATTR] = {k: v for k, v in derived.items() if k[0] == kept}
    try:
        data = dumps(review)
    finally:
        sub.__dict__.pop(CACHE_ATTR, None)
        if derived is not None:
            sub.__dict__[CACHE_ATTR] = derived
    path = _review_path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(path.parent.parent, 0o700)
        os.chmod(path.parent, 0o700)
        atomic_write(path, data)
        os.chmod(path, 0o600)
        _evict(path.parent)
        return path
    except OSError:
        return None


def _evict(folder: Path) -> None:
    files = sorted(((p.stat().st_mtime, p.stat().st_size, p) for p in folder.glob("*.pickle")), reverse=True)
    total = 0
    for _, size, p in files:
        total += size
        if total > REVIEW_CACHE_MAX_BYTES:
            p.unlink(missing_ok=True)


def cached_review(folder, rules=None, overlay=None, checks: tuple[str, ...] = ()):
    """(the review of ``folder``, whether it came from the cache): computed and cached on first use."""
    from .review import run_review
    from .rules import load_rules

    rules = rules if rules is not None else load_rules(None)
    key = review_key(Path(folder), rules, overlay, checks)
    review = load_cached_review(key)
    if review is not None:
        return review, True
    review = run_review(folder, rules=rules, overlay=overlay)
    store_review(key, review)
    return review, False
