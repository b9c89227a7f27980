"""Live rankings kept in memory while an advert's bids stay the same.

"My bids" ranks every advert the household bid for; a popular advert has hundreds of bidders,
so ranking it afresh on each page view would make the busiest page the slowest. A ranking is
reused while the advert's bid fingerprint (how many bids, the newest bid, placement and
withdrawal) is unchanged, and for at most `seconds`, which bounds how long a change to a
bidder's own record (a new band, say) takes to show. Each worker keeps its own.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any


class RankingCache:
    def __init__(self, seconds: float = 30.0, max_entries: int = 5000) -> None:
        self.seconds = seconds
        self.max_entries = max_entries
        self._entries: OrderedDict[Hashable, tuple[float, Hashable, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, fingerprint: Hashable) -> Any | None:
        entry = self._entries.get(key)
        if entry is None or entry[1] != fingerprint or entry[0] <= time.monotonic():
            return None
        return entry[2]

    def put(self, key: Hashable, fingerprint: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = (time.monotonic() + self.seconds, fingerprint, value)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


RANKINGS = RankingCache()
