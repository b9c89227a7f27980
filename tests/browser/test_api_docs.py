"""The API's documentation page in a real browser: it draws every operation with nothing fetched from
anywhere but this site, and nothing refused by the site's content-security policy."""

from playwright.sync_api import Page, expect


def test_the_api_docs_render_from_this_site_alone_under_its_policy(page: Page, server):
    requested, refused = [], []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text or "Refused" in message.text else None)

    page.goto(f"{server}/api/v1/schema")
    expect(page.locator(".opblock").first).to_be_visible(timeout=15_000)

    assert page.locator(".opblock").count() >= 19  # every operation of the applicants' and providers' APIs
    expect(page.get_by_text("/api/v1/provider/voids", exact=True).first).to_be_visible()
    expect(page.get_by_role("button", name="Authorize")).to_be_visible()  # the declared security schemes
    assert requested and all(url.startswith(f"{server}/") for url in requested), requested
    assert f"{server}/api/v1/schema/openapi.json" in requested
    assert refused == []
