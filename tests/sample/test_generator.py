"""The generator: deterministic bytes, committed sample_data up to date, scaled studies big enough."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import workbench
from workbench.sample import generate_scaled, main_sample
from workbench.sample.profiles import auto_msc_cirrhosis, bare_sdtm
from workbench.sample.writers import tree_hashes, write_sample

REPO = Path(__file__).resolve().parents[2]
ALL = ["fih-ipsc-parkinson", "rct-ucmsc-koa", "auto-msc-cirrhosis", "safety-signal-agvhd", "gb18030-esc-amd",
       "defects-trace-cmc", "bare-sdtm"]


def test_bundled_folders_and_readmes(generated):
    names = sorted(p.name for p in generated.iterdir() if p.is_dir())
    assert names == sorted(ALL)
    top = (generated / "README.md").read_text(encoding="utf-8")
    for name in ALL:
        assert f"`{name}/`" in top
        assert (generated / name / "README.md").read_text(encoding="utf-8").strip()


@pytest.mark.parametrize("build", [bare_sdtm, auto_msc_cirrhosis])
def test_deterministic_bytes(build, generated, tmp_path):
    """A second run writes byte-identical files (xpt v5/v8, xlsx, parquet, GB18030 and UTF-8 CSV, documents)."""
    sample = build()
    write_sample(tmp_path / sample.name, sample)
    assert tree_hashes(tmp_path / sample.name) == tree_hashes(generated / sample.name)


def test_committed_sample_data_is_current(generated):
    """sample_data/ in the repository is exactly what the generator writes (regenerate it if this fails)."""
    committed = REPO / "sample_data"
    fresh = tree_hashes(generated)
    have = {k: v for k, v in tree_hashes(committed).items() if not k.startswith(".")}
    missing = sorted(set(fresh) - set(have))[:5]
    extra = sorted(set(have) - set(fresh))[:5]
    changed = sorted(k for k in set(fresh) & set(have) if fresh[k] != have[k])[:5]
    assert not (missing or extra or changed), (
        f"sample_data/ is stale: missing {missing}, extra {extra}, changed {changed}; regenerate with "
        "python -c \"from pathlib import Path; from workbench.sample import write_bundled_samples; "
        "write_bundled_samples(Path('sample_data'))\"")


def test_sizes(generated):
    total = 0
    for name in ALL:
        size = sum(p.stat().st_size for p in (generated / name).rglob("*") if p.is_file())
        assert size < 5 * 1024 ** 2, name
        total += size
    assert total < 25 * 1024 ** 2


def test_formats_mixed(generated):
    exts = {p.suffix for p in generated.rglob("*") if p.parent.name in ("tabulations", "bare-sdtm")}
    assert {".xpt", ".csv", ".parquet", ".xlsx"} <= exts
    assert (generated / "rct-ucmsc-koa/tabulations/dm.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    head = (generated / "fih-ipsc-parkinson/tabulations/dm.xpt").read_bytes()[:80]
    assert head.startswith(b"HEADER RECORD*******LIBRARY HEADER RECORD")       # SAS transport v5
    head8 = (generated / "safety-signal-agvhd/tabulations/ae.xpt").read_bytes()[:80]
    assert head8.startswith(b"HEADER RECORD*******LIBV8   HEADER RECORD")      # SAS transport v8


def test_scaled_study(tmp_path):
    folder = generate_scaled(tmp_path, 300, seed=3)
    assert folder.name == "scaled-koa-300" and (folder / "tabulations" / "lb.parquet").is_file()
    sub = workbench.load_submission(folder)
    assert sub.load_issues == [] and sub.manifest_problems == []
    dm = sub.datasets["DM"]
    n = int((dm["ARMCD"] != "SCRNFAIL").sum())
    assert n == 300
    assert len(sub.datasets["LB"]) / n >= 100
    assert len(sub.datasets["AE"]) / n >= 10
    assert set(dm["ACTARMCD"]) >= {"DL1", "DL2", "PBO"}


def test_main_sample_cli_hook_and_scaled_determinism(tmp_path, capsys):
    assert main_sample(str(tmp_path / "a"), 30, 2) == 0
    assert "scaled-koa-30" in capsys.readouterr().out
    generate_scaled(tmp_path / "b", 30, seed=2)
    assert tree_hashes(tmp_path / "a") == tree_hashes(tmp_path / "b")
    ae = pd.read_parquet(tmp_path / "a" / "scaled-koa-30" / "tabulations" / "ae.parquet")
    assert len(ae) > 0
