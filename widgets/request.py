"""A pre-heated kernel's page request: the kernel waits for Voila to hand over the URL and headers of the page
it will serve (QUERY_STRING, HTTP_<NAME>), then the app reads them from the environment.

Voila's own helper (``voila.utils.wait_for_request``) connects once and waits for ever. Its server side keeps one
waiting connection per kernel and, when a connection closes that it no longer lists, drops another kernel's
(voila 0.5, ``RequestInfoSocketHandler.on_close``); a page whose kernel lost its waiter then hangs at "Executing 3
of 4". Here the kernel reconnects every :data:`RECHECK_S` seconds, closing the old connection first: a request
that arrived while the kernel had no listed connection is kept by the server and delivered on the next connect.
"""
from __future__ import annotations

import asyncio
import json
import logging
import os
import threading

log = logging.getLogger(__name__)
RECHECK_S = 10.0
_RECEIVED: dict = {}


def _query_url() -> str | None:
    kernel = os.environ.get("VOILA_KERNEL_ID")
    if not kernel:
        return None
    protocol = os.environ.get("VOILA_WS_PROTOCOL", "ws")
    host = os.environ.get("VOILA_APP_IP", "127.0.0.1")
    port = os.environ.get("VOILA_APP_PORT", "8866")
    base = os.environ.get("VOILA_WS_BASE_URL", os.environ.get("VOILA_SERVER_URL", "/"))
    return f"{protocol}://{host}:{port}{base}voila/query/{kernel}"


async def _receive(url: str, recheck_s: float) -> dict:
    import websockets

    while True:
        try:
            async with websockets.connect(url, open_timeout=10, close_timeout=5) as ws:
                try:
                    return json.loads(await asyncio.wait_for(ws.recv(), timeout=recheck_s))
                except TimeoutError:
                    continue    # leaving the block closes this connection before the next one opens
        except (TimeoutError, OSError, websockets.WebSocketException) as exc:
            log.warning("waiting for the page request: %s: %s", type(exc).__name__, exc)
            await asyncio.sleep(1)


def await_request(recheck_s: float = RECHECK_S) -> None:
    """In a pre-heated kernel (`workbench serve --pool`), wait until Voila hands over this page's request and put
    it into the environment. Elsewhere (a kernel started for the request, papermill, a test) return at once. Waits
    only once per kernel."""
    if _RECEIVED or os.environ.get("VOILA_PREHEAT") != "True":
        return
    url = _query_url()
    if url is None:
        return
    box: dict = {}

    def run() -> None:   # the kernel's own event loop is busy running this cell: a thread with a loop of its own
        box["info"] = asyncio.run(_receive(url, recheck_s))

    thread = threading.Thread(target=run, name="wait-for-request", daemon=True)
    thread.start()
    thread.join()
    for key, value in (box.get("info") or {}).items():
        os.environ[str(key)] = str(value)
    _RECEIVED["at"] = True
