"""Plotly figures as PNG images, offline: kaleido (v1) driving the machine's Chromium (Debian ``/usr/bin/chromium``;
``WORKBENCH_CHROMIUM`` or ``BROWSER_PATH`` name another), with the plotly.js of the installed plotly package and
MathJax disabled, so nothing is fetched from the network. One browser renders every figure of a document.

Without a Chromium (or without kaleido) the images are None with the reason, and the documents say so."""
from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import shutil
import threading
import time

log = logging.getLogger(__name__)

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WIDTH, HEIGHT, SCALE = 900, 450, 1.5
TIMEOUT_S = 30     # one figure
BUDGET_S = 40      # all figures of a document (Chromium's start included); the rest are left out
WAIT_S = 45        # the most the document waits for the images, from the start of the job


def chromium_path() -> str | None:
    """The browser kaleido drives: $WORKBENCH_CHROMIUM, $BROWSER_PATH, else chromium / chrome on the PATH."""
    for var in ("WORKBENCH_CHROMIUM", "BROWSER_PATH"):
        p = os.environ.get(var)
        if p and os.path.exists(p):
            return p
    for name in CANDIDATES:
        p = shutil.which(name)
        if p:
            return p
    return "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None


async def _render(figs, path: str, tmp_dir: str | None = None) -> list[bytes | None]:
    import kaleido

    out: list[bytes | None] = []
    deadline = asyncio.get_running_loop().time() + BUDGET_S
    async with kaleido.Kaleido(path=path, mathjax=False, n=1, timeout=TIMEOUT_S, tmp_dir=tmp_dir) as k:
        for fig in figs:
            if asyncio.get_running_loop().time() > deadline:   # a slow machine: the rest are left out
                out.append(None)
                continue
            lay = fig.layout
            opts = {"format": "png", "width": int(lay.width or WIDTH), "height": int(lay.height or HEIGHT),
                    "scale": SCALE}
            try:
                out.append(await k.calc_fig(fig, opts=opts))
            except Exception as exc:  # noqa: BLE001 - one figure that cannot be drawn leaves a gap, not a failure
                log.warning("a figure could not be rendered to PNG: %s: %s", type(exc).__name__, exc)
                out.append(None)
    return out


def _run_isolated(figs, path: str) -> list[bytes | None]:
    """Render with Chromium's profile in a temporary folder of our own, removed afterwards: no profile is left in
    TMPDIR, even when the browser is killed (kaleido removes its own page folder).

    The folder is handed to kaleido (choreographer's ``tmp_dir``), never set as the process's ``tempfile.tempdir``:
    this runs in a background thread while the main thread writes the other exports, and a process-wide temp
    folder swapped under them made openpyxl write tables.xlsx's scratch file into a folder this thread then
    deleted (FileNotFoundError in a CI run)."""
    import tempfile

    base = tempfile.mkdtemp(prefix="wb-png-")
    try:
        return asyncio.run(_render(figs, path, tmp_dir=base))
    finally:
        shutil.rmtree(base, ignore_errors=True)


class RenderJob:
    """Figures being rendered to PNG in the background (Chromium works while the caller writes other files)."""

    def __init__(self, titles: list[str], figs: list):
        self.titles, self.figs = titles, figs
        self._future: concurrent.futures.Future = concurrent.futures.Future()
        self._started = time.monotonic()
        self._early = self._check()
        if self._early is None and figs:
            # a daemon thread with its own event loop (the caller may already run one: a Jupyter kernel); a daemon,
            # so a browser that never answers cannot keep the process from exiting
            threading.Thread(target=self._work, args=(figs, chromium_path()), name="wb-png", daemon=True).start()

    def _work(self, figs, path) -> None:
        try:
            self._future.set_result(_run_isolated(figs, path))
        except BaseException as exc:  # noqa: BLE001 - handed to result()
            self._future.set_exception(exc)

    @staticmethod
    def _check() -> str | None:
        try:
            import kaleido  # noqa: F401
        except ImportError:
            return "kaleido is not installed"
        if chromium_path() is None:
            return "no Chromium found (install chromium or set WORKBENCH_CHROMIUM)"
        return None

    def result(self) -> tuple[list[bytes | None], str | None]:
        """PNG bytes per figure (None where one failed) and, when nothing could be rendered, the reason."""
        if not self.figs:
            return [], None
        if self._early is not None:
            return [None] * len(self.figs), self._early
        try:
            return self._future.result(timeout=max(1.0, WAIT_S - (time.monotonic() - self._started))), None
        except Exception as exc:  # noqa: BLE001 - the document says so; one line in the log, no traceback
            reason = f"figures could not be rendered: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
            log.warning(reason)
            return [None] * len(self.figs), reason


def render_png(figs: list) -> tuple[list[bytes | None], str | None]:
    """PNG bytes per figure (None where it failed) and, when nothing could be rendered, the reason (one line)."""
    return RenderJob([""] * len(figs), figs).result()
