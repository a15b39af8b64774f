"""Final outcomes of 40 seeds at two parameter points, written to `outcome_samples.json`.

`python tests/data/outcome_samples.py` records them from the code as it is; the committed file
was recorded from commit 1f1b7c1, before issue 10 changed the random streams (an inlined
generator and Gumbel draws by inversion). `tests/test_stream_change.py` runs the current code at
the same points and tests that each outcome's distribution is the same (two-sample tests).
Point A is issue 10's regime (mirror fixed at 0.6); point B lets mirror strength evolve from a
spread around 0.4, where runs split between a low and a high state.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

#: The coevolution settings the baseline was recorded with, where the scenario has changed since.
RECORDED_WITH = {"misperception": "new", "difficulty_spread": 0.0}
POINTS = {
    "A": {"population": 400, "mirror_initial": 0.6, "mirror_initial_sd": 0.0,
          "mutation_rate": 0.0, "generations": 300, **RECORDED_WITH},
    "B": {"population": 200, "mirror_initial": 0.4, "mirror_initial_sd": 0.1,
          "generations": 600, **RECORDED_WITH},
}
SCENARIO = "coevolution"
SEEDS = range(1000, 1040)
OUTCOMES = ("tool_complexity", "mirror_mean", "gesture_success", "expressivity")
PATH = Path(__file__).with_suffix(".json")


def final_outcomes(point: str, seed: int, **changes: float) -> dict[str, float]:
    """The last generation's outcomes of one run at `point`, with `changes` to its parameters."""
    from evo.run.runner import simulate

    table = simulate(SCENARIO, seed=seed, overrides={**POINTS[point], **changes}).table
    return {name: float(table[name][-1]) for name in OUTCOMES}


def main() -> None:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True, cwd=PATH.parent).stdout.strip()
    samples = {point: [final_outcomes(point, seed) for seed in SEEDS] for point in POINTS}
    PATH.write_text(json.dumps({"commit": commit, "scenario": SCENARIO, "points": POINTS,
                                "seeds": [SEEDS.start, SEEDS.stop], "samples": samples},
                               indent=1) + "\n")


if __name__ == "__main__":
    main()
