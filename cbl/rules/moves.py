"""Downsizing and decants: what a household moving out of a social home is owed or offered, over plain data.

- Under-occupation: the home's bedrooms over the household's bedroom need (cbl/rules/bedroom_need.py, by the
  scheme's rule). Bedrooms released by a move: the bedrooms of the home left less those of the new home.
- The downsizing incentive is the council's own (its scheme, [downsizing]): so much per bedroom released, plus removal
  costs up to their maximum, the two together at most the overall maximum. No statute sets it.
- Home loss payment, Land Compensation Act 1973:
  s29(1): a person displaced from a dwelling in consequence of (among others) the redevelopment or improvement by a
  local authority of land it holds (para (c)) or by a private registered provider (para (d)), or a possession order
  on ground 10 or 10A of Schedule 2 to the Housing Act 1985 (para (e)), is entitled to a home loss payment;
  s29(2): only if, "throughout the period of one year ending with the date of displacement", they occupied the
  dwelling (or a substantial part of it) as their only or main residence by virtue of an interest or right to which
  the section applies (a tenancy is one);
  s30(1): for an owner's interest, 10 per cent of the market value of the interest, between the prescribed minimum
  and maximum; s30(2): in any other case (a tenant), the prescribed amount; s30(5): the Secretary of State prescribes
  the amounts by regulations, which apply by the date of displacement (e.g. SI 2019/1117 reg 2(1): "where the date of
  displacement is on or after 1st October 2019").
- Disturbance payment, s37-s38: a person displaced from land by the same kinds of action, in lawful possession and
  without an interest compensated otherwise, is entitled to a disturbance payment (s37(1)); its amount is the
  reasonable expenses of removing (s38(1)); a dispute as to its amount is referred to and determined by the Upper
  Tribunal (Lands Chamber) (s38(4); the Lands Tribunal's functions passed to it by SI 2009/1307).
- Rent arrears may be offset against a payment where the council's scheme allows it; never below nothing.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING

from cbl.rules.working_days import add_months

if TYPE_CHECKING:
    from cbl.rules.scheme import HomeLossAmounts


def under_occupied_by(bedrooms: int, bedroom_need: int) -> int:
    """The bedrooms the household has over its need (0 when it needs them all, or more)."""
    return max(bedrooms - bedroom_need, 0)


def bedrooms_released(current_bedrooms: int, new_bedrooms: int) -> int:
    """The bedrooms a move gives back: the home left's less the new home's (0 when the new home is no smaller)."""
    return max(current_bedrooms - new_bedrooms, 0)


@dataclass(frozen=True)
class Incentive:
    """A downsizing incentive worked out: the part for bedrooms released, the part for removal costs, and the sum."""

    bedrooms: int
    per_bedroom_pence: int
    bedrooms_pence: int
    removal_claimed_pence: int
    removal_pence: int
    capped: bool  # the overall maximum cut it down

    @property
    def total_pence(self) -> int:
        return self.bedrooms_pence + self.removal_pence


def downsizing_incentive(bedrooms: int, removal_claimed_pence: int, *, per_bedroom_pence: int,
                         removal_maximum_pence: int, overall_maximum_pence: int) -> Incentive:
    """The incentive for `bedrooms` released and the removal costs claimed: per bedroom, plus removal costs up to
    their maximum, the two together at most the overall maximum (the bedrooms' part first, then removal costs)."""
    if bedrooms < 0 or removal_claimed_pence < 0:
        raise ValueError("bedrooms released and removal costs are never negative")
    for_bedrooms = bedrooms * per_bedroom_pence
    removal = min(removal_claimed_pence, removal_maximum_pence)
    capped_bedrooms = min(for_bedrooms, overall_maximum_pence)
    capped_removal = min(removal, overall_maximum_pence - capped_bedrooms)
    return Incentive(bedrooms, per_bedroom_pence, capped_bedrooms, removal_claimed_pence, capped_removal,
                     capped=(capped_bedrooms, capped_removal) != (for_bedrooms, removal))


def one_year_ending_with(displaced_on: date) -> date:
    """The first day of "the period of one year ending with the date of displacement" (s29(2)): the day after the
    same date a year before, so the period holds the date of displacement and the year before it, no more. From a
    29 February the year before has no 29th: the period begins on 1 March."""
    return add_months(displaced_on, -12) + timedelta(days=1)  # 29 February less a year is the 28th


def occupied_long_enough(occupied_from: date, displaced_on: date) -> bool:
    """Whether occupation from `occupied_from` covers the whole year ending with the date of displacement (s29(2))."""
    return occupied_from <= one_year_ending_with(displaced_on)


class NoAmountInForce(ValueError):
    """The scheme holds no home loss amounts for the date of displacement."""


def amounts_in_force(amounts: "list[HomeLossAmounts]", displaced_on: date) -> "HomeLossAmounts":
    """The amounts prescribed for a displacement on `displaced_on`: the newest in force on that day. The amounts are
    revised each 1 October; a displacement on or after the next 1 October after the newest entry has none here until
    that year's are added, rather than last year's paid short."""
    in_force = [amount for amount in amounts if amount.in_force_from <= displaced_on]
    if not in_force:
        raise NoAmountInForce(f"The scheme holds no home loss amounts in force on {displaced_on:%-d %B %Y}.")
    newest = max(in_force, key=lambda amount: amount.in_force_from)
    latest = max(amount.in_force_from for amount in amounts)
    if newest.in_force_from == latest and displaced_on >= next_first_of_october(latest):
        raise NoAmountInForce(f"The scheme's newest home loss amounts are from {latest:%-d %B %Y}; a displacement on "
                              f"{displaced_on:%-d %B %Y} may fall under newer regulations: add their amounts to the "
                              "scheme's [decants] home_loss first.")
    return newest


def next_first_of_october(day: date) -> date:
    return date(day.year if (day.month, day.day) < (10, 1) else day.year + 1, 10, 1)


def tenant_home_loss_pence(amounts: "list[HomeLossAmounts]", displaced_on: date) -> int:
    """A tenant's home loss payment: the amount prescribed under s30(2) in force on the date of displacement."""
    return amounts_in_force(amounts, displaced_on).tenant_pence


def owner_home_loss_pence(amounts: "list[HomeLossAmounts]", displaced_on: date, market_value_pence: int) -> int:
    """An owner's home loss payment (s30(1)): 10 per cent of the market value of the interest, within the prescribed
    minimum and maximum in force on the date of displacement."""
    prescribed = amounts_in_force(amounts, displaced_on)
    return min(max(market_value_pence // 10, prescribed.owner_minimum_pence), prescribed.owner_maximum_pence)


def arrears_offset(payment_pence: int, arrears_pence: int, *, allowed: bool) -> int:
    """How much of the rent arrears is taken off the payment: none where the scheme does not allow it, and never more
    than the payment, so nothing paid is below nothing."""
    if payment_pence < 0 or arrears_pence < 0:
        raise ValueError("payments and arrears are never negative")
    return min(arrears_pence, payment_pence) if allowed else 0
