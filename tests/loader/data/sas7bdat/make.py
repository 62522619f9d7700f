"""Write the real SAS7BDAT fixtures of test_formats.py (dm, ae, ex of sample_data/bare-sdtm).

pyreadstat cannot write SAS7BDAT; ReadStat's command-line tool (Debian package `readstat`) can. The bare
sample's XPT files are rewritten as SPSS .sav by pyreadstat, then converted by `readstat x.sav x.sas7bdat`
(converting straight from XPT gives a file without a row count). Run from the repository root:

    .venv/bin/python tests/loader/data/sas7bdat/make.py
"""
from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

import pyreadstat

HERE = Path(__file__).resolve().parent
BARE = HERE.parents[3] / "sample_data" / "bare-sdtm"

if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        for dom in ("dm", "ae", "ex"):
            frame, meta = pyreadstat.read_xport(str(BARE / f"{dom}.xpt"))
            sav = Path(tmp) / f"{dom}.sav"
            pyreadstat.write_sav(frame, str(sav), file_label=meta.file_label or "",
                                 column_labels=meta.column_labels)
            subprocess.run(["readstat", str(sav), str(HERE / f"{dom}.sas7bdat")], check=True)
