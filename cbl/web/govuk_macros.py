"""The GOV.UK Frontend macros (govuk_frontend_jinja), loaded with their imports hoisted out of the macros.

The package follows the Nunjucks originals: every macro imports its parts (`{% from "…/hint/macro.html" import
govukHint %}`) inside its own body, so each call of a macro repeats them: on a household's case page, ~430
imports of a render, each a template lookup and a comparison of the caller's globals with the template's.
Imported once at the top of the file instead, a macro finds the same macro by the same name (an import without
context is the same module, wherever it is written). Each import inside a macro is replaced by a comment with
the same whitespace control (`{%- … -%}` becomes `{#- … -#}`), so the HTML the macros write is unchanged to the
byte (tests/unit/test_govuk_macros.py).
"""

import re
from collections.abc import Callable

from jinja2 import Environment, PackageLoader

IMPORT = re.compile(r'\{%(-?)\s*(from\s+"govuk_frontend_jinja/[^"]+"\s+import\s+\w+)\s*(-?)%\}')


def hoisted(source: str) -> str:
    """The template's source with its imports written once, at its start, instead of where they were."""
    imports = list(dict.fromkeys(match.group(2) for match in IMPORT.finditer(source)))
    if not imports:
        return source
    body = IMPORT.sub(lambda match: "{#" + match.group(1) + " import hoisted " + match.group(3) + "#}", source)
    # Text outside a macro is the module's own output, never written into a page that calls its macros.
    return "".join("{% " + statement + " %}" for statement in imports) + body


class GovukMacros(PackageLoader):
    """`govuk_frontend_jinja`'s templates, each with its imports hoisted (see the module's note)."""

    def __init__(self) -> None:
        super().__init__("govuk_frontend_jinja")

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Callable[[], bool] | None]:
        source, filename, up_to_date = super().get_source(environment, template)
        return hoisted(source), filename, up_to_date
