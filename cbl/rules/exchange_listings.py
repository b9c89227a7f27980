"""Who may offer their home for a mutual exchange, and which homes suit them.

- The right to exchange is a secure tenant's (Housing Act 1985 s92; a flexible tenancy is a secure tenancy, s107A)
  or, under its tenancy agreement, a registered provider's assured tenant's. An introductory tenant has none
  (introductory tenancies are not secure: Housing Act 1996 s124, and Part 4 of the 1985 Act does not apply), nor a
  provider's starter tenant (an assured shorthold tenancy on trial, without the exchange right).
- A home suits a household for its bedroom need as the register assesses it (the scheme's rule, applicant.bedroom_need)
  up to the scheme's allowed extra bedrooms ([exchanges] extra_bedrooms): a household asks for what it wants, and
  the matcher is given the part of it that suits.
"""

from cbl.models.states import ExchangeTenancy

NO_RIGHT_TO_EXCHANGE = (
    "Introductory and starter tenants cannot exchange: the right to a mutual exchange belongs to secure tenants "
    "(Housing Act 1985 section 92) and to housing associations' assured tenants under their tenancy agreements, and "
    "an introductory tenancy is not a secure tenancy (Housing Act 1996 section 124). You can list your home once "
    "your tenancy has become secure or assured.")


def right_to_exchange_problem(tenancy: ExchangeTenancy) -> str | None:
    return NO_RIGHT_TO_EXCHANGE if tenancy is ExchangeTenancy.INTRODUCTORY_OR_STARTER else None


def suitable_bedrooms(need: int, extra: int) -> tuple[int, int]:
    """The sizes of home that suit a household: its bedroom need to its need plus the scheme's extra bedrooms."""
    return need, need + extra


def wanted_and_suitable(want_min: int, want_max: int, need: int, extra: int) -> tuple[int, int] | None:
    """The wanted sizes that suit the household (what the matcher is given), or None if none do."""
    low, high = suitable_bedrooms(need, extra)
    low, high = max(low, want_min), min(high, want_max)
    return (low, high) if low <= high else None


def want_problem(want_min: int, want_max: int, need: int, extra: int) -> str | None:
    if want_min > want_max:
        return "The fewest bedrooms you want must not be more than the most."
    if wanted_and_suitable(want_min, want_max, need, extra) is None:
        low, high = suitable_bedrooms(need, extra)
        sizes = f"{low} bedroom{'s' if low != 1 else ''}" if low == high else f"{low} to {high} bedrooms"
        return (f"Your household needs {need} bedroom{'s' if need != 1 else ''}, so a home of {sizes} suits it: "
                "choose bedrooms that include at least one of those sizes.")
    return None
