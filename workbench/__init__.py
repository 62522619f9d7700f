"""Reviewer workbench for registered (备案) stem-cell clinical study evidence.

Public API::

    import workbench
    sub = workbench.load_submission("sample_data/<name>")
    print(sub.inventory())
"""
import os as _os

# openpyxl serialises XML differently when lxml is importable (python-docx brings lxml): keep openpyxl on the
# standard-library writer it used before, so the generated sample XLSX files stay byte-for-byte reproducible.
_os.environ.setdefault("OPENPYXL_LXML", "False")

from .findings import Element, Finding, Severity  # noqa: E402
from .loader import SubmissionError, load_submission  # noqa: E402
from .manifest import Manifest  # noqa: E402
from .submission import InputFile, LoadIssue, LoadReason, Submission  # noqa: E402

__version__ = "0.1.0"

__all__ = ["Element", "Finding", "InputFile", "LoadIssue", "LoadReason", "Manifest", "Severity", "Submission",
           "SubmissionError", "load_submission", "__version__"]
