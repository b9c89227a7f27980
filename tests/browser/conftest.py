"""Browser tests: Debian's chromium driven by Playwright against the real server on a free port."""

import shutil
import threading
import time

import pytest
import uvicorn

from cbl.app import create_app
from cbl.settings import load_settings
from cbl.throwaway import free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if CHROMIUM is None:
                item.add_marker(pytest.mark.skip(reason="Debian's chromium is not installed"))


@pytest.fixture(scope="session")
def browser_type_launch_args():
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


@pytest.fixture
def server(db, scheme, tmp_path):
    """The app served by uvicorn in a thread; yields its base URL."""
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": "browser-test-secret" * 3},
                             workdir=tmp_path)
    port = free_port()
    config = uvicorn.Config(create_app(settings, db=db, scheme=scheme), host="127.0.0.1", port=port,
                            log_level="warning")
    web = uvicorn.Server(config)
    thread = threading.Thread(target=web.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not web.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert web.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    web.should_exit = True
    thread.join(timeout=10)
