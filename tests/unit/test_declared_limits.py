"""Text people type is refused over its declared limit, never cut."""

import pytest
from hypothesis import given, strategies as st

from cbl.services.errors import InvalidInput, within


@given(st.text(alphabet="ab c", max_size=60), st.integers(min_value=0, max_value=40))
def test_text_within_its_limit_comes_back_trimmed_and_longer_text_is_refused_naming_both_lengths(text, limit):
    trimmed = text.strip()
    if len(trimmed) <= limit:
        assert within(text, limit, "note", "The note") == trimmed
    else:
        with pytest.raises(InvalidInput, match=f"{limit:,} characters or fewer \\(you entered {len(trimmed):,}\\)"):
            within(text, limit, "note", "The note")
