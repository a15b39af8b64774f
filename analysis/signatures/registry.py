"""The registry of signatures: each measure declares, once, the rows it fills.

A per-run measure is a function of one table that returns a ``Measured`` value per signature it
fills. It is registered with ``@measures(reads, *rows)``: ``reads`` names the table it reads
(``"leap"``: the generations before the first crash; ``"generations"``: every generation;
``"camps"``, ``"lineages"``, ``"presence"``) and each row is a ``Signature`` (name, unit, interval method, a
one-line reading and how the report reads it). ``registered()`` is every registered row, by
family (``FAMILIES``: the module of the measure) and then in the order of registration: the order
of the tables and the figure. A measure that returns other
names than it declared fails at once with the names, not later with a KeyError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import polars as pl

MEDIAN = "median, distribution-free 95 % CI (order statistics)"
WILSON = "share of runs, Wilson 95 % CI"
READS = ("leap", "generations", "camps", "lineages", "presence")
#: The modules of measures, in the order of the tables and the figure.
FAMILIES = ("timing", "spread", "crash", "flicker")


@dataclass(frozen=True)
class Signature:
    """One signature: its name, unit, interval method and a one-line reading.

    ``reference`` is the value of no effect (0 for a lag or a correlation, 1 for a share kept):
    the figure draws it and, when ``claimed``, the report words whether the 95 % interval
    excludes it. ``first`` names the series whose rise a lag puts first (an order signature).
    ``plotted`` False keeps a row out of the figure (a unit conversion of another).
    """

    name: str
    unit: str
    interval: str
    about: str
    reference: float | None = None
    claimed: bool = False
    first: str | None = None
    plotted: bool = True


class Measured(NamedTuple):
    """A per-run value, and why it is NaN (or a note when it is not)."""

    value: float
    detail: str = ""


def nan_because(why: str) -> Measured:
    """A value that could not be measured, with the reason."""
    return Measured(float("nan"), why)


MeasureFunction = Callable[[pl.DataFrame | None], dict[str, Measured]]


@dataclass(frozen=True)
class Measure:
    """A registered per-run measure: the function, the table it reads and the rows it fills."""

    function: MeasureFunction
    reads: str
    rows: tuple[Signature, ...]

    def __call__(self, table: pl.DataFrame | None) -> dict[str, Measured]:
        """The measure's values, checked against the rows it declared."""
        out = self.function(table)
        declared = [s.name for s in self.rows]
        if sorted(out) != sorted(declared):
            raise RuntimeError(f"signature measure {self.function.__name__} returned "
                               f"{sorted(out)}, declared {sorted(declared)}")
        return {name: out[name] for name in declared}


MEASURES: list[Measure] = []


def measures(reads: str, *rows: Signature) -> Callable[[MeasureFunction], MeasureFunction]:
    """Register the decorated per-run function as the measure of ``rows``, reading ``reads``."""
    if reads not in READS:
        raise ValueError(f"reads must be one of {', '.join(READS)}, got {reads!r}")

    def register(function: MeasureFunction) -> MeasureFunction:
        taken = {s.name for m in MEASURES for s in m.rows}
        clash = [s.name for s in rows if s.name in taken]
        if clash:
            raise ValueError(f"signature(s) {', '.join(clash)} registered twice")
        family = function.__module__.rsplit(".", 1)[-1]
        if family not in FAMILIES:
            raise ValueError(f"measure {function.__name__} in module {family}, not one of "
                             f"{', '.join(FAMILIES)}")
        MEASURES.append(Measure(function, reads, tuple(rows)))
        MEASURES.sort(key=lambda m: FAMILIES.index(m.function.__module__.rsplit(".", 1)[-1]))
        return function

    return register


def registered() -> tuple[Signature, ...]:
    """Every registered signature, by family and then in the order of registration."""
    return tuple(s for m in MEASURES for s in m.rows)
