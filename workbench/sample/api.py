"""Public entry points: bundled samples, a scaled submission, and the `workbench sample` CLI hook."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import yaml

from .profiles import BUNDLED
from .scaled import build_scaled
from .writers import write_sample

TOP_README = """# Sample submissions

Synthetic, deterministic submissions written by `workbench sample` (`workbench.sample.write_bundled_samples`).
No record refers to a real person, study or product. Regenerate with:

    workbench sample --out sample_data
    # or, without the CLI:
    python -c "from pathlib import Path; import workbench.sample as s; s.write_bundled_samples(Path('sample_data'))"

`expectations.yaml` states, per sample, the tier each is designed to reach, the MTD arm, whether the
primary endpoint shows an efficacy signal, stopping rules met, the defects planted on purpose, and the
design numbers computed from the data written.

| folder | what it shows | intended tier |
|---|---|---|
"""


def _first_sentence(readme: str) -> str:
    body = readme.split("\n\n", 1)[1].strip()
    return body.replace("|", "/")


def write_bundled_samples(out_dir: Path) -> list[Path]:
    """Write every bundled sample as a sub-folder of ``out_dir`` (same bytes on every run); return the folders."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths, expectations, rows = [], {}, []
    for build in BUNDLED:
        sample = build()
        folder = out_dir / sample.name
        if folder.exists():
            shutil.rmtree(folder)
        write_sample(folder, sample)
        paths.append(folder)
        expectations[sample.name] = sample.expectations
        rows.append(f"| `{sample.name}/` | {_first_sentence(sample.readme)} | {sample.expectations['tier']} |")
    (out_dir / "README.md").write_bytes((TOP_README + "\n".join(rows) + "\n").encode("utf-8"))
    text = yaml.safe_dump(expectations, allow_unicode=True, sort_keys=False, default_flow_style=False, width=110)
    (out_dir / "expectations.yaml").write_bytes(
        ("# Written by workbench.sample.write_bundled_samples; do not edit by hand.\n" + text).encode("utf-8"))
    return paths


def generate_scaled(out_dir: Path, subjects: int, seed: int = 1) -> Path:
    """One realistic randomised knee-OA study with ``subjects`` dosed subjects (LB as Parquet); returns its folder."""
    out_dir = Path(out_dir)
    sample = build_scaled(subjects, seed)
    folder = out_dir / sample.name
    if folder.exists():
        shutil.rmtree(folder)
    return write_sample(folder, sample)


def main_sample(out: str | None, subjects: int | None, seed: int) -> int:
    """`workbench sample [--out DIR] [--subjects N] [--seed S]`: write samples, print what was written, return 0."""
    target = Path(out) if out else Path.cwd() / "sample_data"
    t0 = time.perf_counter()
    if subjects:
        folder = generate_scaled(target, int(subjects), seed)
        rows = {p.name: sum(1 for _ in p.rglob("*") if _.is_file()) for p in [folder]}
        print(f"wrote {folder} ({subjects} subjects, {rows[folder.name]} files) in {time.perf_counter() - t0:.1f} s")
    else:
        for p in write_bundled_samples(target):
            print(f"wrote {p}")
        print(f"wrote {target / 'README.md'} and {target / 'expectations.yaml'} in {time.perf_counter() - t0:.1f} s")
    return 0
