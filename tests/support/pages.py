"""Checks every page we render must pass: one <h1>, a <title> that starts with it, unique ids,
labelled form controls, forms with an action and, when they post, a CSRF token."""

from collections import Counter
from html.parser import HTMLParser


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.h1: list[str] = []
        self.title = ""
        self.labels: set[str] = set()
        self.controls: list[tuple[str, str | None]] = []
        self.forms: list[dict] = []
        self._in: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.append(a["id"])
        if tag in {"h1", "title"}:
            self._in.append(tag)
            if tag == "h1":
                self.h1.append("")
        if tag == "label" and a.get("for"):
            self.labels.add(a["for"])
        if tag in {"input", "select", "textarea"} and a.get("type") not in {"hidden", "submit"}:
            self.controls.append((tag, a.get("id")))
        if tag == "form":
            self.forms.append({"action": a.get("action"), "method": (a.get("method") or "get").lower(), "csrf": False})
        if tag == "input" and a.get("name") == "_csrf_token" and self.forms:
            self.forms[-1]["csrf"] = True

    def handle_endtag(self, tag):
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data):
        if "h1" in self._in:
            self.h1[-1] += data
        elif "title" in self._in:
            self.title += data


def check_page(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    assert len(page.h1) == 1, f"expected one <h1>, found {len(page.h1)}"
    heading = " ".join(page.h1[0].split())
    title = " ".join(page.title.split()).removeprefix("Error: ")
    assert title.startswith(heading.split(" (")[0][:30]) or heading.startswith(title.split(" – ")[0]), (title, heading)
    duplicates = [i for i, n in Counter(page.ids).items() if n > 1]
    assert not duplicates, f"duplicate ids: {duplicates}"
    unlabelled = [c for c in page.controls if c[1] is None or c[1] not in page.labels]
    assert not unlabelled, f"form controls without a label: {unlabelled}"
    for form in page.forms:
        assert form["action"], "a form without an action"
        if form["method"] == "post":
            assert form["csrf"], f"a POST form to {form['action']} without a CSRF token"
    return page
