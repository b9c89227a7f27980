"""Applicant-proposing deferred acceptance (Gale and Shapley).

The result is the applicant-optimal stable matching: no applicant can get a home they prefer in
any other stable matching, and every stable matching lets the same homes. It is the reference the
CP-SAT model is tested against and, where no quota binds, the engine's answer.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

A = TypeVar("A", bound=Hashable)
H = TypeVar("H", bound=Hashable)


def deferred_acceptance(
    preferences: Mapping[A, Sequence[H]],
    rankings: Mapping[H, Sequence[A]],
) -> dict[H, A]:
    """Match applicants to homes.

    preferences: each applicant's homes, most wanted first.
    rankings: each home's acceptable (eligible) applicants, highest priority first. A home an
    applicant is not ranked by is skipped, as is a home with no ranking.
    Returns home -> applicant for every home that is let.
    """
    priority = {home: {applicant: i for i, applicant in enumerate(order)} for home, order in rankings.items()}
    choices: dict[A, list[tuple[H, int]]] = {}
    for applicant, homes in preferences.items():
        mine = []
        for home in homes:
            rank = priority.get(home, {}).get(applicant)
            if rank is not None:
                mine.append((home, rank))
        choices[applicant] = mine
    return propose(choices)


def propose(choices: Mapping[A, Sequence[tuple[H, int]]]) -> dict[H, A]:
    """The proposing itself. choices: each applicant's acceptable homes, most wanted first, each
    with the applicant's priority there (smaller is higher; distinct per home)."""
    holder: dict[H, tuple[int, A]] = {}  # home -> (priority of the applicant holding it, applicant)
    next_choice = dict.fromkeys(choices, 0)
    free = list(choices)
    free.reverse()  # pop() proposes in the given order; the outcome does not depend on it
    while free:
        applicant = free.pop()
        mine = choices[applicant]
        i = next_choice[applicant]
        while i < len(mine):
            home, rank = mine[i]
            i += 1
            current = holder.get(home)
            if current is None or rank < current[0]:
                holder[home] = (rank, applicant)
                if current is not None:
                    free.append(current[1])  # the displaced applicant proposes to their next choice
                break
        next_choice[applicant] = i
    return {home: applicant for home, (_, applicant) in holder.items()}
