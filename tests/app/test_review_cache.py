"""The app's review cache: a second open of the same submission does no recomputation; any change of the files,
the rules or the overlay is a different review."""
from __future__ import annotations

import shutil
from pathlib import Path

from workbench import cache
from workbench.overlay import Overlay

SAMPLES = Path(__file__).resolve().parents[2] / "sample_data"


def test_second_open_is_served_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "s"
    shutil.copytree(SAMPLES / "gb18030-esc-amd", folder)
    first, hit1 = cache.cached_review(folder)
    second, hit2 = cache.cached_review(folder)
    assert (hit1, hit2) == (False, True)
    assert second.to_dict("t") == first.to_dict("t")          # the same review, not a recomputation
    assert second.submission.study.dosed == first.submission.study.dosed   # derivations recomputed on use
    _, hit3 = cache.cached_review(folder, overlay=Overlay.parse({"required_followup_days": 999}))
    assert hit3 is False
    (folder / "tabulations" / "dm.csv").write_bytes((folder / "tabulations" / "dm.csv").read_bytes() + b"\n")
    _, hit4 = cache.cached_review(folder)
    assert hit4 is False
    files = list((tmp_path / "cache" / "reviews").glob("*.pickle"))
    assert len(files) == 3 and all(oct(p.stat().st_mode)[-3:] == "600" for p in files)
