"""A scaled copy of the randomised knee-OA study for benchmarks (LB written as Parquet)."""
from __future__ import annotations

from .profiles import rct_build, rct_spec
from .writers import Sample


def build_scaled(subjects: int, seed: int = 1) -> Sample:
    """``subjects`` randomised and dosed subjects (1:1:1), >= 100 LB and >= 10 AE records per subject on average."""
    if subjects < 3:
        raise ValueError("subjects must be at least 3 (one per arm)")
    per = subjects // 3
    spec = rct_spec(n_per_arm=per, seed=int(seed), n_sites=max(6, min(30, subjects // 300)),
                    ae_per_subject=12.5, scaled=True)
    for k, arm in enumerate(spec.arms):
        arm.n = per + (1 if k < subjects - 3 * per else 0)
    sample, _ = rct_build(spec, f"scaled-koa-{subjects}", plant_extras=False, binder=True)
    sample.readme = (f"# scaled-koa-{subjects}\n\nA scaled copy of the randomised knee-OA UC-MSC study with {subjects} "
                     f"dosed subjects (seed {seed}) for benchmarks; datasets are Parquet (LB included) and "
                     "per-subject documents (signed consents, SAE reports) are filed in one binder file per site.\n")
    return sample
