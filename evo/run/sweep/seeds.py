"""Per-run seeds, spawned up front from the sweep's root seed.

``SeedSequence(root_seed).spawn(n_runs)`` gives run ``i`` its own independent stream; its int seed
is the first 64-bit word of that child's state shifted right by one (so it fits a signed 64-bit
column and `run.py run --seed`). The seeds depend on the root seed and the run's position only,
never on the engine, the worker count or the order in which runs finish.
"""

from __future__ import annotations

import secrets

import numpy as np


def spawn_run_seeds(root_seed: int, n: int) -> list[int]:
    """Return the int seeds of runs 0..n-1 of a sweep with `root_seed`."""
    children = np.random.SeedSequence(root_seed).spawn(n)
    return [int(child.generate_state(1, np.uint64)[0] >> np.uint64(1)) for child in children]


def draw_root_seed() -> int:
    """Draw a fresh 63-bit root seed from the OS, for specs that do not fix one."""
    return secrets.randbits(63)
