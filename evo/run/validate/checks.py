"""What a validation check is: a simulated estimate against a reference, within Z standard errors.

Each published model the general model reduces to has its own module in this package, with the
pure functions that run its scenario and return `Check`s, and a `checks(quick, executor)` that
lists them; `evo.run.validate.MODELS` names the modules that `python run.py validate` runs.
Tolerances are `Z` = 4 standard errors of the estimate (a false alarm about once in 16 000 checks
under the normal approximation), each derived as stated in its function.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np
from tqdm import tqdm

Z = 4.0  # tolerance in standard errors
EULER_GAMMA = 0.5772156649015329
GUMBEL_SD = math.pi / math.sqrt(6.0)  # SD of a standard Gumbel variable, ~1.28


@dataclass(frozen=True)
class Check:
    """One comparison of a simulated estimate with a reference value.

    `analytic` is the analytic (or, where none exists, the published simulated) value; `stderr`
    the standard error of `simulated`; `passed` applies `rule` (usually |simulated - analytic| <=
    tolerance). `detail` says where the reference and the uncertainty come from.
    """

    name: str
    analytic: float
    simulated: float
    stderr: float
    tolerance: float
    passed: bool
    rule: str = "|sim - ref| <= tol"
    detail: str = ""

    def line(self) -> str:
        """One table row."""
        verdict = "pass" if self.passed else "FAIL"
        return (f"{self.name:<44} {self.analytic:>10.6g} {self.simulated:>10.6g} "
                f"{self.stderr:>9.2g} {self.tolerance:>9.2g}  {verdict}  {self.rule}")


def map_runs(fn: Callable[[Any], Any], items: Sequence[Any], executor: Executor | None,
         desc: str) -> list[Any]:
    """`fn` over `items` in order, in `executor` if given, with a tqdm bar on stderr."""
    results = executor.map(fn, items) if executor is not None else map(fn, items)
    return list(tqdm(results, total=len(items), desc=desc, leave=False, file=sys.stderr,
                     disable=not sys.stderr.isatty()))


def close_check(name: str, analytic: float, simulated: float, stderr: float, detail: str) -> Check:
    """The check |simulated - analytic| <= Z * stderr."""
    tolerance = Z * stderr
    return Check(name, analytic, simulated, stderr, tolerance,
                 bool(abs(simulated - analytic) <= tolerance), detail=detail)


def batch_means(y: np.ndarray, n_batches: int) -> np.ndarray:
    """Means of `n_batches` consecutive equal batches of `y` (the remainder at the end dropped)."""
    length = y.size // n_batches
    if length < 1:
        raise ValueError(f"series of {y.size} values cannot make {n_batches} batches; valid: "
                         f"n_batches <= {y.size}")
    return y[: length * n_batches].reshape(n_batches, length).mean(axis=1)


def mean_and_stderr(values: Iterable[float]) -> tuple[float, float]:
    """Mean and its standard error from independent values (SD with ddof=1 over sqrt(n))."""
    v = np.asarray(list(values), float)
    if v.size < 2:
        raise ValueError(f"need at least 2 values for a standard error, got {v.size}")
    return float(v.mean()), float(v.std(ddof=1) / math.sqrt(v.size))
