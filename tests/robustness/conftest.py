"""Fixtures of the robustness tests."""
from __future__ import annotations

import os
import signal
import time

import pytest


@pytest.fixture(scope="session")
def reaped_served_app(served_app):
    """tests/conftest.py `served_app`, plus: at the end of the session its whole process group is stopped.

    `served_app` stops `workbench serve` with SIGTERM, which does not reach the Voila server it started (see
    test_serve_lifecycle.py, xfail); without this the robustness run would leave a Voila server running.
    Torn down before `served_app` (which depends on nothing of ours), at session end like it."""
    yield served_app
    pid = served_app["proc"].pid
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)                  # served_app starts serve with start_new_session=True
        except ProcessLookupError:
            return
        time.sleep(3)
