"""Small pieces of plain English used across the sites: ordinals, money, floors, moments."""

from datetime import datetime
from zoneinfo import ZoneInfo


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def money(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def floor_words(floor: int) -> str:
    if floor < 0:
        return "Basement"
    if floor == 0:
        return "Ground floor"
    return f"{ordinal(floor)} floor"


def day_and_time(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as people read it on GOV.UK: "Monday 7 December 2026 at 9am", "... at 5:30pm", "... at midday"."""
    local = moment.astimezone(zone)
    if (local.hour, local.minute) == (0, 0):
        time = "midnight"
    elif (local.hour, local.minute) == (12, 0):
        time = "midday"
    else:
        hour = local.hour % 12 or 12
        time = f"{hour}{f':{local.minute:02d}' if local.minute else ''}{'am' if local.hour < 12 else 'pm'}"
    return f"{local:%A} {local.day} {local:%B %Y} at {time}"
