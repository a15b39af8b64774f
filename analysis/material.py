"""The one place where each metric's minimum material rise is declared (issue 12).

The burst detector is scale-free: a rise counts when it is large against the series' own noise.
That alone lets a gesture success rate going from 0.0001 to 0.003 pass for a burst, though a third
of a percent of episodes succeeding is no proto-language and the figure shows a flat line at 0.
A burst or take-off (and any rising pattern) therefore also needs a rise that matters on the
metric's own scale (SCIENCE.md, "Detecting a burst"). The rise judged is the net rise R of
``bursts.net_rise`` (last 10 % of the window minus the first 10 %, the gain that is kept), from
the start level S (mean of the first 10 %):

* shares in [0, 1] (``gesture_success``, ``lexicon_coherence``, mirror strength): an absolute rise
  R >= 0.1, a tenth of the scale (one episode or individual in ten more; on the [0, 1] axis of the
  figures, a tenth of its height). Calibration: the invisible coevolution rises of issue 12 are
  0.003; the real proto-language rises (fixed mirror 0.75, or coevolution runs crossing mirror
  0.7) are 0.5 to 0.6; anything from 0.01 to 0.4 separates them, 0.1 keeps a margin of 30 on the
  one side and 5 on the other. Mirror strength uses the same bound: a drift of a few hundredths
  is no rise in mirroring.
* ``expressivity`` (meanings with a shared convention per camp): R >= 1 meaning, one more thing a
  camp can say by convention.
* ``tool_complexity`` (tool components, 3 to 50,000): a fold change (S + R) / max(S, 1) >= 2, the
  level at least doubles over its floor (the trial-and-error floor is about 3 components; the
  floor of 1 component keeps a series near 0 from passing on a large ratio of tiny numbers). A
  rise from 3 to 6 components is material, from 3 to 4 is not; the take-off from 3 to 10,000 is.
  The same quantity on a log scale: log10 rises by at least log10 2 = 0.3.
* ``tool_types`` (distinct trait types held, in the repertoire models): a fold change, (S + R) /
  max(S, 5) >= 2, not an absolute rise. A count of types spans orders of magnitude across models
  and parameters (Kolodny's simplified model holds tens, Lewis & Laland's grows from 2 seed traits
  to thousands in 5000 events), so any fixed number of new types would be a leap in one and noise
  in the other, while a doubling means the same in both: the repertoire's size, like tool
  complexity, matters in ratio. The floor of 5 types keeps a handful of traits from passing on a
  ratio of small integers (0 to 2 types is no cumulative repertoire; one Kolodny main-axis trait
  with its toolkit is already 2 to 11 types), so a rise from 2 to 6 types is immaterial, from 3
  to 10 material.

A metric not declared here has no minimum (every significant rise is material). ``LOG_METRICS``,
the unbounded ones, are drawn on log axes in every figure; ``SHARE_METRICS`` are the shares.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class MinimumRise:
    """A metric's minimum material rise: ``absolute`` R >= value, or ``fold`` over a floor."""

    scale: str  # "absolute" | "fold"
    value: float
    floor: float = 0.0  # fold only: the start level is taken as at least this

    def describe(self) -> str:
        """'a rise of at least 0.1' or 'at least 2-fold over max(start, 1)'."""
        if self.scale == "fold":
            return f"at least {self.value:g}-fold over max(start, {self.floor:g})"
        return f"a rise of at least {self.value:g}"


SHARE = MinimumRise("absolute", 0.1)
MINIMUM_RISE: dict[str, MinimumRise] = {
    "gesture_success": SHARE,
    "lexicon_coherence": SHARE,
    "mirror_mean": SHARE,
    "mirror_effective_mean": SHARE,
    "expressivity": MinimumRise("absolute", 1.0),
    "tool_complexity": MinimumRise("fold", 2.0, floor=1.0),
    "tool_types": MinimumRise("fold", 2.0, floor=5.0),
}
LOG_METRICS = tuple(m for m, rule in MINIMUM_RISE.items() if rule.scale == "fold")
SHARE_METRICS = tuple(m for m, rule in MINIMUM_RISE.items() if rule is SHARE)  # in [0, 1]


def is_material(metric: str | None, start: float, rise: float) -> bool:
    """Whether a net rise ``rise`` from level ``start`` matters on ``metric``'s scale.

    True for a metric without a declared minimum (or None); False for a rise that is not finite.
    """
    rule = MINIMUM_RISE.get(metric) if metric is not None else None
    if rule is None:
        return True
    if not (math.isfinite(start) and math.isfinite(rise)) or rise <= 0:
        return False
    if rule.scale == "fold":
        return (start + rise) / max(start, rule.floor) >= rule.value
    return rise >= rule.value
