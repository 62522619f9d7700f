"""Importing this module registers every catalogue check (check-catalogue.md), one module per element."""
from . import (administration, compliance, conmed, efficacy, follow_up, manifest, process_quality,  # noqa: F401
               safety, safety_reporting, screening)
from . import package, reconciliation  # noqa: F401,E402  (data package and ADaM: PKG-*, REC-*)
