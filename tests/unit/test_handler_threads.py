"""CBL_THREADS sizes the pool that runs the site's sync handlers (Litestar's sync_to_thread)."""

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from litestar.concurrency import sync_to_thread

from cbl.app import _limit_threads


def test_sync_handlers_run_on_as_many_threads_as_configured():
    async def run() -> set[str]:
        _limit_threads(3)
        barrier = threading.Barrier(3, timeout=5)

        def handler() -> str:
            barrier.wait()  # all three at once: three threads, and no fourth is needed
            return threading.current_thread().name

        names = set(await asyncio.gather(*(sync_to_thread(handler) for _ in range(3))))
        more = set(await asyncio.gather(*(sync_to_thread(lambda: threading.current_thread().name)
                                          for _ in range(12))))
        return names | more

    with ThreadPoolExecutor(1) as own_thread:  # a loop of its own: the browser tests leave one running here
        names = own_thread.submit(asyncio.run, run()).result(timeout=30)
    assert all(name.startswith("cbl-handler") for name in names)
    assert len(names) == 3
