"""Voila 0.5's hand-over of a page to a pre-heated kernel, made reliable (server side).

`workbench serve --pool` runs each review page in a kernel that executed the notebook before the page was asked
for; the kernel waits (``widgets.request.await_request``) on a websocket ``/voila/query/<kernel id>`` until Voila
sends it the page's URL and headers (``RequestInfoSocketHandler.send_updates``). In voila 0.5.13 that hand-over
can lose the request, and the page then hangs at "Executing 3 of 4":

- ``send_updates`` writes the request to the kernel's connection if one is listed and keeps it nowhere else: a
  connection that is closing as the message goes out (the kernel reconnects every few seconds) loses it for good;
- ``on_close`` deletes the last-iterated kernel's entry when the closing connection is no longer the listed one
  (another kernel's waiter, or the kernel's own newer connection).

:func:`patch_request_info` (called from the voila.py `workbench serve` writes, so it runs in the server process
only) keeps every request until the server stops (a few hundred bytes per page, the oldest dropped beyond
:data:`MAX_KEPT`), sends it on every connect, and deletes only the closing connection's own entry. A kernel that
missed the message gets it on its next reconnect.

A second, worse stall: a page that takes a pooled kernel still running the notebook's first cells (the pool refills
in the background: a kernel started a moment ago is still importing) stops the pre-rendering in the middle of a
cell; Voila then runs the rest for the page, the kernel finishes every cell (the review is computed and cached) and
falls idle, but the page never receives the last cell and hangs at "Executing 3 of 4" (reproduced every time by
opening a page within seconds of `workbench serve` starting; the same page a few seconds later renders in 3 s).
:func:`patch_pool_handover` hands a pooled kernel to a page only once it waits in the notebooks' wait-for-request
cell (its connection to ``/voila/query/<kernel id>`` is open; at most :data:`HANDOVER_WAIT_S` seconds), which is
the hand-over Voila's pre-rendering is built for.

The cause of the remaining "Executing 3 of 4" stalls was elsewhere: a kernel's reply waiting in the server's shell
socket whose wake-up was lost. :func:`patch_missed_wakeup` makes jupyter_client's async channels re-check the
socket every second; `workbench serve` installs it in the server and `workbench batch` in each worker (papermill
waits on the same channels). See docs/app.md, "Stalled pages".
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)
MAX_KEPT = 5000
HANDOVER_WAIT_S = 60.0


def patch_request_info() -> bool:
    """Patch ``voila.request_info_handler.RequestInfoSocketHandler`` (True when patched or already patched)."""
    try:
        from voila.request_info_handler import RequestInfoSocketHandler as Handler
    except ImportError:   # another Voila: leave it alone
        return False
    if getattr(Handler, "_wb_patched", False):
        return True

    def open(self, kernel_id: str) -> None:  # noqa: A001 - tornado's name
        self._wb_kernel = kernel_id
        Handler._waiters[kernel_id] = self
        if kernel_id in Handler._cache:
            self.write_message(Handler._cache[kernel_id])

    def on_close(self) -> None:
        kernel_id = getattr(self, "_wb_kernel", None)
        if kernel_id is not None and Handler._waiters.get(kernel_id) is self:
            del Handler._waiters[kernel_id]

    def send_updates(cls, msg: dict) -> None:
        kernel_id, payload = msg["kernel_id"], msg["payload"]
        cls._cache[kernel_id] = payload            # kept: the next connect of this kernel gets it again
        while len(cls._cache) > MAX_KEPT:
            cls._cache.pop(next(iter(cls._cache)))
        waiter = cls._waiters.get(kernel_id)
        if waiter is not None:
            try:
                waiter.write_message(payload)
            except Exception:  # noqa: BLE001 - a closed connection: the kernel's next connect gets the request
                log.warning("request for kernel %s not delivered now; kept for its next connect", kernel_id)

    Handler.open = open
    Handler.on_close = on_close
    Handler.send_updates = classmethod(send_updates)
    Handler._wb_patched = True
    return True


def patch_pool_handover(wait_s: float = HANDOVER_WAIT_S) -> bool:
    """Make Voila's pooled kernel manager hand a kernel to a page only once the kernel waits for its request
    (see the module's docstring). True when installed."""
    try:
        import voila.app as voila_app
        import voila.voila_kernel_manager as vkm
        from voila.request_info_handler import RequestInfoSocketHandler as Handler
    except ImportError:
        return False
    if getattr(vkm.voila_kernel_manager_factory, "_wb_patched", False):
        return True
    original = vkm.voila_kernel_manager_factory

    async def until_waiting(kernel_id: str, render_task) -> None:
        import asyncio
        import time

        deadline = time.monotonic() + wait_s
        while kernel_id not in Handler._waiters and not render_task.done() and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if kernel_id not in Handler._waiters and not render_task.done():
            log.warning("pre-heated kernel %s is not waiting for its request after %.0f s; handed over anyway",
                        kernel_id, wait_s)

    async def get_rendered_notebook(self, notebook_name: str, extra_kernel_env_variables: dict | None = None,
                                    **kwargs):
        # voila 0.5.13 VoilaKernelManager.get_rendered_notebook, waiting for the kernel before stopping the render
        if notebook_name is None:
            raise NameError("Notebook name must be provided!")
        if len(self._pools.get(notebook_name, ())) == 0:
            raise Exception(f"Kernel pool for {notebook_name} is empty!")
        pool_item = self._pools[notebook_name].pop(0)
        content = await pool_item
        renderer, render_task, kernel_id = content["renderer"], content["task"], content["kernel_id"]
        await until_waiting(kernel_id, render_task)
        renderer.stop_generator = True
        self.log.info("Using pre-heated kernel: %s for %s", kernel_id, notebook_name)
        self.fill_if_needed(delay=None, notebook_name=notebook_name,
                            extra_kernel_env_variables=extra_kernel_env_variables or {}, **kwargs)
        return render_task, renderer.rendered_cache, kernel_id

    def factory(*args, **kwargs):
        cls = original(*args, **kwargs)
        if hasattr(cls, "get_rendered_notebook"):   # pools on (preheat_kernel): the pooled manager
            cls.get_rendered_notebook = get_rendered_notebook
        return cls

    factory._wb_patched = True
    vkm.voila_kernel_manager_factory = factory
    voila_app.voila_kernel_manager_factory = factory
    return True


RECHECK_S = 1.0


def patch_missed_wakeup(recheck_s: float = RECHECK_S) -> bool:
    """Make the server's kernel channels notice a reply their wait missed (see docs/app.md "Stalled pages").

    Traced in this project (server-side log of every shell and IOPub message of every cell): in the pages that
    hung at "Executing 3 of 4", the kernel had run the cell and published its idle status, and the ``execute_reply``
    was waiting in the server's shell socket (``zmq.EVENTS`` reported POLLIN for 20 s and more) while
    ``await socket.poll()`` in jupyter_client's ``AsyncZMQSocketChannel.get_msg`` never woke: a zmq socket
    signals readiness through an edge-triggered file descriptor, and that edge was lost. A new connection to the
    kernel does not help (its reply arrives on another socket); only a reload did.

    The patched ``get_msg`` waits in slices of ``recheck_s`` seconds and, after each slice, asks libzmq directly
    whether a message is waiting (a level, not an edge): a missed wake-up now costs at most ``recheck_s`` instead
    of the whole page. Same result, same timeout, same ``queue.Empty`` as before. True when installed."""
    try:
        import time
        from queue import Empty

        import zmq
        from jupyter_client.channels import AsyncZMQSocketChannel as Channel
    except ImportError:
        return False
    if getattr(Channel.get_msg, "_wb_patched", False):
        return True

    async def get_msg(self, timeout: float | None = None):
        assert self.socket is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            step = recheck_s if left is None else min(recheck_s, left)
            if await self.socket.poll(int(step * 1000)):
                return await self._recv()
            if self.socket.getsockopt(zmq.EVENTS) & zmq.POLLIN:
                log.warning("workbench: a kernel message was waiting unnoticed (missed wake-up); read it")
                return await self._recv()
            if left is not None and left <= step:
                raise Empty

    get_msg._wb_patched = True
    Channel.get_msg = get_msg
    return True
