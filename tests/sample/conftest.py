"""Generate the bundled samples once per test session (into a temporary folder) and load them."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import workbench
from workbench.sample import write_bundled_samples

REPO = Path(__file__).resolve().parents[2]
CLEAN = ["fih-ipsc-parkinson", "rct-ucmsc-koa", "auto-msc-cirrhosis", "safety-signal-agvhd", "gb18030-esc-amd"]
ALL = CLEAN + ["defects-trace-cmc", "bare-sdtm"]


@pytest.fixture(scope="session")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("samples")
    write_bundled_samples(out)
    return out


@pytest.fixture(scope="session")
def loaded(generated) -> dict:
    return {name: workbench.load_submission(generated / name) for name in ALL}


@pytest.fixture(scope="session")
def expectations(generated) -> dict:
    return yaml.safe_load((generated / "expectations.yaml").read_text(encoding="utf-8"))
