"""Times of day as people in the UK write them: 2pm, 2:30pm, 2.30 pm, 14:30, 14.30, 1430, noon, midday."""

import re
from datetime import time

_NAMED = {"noon": time(12), "midday": time(12), "12 noon": time(12), "12noon": time(12), "midnight": time(0)}
_SHAPE = re.compile(r"(?P<hour>\d{1,2})(?:[:.]?(?P<minute>\d{2}))?\s*(?:(?P<half>[ap])\.?\s*(?:m\.?)?)?")


def read_time(typed: str) -> time | None:
    """The time meant, or None when the text is not a time (25:00, 13pm, 'soon')."""
    text = " ".join(typed.strip().lower().split())
    if text in _NAMED:
        return _NAMED[text]
    shape = _SHAPE.fullmatch(text)
    if shape is None:
        return None
    hour, minute, half = int(shape["hour"]), int(shape["minute"] or 0), shape["half"]
    if shape["minute"] is None and half is None and len(shape["hour"]) < 2:
        # A lone "2" is not a time anyone means: ask rather than guess 2am.
        return None
    if half is not None:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "p" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)
