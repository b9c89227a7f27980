"""Browser tests: Debian's chromium driven by Playwright against the real server on a free port."""

import shutil

import pytest

from cbl.app import create_app
from cbl.settings import load_settings
from tests.support.factories import PASSWORD
from tests.support.second_factor import code_for
from tests.support.served import served

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SITE_KEY = "browser-test-secret" * 3


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
    settings = load_settings({"CBL_DATABASE_URL": db.url, "CBL_SECRET_KEY": SITE_KEY},
                             workdir=tmp_path)
    with served(create_app(settings, db=db, scheme=scheme)) as port:
        yield f"http://127.0.0.1:{port}"


def staff_sign_in(page, db, email: str, password: str = PASSWORD) -> None:  # noqa: ANN001 - a Page, a Database
    """On the admin sign-in page: the password, then the code the person's authenticator app shows
    (tests/support/second_factor.py), as they would type them."""
    code = code_for(db, email, SITE_KEY)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code", exact=True).fill(code)
    page.get_by_role("button", name="Continue").click()


@pytest.fixture
def page_for_axe(browser):
    # The site forbids inline scripts (its content-security policy); axe-core is injected by the test alone.
    context = browser.new_context(bypass_csp=True)
    yield context.new_page()
    context.close()
