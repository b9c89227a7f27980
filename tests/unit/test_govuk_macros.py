"""The GOV.UK macros with their imports hoisted (cbl/web/govuk_macros.py) write the same HTML as the package's own."""

from importlib.resources import files
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, PackageLoader, PrefixLoader
from markupsafe import Markup

from cbl.web.govuk_macros import GLOBAL, GovukMacros, attributes, hoisted

COMPONENTS = Path(str(files("govuk_frontend_jinja"))) / "templates" / "components"
EVERY_ITEM = {"label": "A", "heading": {"text": "A"}, "content": {"text": "A"}, "panel": {"text": "A"},
              "title": {"text": "A"}, "status": {"text": "A"}, "hint": {"text": "Hint"}}
ITEMS = [{**EVERY_ITEM, "value": "a", "text": "A", "checked": True, "selected": True},
         {**EVERY_ITEM, "value": "b", "html": "<b>B</b>", "conditional": {"html": "More"}},
         {**EVERY_ITEM, "divider": "or"}]
# Enough of every component's parameters that each draws its label, hint, error message, items and fieldset.
PARAMS: dict[str, Any] = {
    "name": "field", "id": "field", "value": "typed", "text": "Text", "titleText": "There is a problem",
    "label": {"text": "Label"}, "hint": {"text": "Hint"}, "errorMessage": {"text": "Error"}, "items": ITEMS,
    "errorList": [{"text": "Error", "href": "#field"}], "fieldset": {"legend": {"text": "Legend"}},
    "legend": {"text": "Legend"},
    "maxlength": 10, "rows": [{"key": {"text": "K"}, "value": {"text": "V"}}], "head": [{"text": "H"}],
    "href": "/somewhere", "classes": "extra", "attributes": {"data-x": "1"}, "prefix": {"text": "£"},
}


def _environment(loader: Any) -> Environment:
    environment = Environment(loader=PrefixLoader({"govuk_frontend_jinja": loader}), autoescape=True)
    if isinstance(loader, GovukMacros):
        environment.globals[GLOBAL] = attributes
    return environment


def _drawn(environment: Environment, component: Path) -> str:
    macro = "govuk" + "".join(word.capitalize() for word in component.name.split("-"))
    try:
        return environment.from_string(
            f'{{% from "govuk_frontend_jinja/components/{component.name}/macro.html" import {macro} %}}'
            f"{{{{ {macro}(params) }}}}").render(params=PARAMS)
    except Exception as error:  # noqa: BLE001 - a component these parameters do not suit fails alike on both
        return f"{type(error).__name__}: {error}"


def test_every_component_writes_the_same_html_as_the_package_does():
    theirs, ours = _environment(PackageLoader("govuk_frontend_jinja")), _environment(GovukMacros())
    components = sorted(path for path in COMPONENTS.iterdir() if (path / "macro.html").exists())
    drawn = {component.name: _drawn(ours, component) for component in components}

    assert len(components) > 30
    assert all("<" in html for html in drawn.values()), drawn  # each drawn, none failed
    assert drawn == {component.name: _drawn(theirs, component) for component in components}


@pytest.mark.parametrize(("inside", "outside"), [
    ('{% macro m() %}{% from "govuk_frontend_jinja/x.html" import y -%}\n  {{ y() }}{% endmacro %}',
     '{% from "govuk_frontend_jinja/x.html" import y %}'
     '{% macro m() %}{# import hoisted -#}\n  {{ y() }}{% endmacro %}'),
    ("{% macro m() %}no imports{% endmacro %}", "{% macro m() %}no imports{% endmacro %}"),
])
def test_imports_move_to_the_top_once_keeping_their_whitespace_control(inside, outside):
    assert hoisted(inside) == outside


@pytest.mark.parametrize("given", [
    None, "", ' data-module="x"', {}, {"a": 1}, {"a": True, "b": False, "c": None, "d": "<x>", "e": Markup("<y>")},
    {"a": {"value": None, "optional": True}}, {"a": {"value": True, "optional": True}},
    {"a": {"value": False, "optional": True}}, {"a": {"value": "", "optional": True}}, {"a": {"optional": True}},
    {"a": {"val": "q"}}, {"a": {"val": None, "value": "v"}}, {"a": {"value": "v"}}, {"a": {}}, {"a": 0, "b": []},
])
def test_attributes_written_in_python_are_the_macros_to_the_byte(given):
    package = _environment(PackageLoader("govuk_frontend_jinja")).get_template(
        "govuk_frontend_jinja/macros/attributes.html").module.govukAttributes  # type: ignore[attr-defined]
    assert attributes(given) == package(given)
    assert _environment(GovukMacros()).from_string(
        '{% from "govuk_frontend_jinja/macros/attributes.html" import govukAttributes %}'
        "{{ govukAttributes(given) }}").render(given=given) == package(given)
