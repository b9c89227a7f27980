"""The public pages' short-lived cache: computed once however many ask, a moment-old copy answered
while it is refreshed, and never more than it may hold."""

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from cbl.web.cache import TimedCache


def _run(scenario) -> None:
    # On a thread of its own: the browser tests leave an event loop running on this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, scenario()).result(timeout=30)


class Source:
    """A slow list whose every computation is counted and numbered."""

    def __init__(self, seconds: float = 0.05, fail: bool = False) -> None:
        self.calls = 0
        self.seconds = seconds
        self.fail = fail

    async def __call__(self) -> str:
        self.calls += 1
        number = self.calls
        await asyncio.sleep(self.seconds)
        if self.fail:
            raise RuntimeError("database unreachable")
        return f"list {number}"


def test_many_readers_at_once_are_answered_from_one_computation():
    async def scenario():
        cache, source = TimedCache(seconds=60), Source()
        answers = await asyncio.gather(*(cache.answer("page 1", source) for _ in range(20)))
        assert answers == ["list 1"] * 20 and source.calls == 1
        assert await cache.answer("page 1", source) == "list 1" and source.calls == 1

    _run(scenario)


def test_a_copy_just_past_its_time_is_answered_at_once_while_it_is_refreshed():
    async def scenario():
        cache, source = TimedCache(seconds=0.1, stale_for=5), Source(seconds=0.2)
        assert await cache.answer("page 1", source) == "list 1"
        await asyncio.sleep(0.15)  # past its time
        started = time.monotonic()
        assert await cache.answer("page 1", source) == "list 1"
        assert time.monotonic() - started < 0.1  # not waiting for the refresh
        await asyncio.sleep(0.01)
        assert await cache.answer("page 1", source) == "list 1" and source.calls == 2  # one refresh only
        await asyncio.sleep(0.3)
        assert await cache.answer("page 1", source) == "list 2"

    _run(scenario)


def test_a_copy_too_old_to_answer_is_waited_for():
    async def scenario():
        cache, source = TimedCache(seconds=0.05, stale_for=0.05), Source(seconds=0.01)
        assert await cache.answer("page 1", source) == "list 1"
        await asyncio.sleep(0.15)
        assert await cache.answer("page 1", source) == "list 2"

    _run(scenario)


def test_a_failed_computation_fails_its_readers_and_the_next_reader_tries_again():
    async def scenario():
        cache, source = TimedCache(seconds=60), Source(fail=True)
        results = await asyncio.gather(*(cache.answer("page 1", source) for _ in range(3)), return_exceptions=True)
        assert all(isinstance(r, RuntimeError) for r in results) and source.calls == 1
        source.fail = False
        assert await cache.answer("page 1", source) == "list 2"

    _run(scenario)


def test_it_holds_no_more_than_its_limit():
    cache = TimedCache(seconds=60, max_entries=3)
    for n in range(10):
        cache.put(n, n)
        assert len(cache._entries) <= 3
    assert cache.fresh(9) == 9  # the newest is always kept


def test_a_value_is_fresh_for_its_seconds_and_then_gone():
    cache = TimedCache(seconds=0.2)
    assert cache.fresh("page 1") is None
    assert cache.put("page 1", ["AD1"]) == ["AD1"]
    assert cache.fresh("page 1") == ["AD1"]
    time.sleep(0.25)
    assert cache.fresh("page 1") is None


@pytest.mark.parametrize("readers", [1, 5])
def test_a_reader_that_gives_up_does_not_stop_the_others(readers):
    async def scenario():
        cache, source = TimedCache(seconds=60), Source(seconds=0.1)
        quitter = asyncio.ensure_future(cache.answer("page 1", source))
        others = [asyncio.ensure_future(cache.answer("page 1", source)) for _ in range(readers)]
        await asyncio.sleep(0.02)
        quitter.cancel()  # e.g. the client hung up
        assert await asyncio.gather(*others) == ["list 1"] * readers and source.calls == 1

    _run(scenario)
