"""The fuzzers use the served app and the people of the end-to-end tests, on one database: PostgreSQL when a
server answers, since it is the stricter (lengths, integer ranges and types SQLite would let through), else
SQLite. Fuzzing both doubled the suite's longest tests for nothing SQLite could add."""

import pytest

from tests.e2e.conftest import app, staff, world  # noqa: F401
from tests.support.databases import postgres_reachable


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    stricter = "postgresql" if postgres_reachable() else "sqlite"

    def other_database(item: pytest.Item) -> bool:
        callspec = getattr(item, "callspec", None)
        kind = callspec.params.get("database_url") if callspec else None
        return item.nodeid.startswith("tests/fuzz/") and kind not in (None, stricter)

    left_out = [item for item in items if other_database(item)]
    if left_out:
        items[:] = [item for item in items if not other_database(item)]
        config.hook.pytest_deselected(items=left_out)
