"""Forms drawn once per line of a table (a shortlist's households, a home's offers, the direct offers waiting
for a manager): every line has its own, and the one just submitted comes back as it was sent."""

from collections.abc import Iterable
from typing import Any, Generic

from cbl.web import forms

# The line a submitted form came from, and the form as it came back (its errors and what was typed).
Submitted = tuple[Any, forms.Form]


class PerLine(Generic[forms.F]):
    """One kind of form, one per line. Each line's ids end in `-TAG-KEY`, so that the same field on two lines
    (or on two tables of one page) never shares an id; each line's form is drawn empty except the submitted one."""

    def __init__(self, kind: type[forms.F], tag: str, *, choices: dict[str, Iterable[Any]] | None = None,
                 submitted: Submitted | None = None) -> None:
        self.kind, self.tag, self.choices = kind, tag, choices
        # Only a form of this kind comes back on its line (another table's submission is drawn empty here).
        self.submitted: tuple[Any, forms.F] | None = submitted if submitted and type(submitted[1]) is kind else None

    def read(self, key: Any, body: dict[str, Any] | None = None) -> forms.F:
        """Line `key`'s form: filled from a submitted `body`, or empty to be drawn."""
        return forms.read(self.kind, body, id_suffix=f"-{self.tag}-{key}", choices=self.choices)

    def __call__(self, key: Any) -> forms.F:
        if self.submitted is not None and self.submitted[0] == key:
            return self.submitted[1]
        return self.read(key)


class Action(forms.Form):
    """A button with nothing to fill in (verify, nominate): a refusal is shown in the error summary."""
