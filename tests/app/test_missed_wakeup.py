"""The stall behind "Executing 3 of 4" (docs/app.md "Stalled pages"): a kernel reply waiting in the server's shell
socket whose wake-up was lost. Reproduced here on a real zmq socket pair: the reply reaches the client socket, then
something reads ``zmq.EVENTS`` on it before the event loop runs, which consumes the edge-triggered file descriptor's
signal. jupyter_client's own ``get_msg`` then waits for ever; with :func:`patch_missed_wakeup` it returns within
one re-check interval."""
from __future__ import annotations

import asyncio
import time
from queue import Empty

import pytest
import zmq
import zmq.asyncio
from jupyter_client.channels import AsyncZMQSocketChannel as Channel
from jupyter_client.session import Session

from workbench.voila_patches import RECHECK_S, patch_missed_wakeup


@pytest.fixture
def unpatched(monkeypatch):
    monkeypatch.setattr(Channel, "get_msg", Channel.get_msg)   # restored after the test, whatever it installs
    return Channel.get_msg


async def _pair():
    session = Session()
    router = zmq.Context.instance().socket(zmq.ROUTER)
    port = router.bind_to_random_port("tcp://127.0.0.1")
    dealer = zmq.asyncio.Context.instance().socket(zmq.DEALER)
    dealer.connect(f"tcp://127.0.0.1:{port}")
    session.send(dealer, "kernel_info_request")   # the server side learns the client's identity
    for _ in range(50):
        if router.poll(100):
            break
        await asyncio.sleep(0)
    ident = router.recv_multipart()[0]
    return session, router, dealer, ident


async def _reply_with_lost_wakeup(get_msg_timeout, wait_s):
    """(message type or "Empty" or "still waiting", seconds) for a reply whose wake-up was consumed."""
    session, router, dealer, ident = await _pair()
    try:
        channel = Channel(dealer, session)
        task = asyncio.ensure_future(channel.get_msg(timeout=get_msg_timeout))
        await asyncio.sleep(0.2)                            # get_msg now waits in poll
        session.send(router, "execute_reply", {"status": "ok"}, ident=ident)
        time.sleep(0.3)                                     # the reply arrives; the event loop does not run
        zmq.Socket.shadow(dealer.underlying).getsockopt(zmq.EVENTS)   # ... and the edge is consumed
        start = time.monotonic()
        try:
            msg = await asyncio.wait_for(task, wait_s)
            return msg["msg_type"], time.monotonic() - start
        except Empty:
            return "Empty", time.monotonic() - start
        except asyncio.TimeoutError:
            return "still waiting", time.monotonic() - start
    finally:
        dealer.close(linger=0)
        router.close(linger=0)


def test_without_the_patch_a_lost_wakeup_hangs_the_wait(unpatched):
    got, _ = asyncio.run(_reply_with_lost_wakeup(None, 3.0))
    assert got == "still waiting"   # the reply sits in the socket; nothing wakes the wait (the page's stall)


def test_with_the_patch_the_reply_is_read_within_one_recheck(unpatched):
    assert patch_missed_wakeup() and patch_missed_wakeup()   # idempotent
    got, seconds = asyncio.run(_reply_with_lost_wakeup(None, 5.0))
    assert got == "execute_reply"
    assert seconds <= RECHECK_S + 0.5


def test_patched_wait_keeps_its_timeout_and_its_fast_path(unpatched):
    patch_missed_wakeup()

    async def run():
        session, router, dealer, ident = await _pair()
        try:
            channel = Channel(dealer, session)
            start = time.monotonic()
            with pytest.raises(Empty):                      # nothing sent: Empty after the caller's timeout
                await channel.get_msg(timeout=0.3)
            waited = time.monotonic() - start
            session.send(router, "status", {"execution_state": "idle"}, ident=ident)
            start = time.monotonic()
            msg = await channel.get_msg(timeout=5)          # a message that arrives normally: no re-check delay
            return waited, msg["msg_type"], time.monotonic() - start
        finally:
            dealer.close(linger=0)
            router.close(linger=0)

    waited, kind, seconds = asyncio.run(run())
    assert 0.25 <= waited < 0.3 + RECHECK_S
    assert kind == "status" and seconds < 0.5
