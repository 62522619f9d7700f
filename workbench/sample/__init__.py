"""Deterministic synthetic submissions: the bundled samples and scaled studies for benchmarks.

    from pathlib import Path
    from workbench.sample import write_bundled_samples, generate_scaled
    write_bundled_samples(Path("sample_data"))          # seven folders + README.md + expectations.yaml
    generate_scaled(Path("/tmp/big"), subjects=10_000)  # one randomised knee-OA study, LB as Parquet
"""
from .api import generate_scaled, main_sample, write_bundled_samples

__all__ = ["generate_scaled", "main_sample", "write_bundled_samples"]
