"""What the report's statements say, as values: decided in ``conclude``, worded in ``wording``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Wording:
    """How the statements name the event: a burst, or a take-off (a burst or a threshold onset)."""

    noun: str  # "burst" | "take-off"
    verb: str  # "bursts" | "takes off"


WORDINGS = {"burst": Wording("burst", "bursts"), "takeoff": Wording("take-off", "takes off")}


@dataclass(frozen=True)
class Difference:
    """A difference a - b with its 95 % interval; ``verdict`` where the interval lies.

    ``tost_p``: the p-value of the equivalence test within +/- ``margin`` (two one-sided tests;
    nan where not tested). "As often" is said only when it is below 0.05.
    """

    d: float
    lo: float
    hi: float
    tost_p: float = float("nan")
    margin: float = float("nan")

    @property
    def equivalent(self) -> bool:
        """Whether the two one-sided tests show the rates equal within the margin at 5 %."""
        return self.tost_p < 0.05

    @property
    def verdict(self) -> str:
        """'higher' (interval above 0), 'lower' (below 0) or 'same' (it includes 0)."""
        return "higher" if self.lo > 0 else "lower" if self.hi < 0 else "same"


@dataclass(frozen=True)
class Levels:
    """Two medians (each (median, lo, hi)) compared: ``verdict`` 'higher' | 'lower' | 'same'.

    ``what`` names the level ("median final level" or "median net rise"); ``material`` False when
    the difference is too small to matter on the metric's scale; ``available`` False without
    intervals.
    """

    verdict: str
    what: str
    a: tuple[float, float, float] | None = None
    b: tuple[float, float, float] | None = None
    material: bool = True
    available: bool = True


@dataclass(frozen=True)
class Finding:
    """One statement as data: its ``kind``, its ``verdict`` and the numbers that word it.

    ``kind`` is one of ``wording.WORDS``; ``event`` "burst" or "takeoff"; ``scenarios`` the
    scenarios it speaks of, in the order it names them; ``data`` the numbers (a ``Difference``
    under "difference", a ``Levels`` under "levels", ...).
    """

    kind: str
    verdict: str | None = None
    metric: str = ""
    event: str = "burst"
    scenarios: tuple[str, ...] = ()
    data: Mapping[str, object] = field(default_factory=dict)
