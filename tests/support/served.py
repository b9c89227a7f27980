"""An ASGI app served by uvicorn in a thread of the test process, as `cbl up` serves it."""

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from tests.support.databases import free_port


@contextmanager
def served(app) -> Iterator[int]:  # any ASGI app
    """Serve `app` on a free loopback port until the block ends; yields the port."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not web.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert web.started, "the server did not start"
    try:
        yield port
    finally:
        web.should_exit = True
        thread.join(timeout=10)
