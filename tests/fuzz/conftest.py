"""The fuzzers use the served app and the people of the end-to-end tests."""

from tests.e2e.conftest import app, staff, world  # noqa: F401
