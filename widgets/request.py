"""A pre-heated kernel's page request: the kernel waits for Voila to hand over the URL and headers of the page
it will serve (QUERY_STRING, HTTP_<NAME>), then the app reads them from the environment.

The wait is Voila's own (``voila.utils.wait_for_request``: one connection to ``/voila/query/<kernel id>``, kept
open until the request arrives). Voila 0.5's server side of it could lose a request (a connection closing as the
request went out; a closing connection dropping another kernel's entry); `workbench serve` patches that
(:mod:`workbench.voila_patches`). An earlier version of this module reconnected every few seconds from an
``asyncio.run`` loop in a thread instead: with it, a page opened while the server's other kernels were still
starting hung at "Executing 3 of 4" every time (the kernel ran every cell and fell idle, the page never received
the last one); with Voila's own wait it did not once in the same test. If the connection fails (the server is
going away) the wait is tried again, at most :data:`ATTEMPTS` times.
"""
from __future__ import annotations

import logging
import os

log = logging.getLogger(__name__)
ATTEMPTS = 3
_RECEIVED: dict = {}


def await_request() -> None:
    """In a pre-heated kernel (`workbench serve --pool`), wait until Voila hands over this page's request and put
    it into the environment. Elsewhere (a kernel started for the request, papermill, a test) return at once. Waits
    only once per kernel."""
    if _RECEIVED or os.environ.get("VOILA_PREHEAT") != "True" or not os.environ.get("VOILA_KERNEL_ID"):
        return
    import warnings

    from voila.utils import wait_for_request

    for _ in range(ATTEMPTS):
        with warnings.catch_warnings():   # "Failed to connect": tried again below
            warnings.simplefilter("ignore")
            wait_for_request()
        if "SERVER_SOFTWARE" in os.environ or "QUERY_STRING" in os.environ:
            break
    _RECEIVED["at"] = True
