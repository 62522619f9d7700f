"""ipywidgets components of the reviewer app. Built on :mod:`workbench`; no analysis code here."""
from .findings import FindingsExplorer
from .language import LanguageSwitch
from .picker import SubmissionPicker
from .tier import TierPanel

__all__ = ["FindingsExplorer", "LanguageSwitch", "SubmissionPicker", "TierPanel"]
