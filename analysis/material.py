"""Whether a rise matters on a metric's own scale (the rules are declared in `evo.measures`).

The burst detector is scale-free: a rise counts when it is large against the series' own noise.
That alone lets a gesture success rate going from 0.0001 to 0.003 pass for a burst, though a third
of a percent of episodes succeeding is no proto-language and the figure shows a flat line at 0.
A burst or take-off (and any rising pattern) therefore also needs a rise that matters on the
metric's own scale. The rise judged is the net rise R of ``series.net_rise`` (last 10 % of the
window minus the first 10 %, the gain that is kept), from the start level S (mean of the first
10 %). Each measure's minimum (``MINIMUM_RISE``), and which are drawn on log axes
(``LOG_METRICS``) or are shares in [0, 1] (``SHARE_METRICS``), come from the registry
`evo.measures`, where the reasons for each threshold are given; a metric without a declared
minimum has none (every significant rise is material).
"""

from __future__ import annotations

import math

from evo.measures import LOG_AXIS, MINIMUM_RISE, SHARES, MinimumRise

__all__ = ["LOG_METRICS", "MINIMUM_RISE", "SHARE_METRICS", "MinimumRise", "is_material", "meets"]


LOG_METRICS = LOG_AXIS
SHARE_METRICS = SHARES


def is_material(metric: str | None, start: float, rise: float) -> bool:
    """Whether a net rise ``rise`` from level ``start`` matters on ``metric``'s scale.

    True for a metric without a declared minimum (or None); False for a rise that is not finite.
    """
    rule = MINIMUM_RISE.get(metric) if metric is not None else None
    return True if rule is None else meets(rule, start, rise)


def meets(rule: MinimumRise, start: float, rise: float) -> bool:
    """Whether a net rise ``rise`` from level ``start`` meets ``rule`` (False when not finite)."""
    if not (math.isfinite(start) and math.isfinite(rise)) or rise <= 0:
        return False
    if rule.scale == "fold":
        return (start + rise) / max(start, rule.floor) >= rule.value
    return rise >= rule.value
