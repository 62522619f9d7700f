"""The bundled sample submissions, one module each, and the randomised study the scaled generator copies."""
from __future__ import annotations

from .amd import gb18030_esc_amd
from .bare import bare_sdtm
from .cirrhosis import auto_msc_cirrhosis
from .defects import defects_trace_cmc
from .gvhd import safety_signal_agvhd
from .koa import rct_build, rct_spec, rct_ucmsc_koa
from .parkinson import fih_ipsc_parkinson

BUNDLED = [fih_ipsc_parkinson, rct_ucmsc_koa, auto_msc_cirrhosis, defects_trace_cmc, safety_signal_agvhd,
           gb18030_esc_amd, bare_sdtm]

__all__ = ["BUNDLED", "auto_msc_cirrhosis", "bare_sdtm", "defects_trace_cmc", "fih_ipsc_parkinson",
           "gb18030_esc_amd", "rct_build", "rct_spec", "rct_ucmsc_koa", "safety_signal_agvhd"]
