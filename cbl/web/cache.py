"""A short-lived cache for public pages that are the same for everyone (the adverts list).

Under load most requests are people paging through the same list; answering them from memory
for a couple of seconds saves the database and the worker's time. The price is that "bids so far"
may be a few seconds old (at most `seconds` + `stale_for`). Each worker keeps its own; nothing
personal is ever cached.
"""

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class TimedCache(Generic[T]):
    def __init__(self, seconds: float, max_entries: int = 512, stale_for: float | None = None) -> None:
        self.seconds = seconds
        self.stale_for = seconds if stale_for is None else stale_for
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()
        self._refreshing: dict[Hashable, asyncio.Future] = {}  # touched on the event loop only

    def fresh(self, key: Hashable) -> T | None:
        """The value kept for key, if it is still fresh."""
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    async def answer(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        """The value for key, computed by `compute` only when needed and once however many ask.

        A fresh value is answered at once. A value up to `stale_for` seconds past its time is also
        answered at once while one refresh runs behind it, so no reader waits for the database
        each time the list expires; an older one, or none, is waited for, by everyone together
        (under the bidding bench each expiry had sent several requests to the database at once).
        """
        entry = self._entries.get(key)
        now = time.monotonic()
        if entry is not None and entry[0] > now:
            return entry[1]
        refresh = self._refreshing.get(key)
        if refresh is None:
            refresh = self._refreshing[key] = asyncio.ensure_future(self._refresh(key, compute))
            refresh.add_done_callback(_retrieve_exception)  # also when only stale readers were there
        if entry is not None and entry[0] + self.stale_for > now:
            return entry[1]
        return await asyncio.shield(refresh)

    async def _refresh(self, key: Hashable, compute: Callable[[], Awaitable[T]]) -> T:
        try:
            return self.put(key, await compute())
        finally:
            del self._refreshing[key]

    def put(self, key: Hashable, value: T) -> T:
        now = time.monotonic()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries = {k: v for k, v in self._entries.items() if v[0] + self.stale_for > now}
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
            self._entries[key] = (now + self.seconds, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def _retrieve_exception(future: asyncio.Future) -> None:
    # A refresh that failed has told whoever waited for it; a refresh only stale readers started
    # fails quietly here, and the next reader tries again.
    if not future.cancelled():
        future.exception()
