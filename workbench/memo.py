"""One memo for derivations over a submission: computed once per review, cached on the submission object.

Every derivation in the library is a pure function of a :class:`~workbench.submission.Submission` (and a
few hashable arguments); ``@memo`` caches its result on the submission itself, so a check, an analysis and a
tier criterion that need the same derivation share one computation, and a new (e.g. filtered) submission
recomputes everything from its own data.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable, TypeVar

if TYPE_CHECKING:  # pragma: no cover
    from .submission import Submission

T = TypeVar("T")
CACHE_ATTR = "_derived"


def cache_of(sub: "Submission") -> dict:
    """The submission's derivation cache (created on first use)."""
    return sub.__dict__.setdefault(CACHE_ATTR, {})


def memo(fn: Callable[..., T]) -> Callable[..., T]:
    """Cache ``fn(sub, *args)`` on ``sub``, keyed by the function's qualified name and the arguments."""
    name = f"{fn.__module__}.{fn.__qualname__}"

    @functools.wraps(fn)
    def wrapper(sub: "Submission", *args: Any) -> T:
        cache = cache_of(sub)
        key = (name, args)
        if key not in cache:
            cache[key] = fn(sub, *args)
        return cache[key]

    return wrapper


def clear(sub: "Submission") -> None:
    """Forget every derivation of ``sub`` (after its rules changed)."""
    sub.__dict__.pop(CACHE_ATTR, None)
