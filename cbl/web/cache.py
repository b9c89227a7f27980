"""A short-lived cache for public pages that are the same for everyone (the adverts list).

Under load most requests are people paging through the same list; answering them from memory
for a couple of seconds saves the database and the worker's time. The price is that "bids so far"
may be that many seconds old. Each worker keeps its own; nothing personal is ever cached.
"""

import threading
import time
from collections.abc import Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class TimedCache(Generic[T]):
    def __init__(self, seconds: float, max_entries: int = 512) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: dict[Hashable, tuple[float, T]] = {}
        self._lock = threading.Lock()

    def fresh(self, key: Hashable) -> T | None:
        """The value kept for key, if it is still fresh."""
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] > time.monotonic() else None

    def put(self, key: Hashable, value: T) -> T:
        now = time.monotonic()
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
            self._entries[key] = (now + self.seconds, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

