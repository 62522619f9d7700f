"""The request hand-over to pre-heated kernels (workbench.voila_patches): a request is never lost, whichever order
connections open and close in, and one kernel's closing connection never drops another kernel's."""
from __future__ import annotations

import pytest
from voila.request_info_handler import RequestInfoSocketHandler as Handler

from workbench.voila_patches import patch_request_info


class Conn:
    """A connection of a kernel (the handler's methods, without a socket)."""

    def __init__(self, fail: bool = False):
        self.got, self.fail = [], fail
        self.handler = Handler.__new__(Handler)
        self.handler.write_message = self._write

    def _write(self, payload):
        if self.fail:
            raise RuntimeError("closed")
        self.got.append(payload)


@pytest.fixture(autouse=True)
def clean():
    assert patch_request_info() and patch_request_info()   # idempotent
    Handler._waiters.clear()
    Handler._cache.clear()
    yield
    Handler._waiters.clear()
    Handler._cache.clear()


def test_a_request_before_the_kernel_connects_is_delivered_on_connect():
    Handler.send_updates({"kernel_id": "k1", "payload": {"QUERY_STRING": "submission=a"}})
    c = Conn()
    c.handler.open("k1")
    assert c.got == [{"QUERY_STRING": "submission=a"}]


def test_a_request_sent_to_a_closing_connection_reaches_the_next_one():
    old = Conn(fail=True)
    old.handler.open("k1")
    Handler.send_updates({"kernel_id": "k1", "payload": {"QUERY_STRING": "submission=b"}})
    assert old.got == []
    new = Conn()
    new.handler.open("k1")
    assert new.got == [{"QUERY_STRING": "submission=b"}]


def test_a_late_close_drops_only_its_own_entry():
    a_old, a_new, b = Conn(), Conn(), Conn()
    a_old.handler.open("ka")
    b.handler.open("kb")
    a_new.handler.open("ka")          # the kernel reconnected before the server saw the old connection close
    a_old.handler.on_close()
    assert Handler._waiters == {"ka": a_new.handler, "kb": b.handler}
    Handler.send_updates({"kernel_id": "kb", "payload": {"QUERY_STRING": "submission=c"}})
    assert b.got == [{"QUERY_STRING": "submission=c"}]
    b.handler.on_close()
    assert Handler._waiters == {"ka": a_new.handler}


def test_render_once_reads_the_page_to_the_end_and_says_why_not():
    import http.server
    import threading

    from workbench.serve_ready import render_once

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            code = 200 if self.path.endswith("index.ipynb") else 500
            self.send_response(code)
            self.end_headers()
            self.wfile.write(b"x" * 100_000)

        def log_message(self, *a):
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        port = srv.server_address[1]
        assert render_once("127.0.0.1", port) is None
        assert render_once("127.0.0.1", port, path="/other") == "HTTP 500"
    finally:
        srv.shutdown()
    assert render_once("127.0.0.1", port, timeout=2).startswith(("ConnectionRefusedError", "TimeoutError", "OSError"))
