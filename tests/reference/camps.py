"""Camps as plain dicts: the twins of `evo.core.kernels.camps`."""

from __future__ import annotations


def camps_from_csr(start, members) -> dict[int, list[int]]:
    """The kernels' CSR camp listing as a dict camp -> list of slots (every camp present)."""
    return {
        c: [int(x) for x in members[start[c]:start[c + 1]]] for c in range(len(start) - 1)
    }


def camp_members(camps: list[int], mask: list[bool], n_camps: int):
    """(start, members): the slots with mask true, camp by camp, ascending within a camp."""
    by_camp: dict[int, list[int]] = {c: [] for c in range(n_camps)}
    for slot, (camp, selected) in enumerate(zip(camps, mask, strict=True)):
        if selected:
            by_camp[camp].append(slot)
    start = [0]
    members: list[int] = []
    for c in range(n_camps):
        members.extend(by_camp[c])
        start.append(len(members))
    return start, members
