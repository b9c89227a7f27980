"""The GOV.UK Frontend macros (govuk_frontend_jinja), loaded with their imports hoisted out of the macros.

The package follows the Nunjucks originals: every macro imports its parts (`{% from "…/hint/macro.html" import
govukHint %}`) inside its own body, so each call of a macro repeats them: on a household's case page, ~430
imports of a render, each a template lookup and a comparison of the caller's globals with the template's.
Imported once at the top of the file instead, a macro finds the same macro by the same name (an import without
context is the same module, wherever it is written). Each import inside a macro is replaced by a comment with
the same whitespace control (`{%- … -%}` becomes `{#- … -#}`), so the HTML the macros write is unchanged to the
byte (tests/unit/test_govuk_macros.py).

`govukAttributes`, which every component calls for each element it draws (~360 times on a household's case page,
~30 ms of CPU as a Jinja loop), is written in Python (`attributes`, the template's global `govuk_attributes`), to
the byte what the package's macro writes, down to the blank lines its loop leaves.
"""

import re
from collections.abc import Callable, Mapping
from typing import Any

from jinja2 import Environment, PackageLoader, Undefined
from markupsafe import Markup, escape

IMPORT = re.compile(r'\{%(-?)\s*(from\s+"govuk_frontend_jinja/[^"]+"\s+import\s+\w+)\s*(-?)%\}')


def hoisted(source: str) -> str:
    """The template's source with its imports written once, at its start, instead of where they were."""
    imports = list(dict.fromkeys(match.group(2) for match in IMPORT.finditer(source)))
    if not imports:
        return source
    body = IMPORT.sub(lambda match: "{#" + match.group(1) + " import hoisted " + match.group(3) + "#}", source)
    # Text outside a macro is the module's own output, never written into a page that calls its macros.
    return "".join("{% " + statement + " %}" for statement in imports) + body


ATTRIBUTES = "macros/attributes.html"
GLOBAL = "govuk_attributes"  # the name `attributes` is given in the templates' globals (cbl/app.py)


_UNDEFINED = Undefined()  # a key the mapping has not: what Jinja reads there


def _missing(value: Any) -> bool:
    """The macro's `value in [undefined, null, None]`."""
    return value is None or isinstance(value, Undefined)


def attributes(given: Any) -> Markup:
    """What the package's `govukAttributes(given)` writes (govuk_frontend_jinja/templates/macros/attributes.html):
    a string as it is; a mapping as ` name="value"` pairs (`{"value": v, "optional": True}`: left out when v is
    empty or false, the bare name when v is true), each item behind the whitespace the macro's loop writes."""
    if isinstance(given, str):
        return Markup(given)
    if not isinstance(given, Mapping):
        return Markup("")
    spaces, html = ["\n    "], ""
    for name, value in given.items():
        # The macro's `value.val not in [undefined, null]`: `null` is no Jinja literal, so None is not missing here.
        if isinstance(value, Mapping) and not isinstance(value.get("val", _UNDEFINED), Undefined) and len(value):
            spaces.append("\n        \n      ")
            value = value["val"]
        if isinstance(value, Mapping):
            optional, shown = value.get("optional") is True, value.get("value", _UNDEFINED)
        else:
            optional, shown = False, str(value).lower() if isinstance(value, bool) else value
        if optional and shown is True:
            spaces.append("\n        \n    ")
            html = f"{html} {escape(name)}"
        elif not optional or not (_missing(shown) or shown is False):
            spaces.append("\n        \n      \n    ")
            html = f'{html} {escape(name)}="{escape(shown)}"'
        else:
            spaces.append("\n    ")
    return Markup("".join(spaces) + "\n  " + html)


class GovukMacros(PackageLoader):
    """`govuk_frontend_jinja`'s templates, each with its imports hoisted, and `govukAttributes` calling
    `attributes` (see the module's note)."""

    def __init__(self) -> None:
        super().__init__("govuk_frontend_jinja")

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool] | None]:
        source, filename, up_to_date = super().get_source(environment, template)
        if template == ATTRIBUTES and GLOBAL in environment.globals:
            return ("{% macro govukAttributes(attributes) -%}{{ " + GLOBAL + "(attributes) }}{%- endmacro %}",
                    filename, up_to_date)
        return hoisted(source), filename, up_to_date
