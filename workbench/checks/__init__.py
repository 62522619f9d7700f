"""Completeness, traceability and consistency checks (check-catalogue.md).

Importing this package registers the built-in catalogue (``registry.ids()`` lists every check in a fresh
process); analysts' checks register with :func:`check`, through the ``workbench.checks`` entry-point group, or
from a file (``load_checks("my_checks.py")``; ``workbench review --checks my_checks.py``).
"""
from . import builtin  # noqa: E402,F401  (registers the catalogue; after the names it imports)
from .registry import (
    CheckRegistrationError,
    CheckRegistry,
    CheckSpec,
    FindingSink,
    NotApplicable,
    UnknownCheckError,
    check,
    registry,
)
from .runner import CheckResult, CheckRun, completeness, run_checks, scorecard


def load_checks(path) -> list[str]:
    """Import an analyst's check file; returns the ids it registered."""
    from ..registry import load_module_file

    before = set(registry.names())
    load_module_file(path)
    return sorted(set(registry.names()) - before)


__all__ = ["CheckRegistrationError", "CheckRegistry", "CheckResult", "CheckRun", "CheckSpec", "FindingSink",
           "NotApplicable", "UnknownCheckError", "check", "completeness", "load_checks", "registry", "run_checks",
           "scorecard"]
