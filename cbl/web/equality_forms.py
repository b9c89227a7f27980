"""The equality monitoring questions as one form (each question optional, "Prefer not to say" on each), for the
online application's optional step, the household's own page and the officers' paper-form page alike."""

from typing import Any

from cbl.rules.equality_categories import BY_KEY, KEYS, QUESTIONS
from cbl.web import forms


class EqualityForm(forms.Form):
    # One optional choice a question, in the order cbl/rules/equality_categories.py asks them.
    sex = forms.Choice(BY_KEY["sex"].question, required=None)
    gender_identity = forms.Choice(BY_KEY["gender_identity"].question, required=None)
    sexual_orientation = forms.Choice(BY_KEY["sexual_orientation"].question, required=None)
    ethnic_group = forms.Choice(BY_KEY["ethnic_group"].question, required=None)
    religion = forms.Choice(BY_KEY["religion"].question, required=None)
    disability = forms.Choice(BY_KEY["disability"].question, required=None,
                              description=BY_KEY["disability"].hint)
    marriage = forms.Choice(BY_KEY["marriage"].question, required=None)
    pregnancy = forms.Choice(BY_KEY["pregnancy"].question, required=None)


CHOICES: dict[str, list[tuple[str, str]]] = {question.key: list(question.answers) for question in QUESTIONS}


def read_equality(body: dict | None, kept: Any = None) -> EqualityForm:
    """The form from a submitted body, or showing the answers kept (the household's row of them), or empty."""
    shown = {key: getattr(kept, key) for key in KEYS} if kept is not None and body is None else {}
    return forms.read(EqualityForm, body, choices=CHOICES, **shown)


def answers(form: EqualityForm) -> dict[str, str | None]:
    """Each question's answer, None where none was chosen."""
    return {key: getattr(form, key).data or None for key in KEYS}

