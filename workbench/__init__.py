"""Reviewer workbench for registered (备案) stem-cell clinical study evidence.

Public API::

    import workbench
    sub = workbench.load_submission("sample_data/<name>")
    print(sub.inventory())
"""
from .findings import Element, Finding, Severity
from .loader import SubmissionError, load_submission
from .manifest import Manifest
from .submission import InputFile, LoadIssue, LoadReason, Submission

__version__ = "0.1.0"

__all__ = ["Element", "Finding", "InputFile", "LoadIssue", "LoadReason", "Manifest", "Severity", "Submission",
           "SubmissionError", "load_submission", "__version__"]
