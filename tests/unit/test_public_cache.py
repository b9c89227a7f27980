"""The public pages' short-lived cache: fresh copies only, and never more than it may hold."""

import time

from cbl.web.cache import TimedCache


def test_a_value_is_fresh_for_its_seconds_and_then_gone():
    cache = TimedCache(seconds=0.2)
    assert cache.fresh("page 1") is None
    assert cache.put("page 1", ["AD1"]) == ["AD1"]
    assert cache.fresh("page 1") == ["AD1"]
    time.sleep(0.25)
    assert cache.fresh("page 1") is None


def test_it_holds_no_more_than_its_limit():
    cache = TimedCache(seconds=60, max_entries=3)
    for n in range(10):
        cache.put(n, n)
        assert len(cache._entries) <= 3
    assert cache.fresh(9) == 9  # the newest is always kept
