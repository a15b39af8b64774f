"""Twin of `evo.core.kernels.migration`."""

from __future__ import annotations

from tests.reference.stream import draw_index


def migrate(rng, state, rule, slots, neighbours_by_camp) -> list[int]:
    """Each listed individual moves with probability `migration_rate` to a random neighbour camp.

    Returns the movers' slots in order.
    """
    moved = []
    for i in slots:
        if rng.random() < rule.migration_rate:
            options = neighbours_by_camp.get(state.camp[i], [])
            if options:
                state.camp[i] = options[draw_index(rng, len(options))]
                moved.append(i)
    return moved
