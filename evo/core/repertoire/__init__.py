"""Repertoire event models: a population's repertoire of discrete traits, gained and lost by events.

The main model's culture is the continuous skill of K tool lineages (Henrich 2004). The two
published models here count *traits* instead: how many distinct traits a population holds, gained
by invention, refinement and combination and lost when transmission fails. Neither has genes or a
brain that changes, so both are null models of a cultural leap: whatever bursts they show, no
mirror system caused them. The driver `repertoire` (`evo.run.runner`) runs them; the kernels below
hold every trait in arrays and draw from the kernels' stream (`evo.core.stream`) in the order each
docstring states, so one seed gives one table bit for bit. Each kernel has a plain-Python twin in
`tests/reference/repertoire.py` that must agree exactly.

Lewis & Laland 2012 (Phil Trans R Soc B 367:2171-2180, "Transmission fidelity is the key to the
build-up of cumulative culture")
-----------------------------------------------------------------------------------------------
Sources: the paper's abstract (four processes: novel invention of entirely new traits,
modification as refinement of an existing trait, combination of two established traits into a new
one, and loss; no change in brain architecture; small changes in fidelity matter most, then
combination, then modification, invention hardly at all) and a public re-implementation's
summary of its methods (our source for: a pool of 10 seed traits, a start from 2 of them, one
event per time step with chances rho1 + rho2 + rho3 + rho4 = 1, 5000 events, no composite trait
holding a seed twice, an empty repertoire's next event is an invention). We could not read the
paper's methods section itself; every other detail is marked "our assumption". The version here is
the one with unbiased loss (every trait equally likely lost).

A trait is a seed set (a bit mask over the `ll_seeds` seed traits: its lineages) and a level
(its complexity: seed elements plus modifications). Each time step is one event:

* novel invention (rho1): a seed trait the repertoire lacks joins it, level 1, drawn uniformly
  among the absent seeds;
* combination (rho2): a trait A drawn uniformly and a trait B drawn uniformly among those whose
  seed sets are disjoint from A's give a new trait with the union of their seeds and level
  level(A) + level(B) (our assumption: complexity adds up; A and B stay);
* modification (rho3): a trait drawn uniformly gives a new variant with its seeds and level + 1
  (it stays too);
* loss (rho4): a trait drawn uniformly is lost.

Our assumptions besides: the initial seeds are drawn as inventions before the first time step;
an event that cannot happen (every seed already present; A has no disjoint partner) is drawn
again, so every time step is one event that happens ("one of the four events must happen"); every
gain makes a new trait, even when the same pair or trait was used before (the repertoire counts
gain events minus losses). Hence, once every seed is present and partners abound, the repertoire
changes by (rho2 + rho3 - rho4)/(1 - rho1) per time step on average (`ll_growth_rate`), and with
the gains' shares (w1, w2, w3) held fixed it stops growing at rho4* = (w2 + w3)/(1 + w2 + w3)
(`ll_transition`): near 1/2 when invention is rare, the loss probability where loss balances
gain. That is a mean-field bound, not a prediction: traits that hold every seed (and their
modifications) have no partner, so combinations are redrawn more often as they accumulate and
the growth falls short of it (by 1 % at the scenario's rates, by a third at rho4 = 0.42), while
small repertoires, which still lack seeds to invent, grow faster. Without combination the law of
the repertoire is exact (`ll_stationary_mean`).

Kolodny, Creanza & Feldman 2015 (PNAS 112:E6762-E6769, "Evolution in leaps: the punctuated
accumulation and loss of cultural innovations")
--------------------------------------------------------------------------------------------
Sources: the authors' own simulation code, published with their follow-up (Kolodny, Creanza &
Feldman 2016, PLOS Comput Biol 12:e1005302), which extends the 2015 model and dates its additions;
and their lab's descriptions of the 2015 framework (a new trait is invented with chance P_inv per
individual per time step, has a selection coefficient s drawn from an exponential distribution of
mean beta and is established with chance s; an established trait is lost with chance P_loss/N per
time step, N the number who know it). We run the *simplified* model: one population of N who all
know every trait (no sub-groups), one environment (no environmental loss), none of the 2016
parameter-changing innovations, from an empty repertoire (as the authors' code starts). Traits are
of three kinds, and each generation does, in order:

1. novel (main-axis) invention: Binomial(N, P_inv) inventions; each draws s = beta * Exp(1) again
   until s <= 1 (the authors' truncation), is established with chance s and then gets a toolkit
   size uniform in 1..`kolodny_toolkit_max`;
2. toolkit (refinement) attempts, if there is a main-axis trait: Binomial(N, P_toolkit); each picks
   a main-axis trait and a position in its toolkit uniformly and fills the position if it is empty;
3. combination attempts, if there are two main-axis traits: Binomial(N, P_comb); each picks two
   main-axis traits uniformly (with replacement) and adds their combination if it is new and the
   pair is useful, which a fixed share `kolodny_useful` of pairs is (the authors decide it by a
   hash of the two ids; ours is splitmix64 of the ids and a salt drawn once per run). Our
   assumption: a trait picked twice makes no combination (the authors' code would combine it
   with itself). So the innovation rate of combinations grows with the repertoire: m main-axis
   traits allow m(m - 1)/2 pairs;
4. loss: each trait present is lost with chance P_loss/N; a lost main-axis trait takes its whole
   toolkit and every combination it is part of with it (the authors' cascade), which makes losses
   punctuated. Our assumption: traits are lost independently (the authors draw Binomial(T,
   P_loss/N) losses among the T traits and pick them uniformly, the same law when no loss
   cascades, slightly more losses when one does).

Main-axis traits are thus an immigration-death chain: E[m(t)] = m* (1 - (1 - mu)^t), m* = lambda
(1 - mu)/mu, lambda = N P_inv E[s], mu = P_loss/N (`kolodny_main_mean`); with toolkits and
combinations filled as fast as they are lost, the stationary repertoire is m* (1 + (K + 1)/2) +
useful * E[m(m - 1)]/2 (`kolodny_saturated_repertoire`), quadratic in the main axis.
"""

from evo.core.repertoire.common import (
    COMMON_COLUMNS,
    KOLODNY_COLUMNS,
    LL_COLUMNS,
    MAX_MAIN_TRAITS,
    record_steps,
)
from evo.core.repertoire.kolodny import (
    kolodny_capacity,
    kolodny_main_mean,
    kolodny_mean_selection,
    kolodny_rates,
    kolodny_saturated_repertoire,
    pair_useful,
)
from evo.core.repertoire.lewis_laland import (
    ll_growth_rate,
    ll_rates,
    ll_stationary_mean,
    ll_thresholds,
    ll_transition,
)
from evo.core.repertoire.runs import RepertoireRun, check_repertoire_params

__all__ = [
    "COMMON_COLUMNS", "KOLODNY_COLUMNS", "LL_COLUMNS", "MAX_MAIN_TRAITS", "RepertoireRun",
    "check_repertoire_params", "kolodny_capacity", "kolodny_main_mean", "kolodny_mean_selection",
    "kolodny_rates", "kolodny_saturated_repertoire", "ll_growth_rate", "ll_rates",
    "ll_stationary_mean", "ll_thresholds", "ll_transition", "pair_useful", "record_steps",
]
