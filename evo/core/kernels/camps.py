"""Who lives in which camp, in CSR form (`Camps`): members of camp c are `members[start[c]:start[c + 1]]`."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit


class Camps(NamedTuple):
    """Who is in which camp, in CSR form: everyone alive (`members`) and the adults (`adults`).

    Members of camp c are `members[start[c]:start[c + 1]]`, its adults (age >= 1)
    `adults[adult_start[c]:adult_start[c + 1]]`, each in ascending slot order.
    """

    start: np.ndarray
    members: np.ndarray
    adult_start: np.ndarray
    adults: np.ndarray


@njit(cache=True)
def camp_members(camp: np.ndarray, mask: np.ndarray, n_camps: int):
    """CSR listing of the slots with `mask` true, by camp, ascending slot order within a camp."""
    counts = np.zeros(n_camps + 1, np.int64)
    for i in range(camp.size):
        if mask[i]:
            counts[camp[i] + 1] += 1
    start = np.cumsum(counts)
    members = np.empty(start[-1], np.int64)
    fill = start[:-1].copy()
    for i in range(camp.size):
        if mask[i]:
            members[fill[camp[i]]] = i
            fill[camp[i]] += 1
    return start, members


def camps_of(state, n_camps: int) -> Camps:
    """The living and the adults of each camp (see `Camps`)."""
    start, members = camp_members(state.camp, state.alive, n_camps)
    adult_start, adults = camp_members(state.camp, state.alive & (state.age >= 1), n_camps)
    return Camps(start, members, adult_start, adults)
