"""The pages' `indent` filter draws exactly what Jinja's own does (it only saves Jinja's work on markup)."""

from hypothesis import given
from hypothesis import strategies as st
from jinja2.filters import do_indent
from markupsafe import Markup

from cbl.app import indent

LINES = st.lists(st.sampled_from(["a", "<", "&", " ", "\n", "\r\n", "\t", "é"]), max_size=40).map("".join)


@given(LINES, st.booleans(), st.one_of(st.integers(0, 8), st.sampled_from(["  ", "<b>", "\t"])), st.booleans(),
       st.booleans())
def test_indent_gives_what_jinja_gives_for_text_and_for_markup(text, markup, width, first, blank):
    given_text = Markup(text) if markup else text
    ours, jinjas = indent(given_text, width, first, blank), do_indent(given_text, width, first, blank)
    assert ours == jinjas and type(ours) is type(jinjas)
