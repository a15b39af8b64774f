"""Validation: the published models the general model reduces to, against their known results.

One module per model (`henrich`, `naming_game`, `rogers`, `lewis_laland`, `kolodny`, `powell`
with Vaesen 2012), each with a `checks(quick, executor)` that runs its scenario and returns
`Check`s (`evo.run.validate.checks`);
`MODELS` lists them in the order `python run.py validate` prints them. A new special case is one
module and one entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from multiprocessing import get_context

from evo.run.validate import henrich, kolodny, lewis_laland, naming_game, powell, rogers
from evo.run.validate.checks import Check

MODELS = (henrich, naming_game, rogers, lewis_laland, kolodny, powell)


def validation_checks(quick: bool, executor: Executor | None = None) -> list[Check]:
    """Every model's checks: fewer seeds and shorter runs when `quick` (tolerances widen)."""
    return [check for model in MODELS for check in model.checks(quick, executor)]


def format_checks(checks: Sequence[Check]) -> str:
    """The checks as a text table with a header and each check's detail line."""
    header = (f"{'check':<44} {'reference':>10} {'simulated':>10} {'stderr':>9} {'tolerance':>9}"
              "  result")
    lines = [header, "-" * len(header)]
    for check in checks:
        lines.append(check.line())
        if check.detail:
            lines.append(f"{'':<6}{check.detail}")
    return "\n".join(lines)


def run_validation(quick: bool) -> int:
    """Run every check, print the table, return 1 if any failed (else 0)."""
    with ProcessPoolExecutor(max_workers=2, mp_context=get_context("spawn")) as executor:
        checks = validation_checks(quick, executor)
    print(format_checks(checks))
    failed = [c.name for c in checks if not c.passed]
    print(f"\n{len(checks) - len(failed)} of {len(checks)} checks passed"
          + (f"; failed: {', '.join(failed)}" if failed else ""))
    return 1 if failed else 0
