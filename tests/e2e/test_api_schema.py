"""The API's schema, as a client generator or a newcomer reads it: its docs page needs no other site,
and every operation declares its credentials and the errors it can answer, in the real error body."""

from html.parser import HTMLParser

from cbl.app import SECURITY_HEADERS


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline: list[str] = []  # inline scripts and styles, which the policy would refuse
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in attrs
            if "src" in attrs:
                self.urls.append(attrs["src"])
        elif tag == "link":
            self.urls.append(attrs["href"])
        elif tag == "style" or "style" in attrs:
            self.inline.append(tag)

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.inline.append(data.strip()[:80])

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


def test_the_schema_page_loads_its_assets_from_this_server_only(visitor):
    page = visitor.get("/api/v1/schema")
    assert page.status_code == 200
    policy = next(h.value for h in SECURITY_HEADERS if h.name == "Content-Security-Policy")
    assert page.headers["content-security-policy"] == policy  # the site's own, unrelaxed
    assets = _Assets()
    assets.feed(page.text)
    assert len(assets.urls) == 3 and assets.inline == []
    for url in assets.urls:
        assert url.startswith("/static/api-docs/"), url  # not another host, not protocol-relative
        answer = visitor.get(url)
        assert answer.status_code == 200 and len(answer.content) > 100, url


def test_every_operation_declares_its_credentials_and_errors_in_the_real_error_body(visitor):
    schema = visitor.get("/api/v1/schema/openapi.json").json()
    schemes = schema["components"]["securitySchemes"]
    assert schemes["applicantToken"] == {**schemes["applicantToken"], "type": "http", "scheme": "bearer"}
    assert schemes["providerKey"] == {**schemes["providerKey"], "type": "http", "scheme": "bearer"}
    error = schema["components"]["schemas"]["ErrorDetail"]
    assert set(error["required"]) == {"code", "message"} and "details" in error["properties"]

    operations = [(method, path, operation) for path, methods in schema["paths"].items()
                  for method, operation in methods.items()]
    assert len(operations) >= 19
    for method, path, operation in operations:
        responses = operation["responses"]
        for status, response in responses.items():
            if int(status) >= 400:
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ErrorBody"}
        signed_in = path.startswith("/api/v1/me") or path.startswith("/api/v1/provider")
        if signed_in:
            expected = "providerKey" if path.startswith("/api/v1/provider") else "applicantToken"
            assert operation["security"] == [{expected: []}], (method, path)
            assert "401" in responses, (method, path)
        else:
            assert "security" not in operation, (method, path)
        if "requestBody" in operation:
            assert {"400", "422"} <= set(responses), (method, path)  # a body that cannot be read, or is refused
    by_path = {(method, path): set(operation["responses"]) for method, path, operation in operations}
    assert {"403", "404", "409", "422"} <= by_path[("post", "/api/v1/me/bids")]
    assert {"404", "409"} <= by_path[("post", "/api/v1/me/offers/{offer_id}/accept")]
    assert "404" in by_path[("get", "/api/v1/adverts/{reference}")]
