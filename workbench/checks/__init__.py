"""Completeness, traceability and consistency checks (check-catalogue.md)."""
from .registry import CheckRegistry, CheckSpec, FindingSink, NotApplicable, UnknownCheckError, check, registry
from .runner import CheckResult, CheckRun, completeness, run_checks, scorecard

__all__ = ["CheckRegistry", "CheckResult", "CheckRun", "CheckSpec", "FindingSink", "NotApplicable",
           "UnknownCheckError", "check", "completeness", "registry", "run_checks", "scorecard"]
