"""Reporting of the benchmark: definitions, targets, the printed table and README's speed section.

`bench/run.py` gathers the measurements of the other modules into one results dict; the functions
here turn it into targets (each with its goal), table lines, notes on what limits the missed
targets, and the README section between its bench markers.
"""

from __future__ import annotations

try:
    from bench import common
except ModuleNotFoundError:  # run as a script: bench/ is on sys.path, the repository is not
    import common  # type: ignore[no-redef]

import statistics

HERE = common.HERE

DEFINITIONS = {
    "tool_update": (
        "one learner x one tool lineage x one learning episode of evo.core.kernels.tool_learning with the "
        "coevolution rule (sample_best s=5, innovation_rate=1, teaching): 5 demonstrator uniforms, "
        "one Gumbel for the better of copy and invention, one uniform for which it was"
    ),
    "gesture_update": (
        "one naming-game episode of evo.core.kernels.gesture_generation (speaker, hearer, meaning, "
        "utterance, parity draw, inventory update); 5 uniforms"
    ),
    "random_bound": (
        "numba drawing only the random numbers one update needs from numpy's Generator (tool: 6 "
        "uniforms + a standard_exponential and its log, the Gumbel; gesture: 5 uniforms) in a loop "
        "that sums them; bound ratio = kernel time / bound time for the same number of updates"
    ),
    "stream_bound": (
        "the same draws from the kernels' own stream (evo.core.stream: xoshiro256** inlined; the "
        "Gumbel by inversion, two logs)"
    ),
    "best_rate": "updates / fastest repeat (least disturbed by other processes); the others use the median",
    "agent_generation": (
        "the reference regime: coevolution settings (N = 400 in 4 camps, learning budget 100), mirror "
        "fixed at 0.6 (mirror_initial 0.6, no spread, mutation off), agent_sync lazy, 300 "
        "generations; wall time of evo.run.runner.simulate / (generations x N), median of 3 seeds"
    ),
    "agent_generation_bound": (
        "numba drawing only the 175 uniforms one agent-generation needs by the reference count "
        "(20 gesture episodes x 5 draws + 8 tool copies x about 9) from numpy's Generator, as "
        "the reference bound; stream_bound_us: the same from evo.core.stream"
    ),
    "agent_generation_plain": (
        "bench.plain_mesa.PlainMirrorModel in the same regime (it has no learning budget), 20 "
        "generations after the first, median of 3 seeds"
    ),
    "main_projection": (
        "scenarios/sweeps/trial.toml with one seed per design point through "
        "evo.run.sweep.run_sweep on 2 local workers; each run's wall time x its design's seeds, "
        "over the workers and the one-seed sweep's measured efficiency"
    ),
    "worlds": (
        "bench/worlds.py: MirrorModel.step() (the generation and its row) in the coevolution "
        "settings with the mirror held at 0.6, wall time / (generations x N) over a window after a "
        "warm-up; each ratio the median of pairs timed in turn (reference, other) in one process"
    ),
    "long_world": (
        "3,200 people in 64 camps (8 x 8), 64 lineages, 10,000 generations, coevolution settings, "
        "mirror held at 0.6; one process, one core; timed whole (--quick: 300 generations, projected)"
    ),
    "cluster_projection": (
        "the trial's one-seed runs weighted by their seeds, over 64 Dask workers of one core each, "
        "as fast as this machine's, at the local sweep's efficiency, never under the longest run"
    ),
    "record_projection": (
        "bench/record_projection.py: one run of each scenario of scenarios/sweeps/msa.toml "
        "(10,000 generations, 300-50 ka) and one simulation of each account of "
        "scenarios/sweeps/choice.toml (its run and islands, at the recovery's known point), each "
        "timed on one core; the sweep and the choice's max_simulations projected over 2 cores and "
        "64 Dask workers"
    ),
    "floors": (
        "bench/floors.py: one generation's gesture and tool kernel arguments captured at generation "
        "1501 of an N = 1,600 run of each main scenario and at generation 301 of the reference long "
        "world (bench/worlds.py); the kernel against itself stripped to its draws and reads "
        "(floor), best of 7 interleaved repeats on fresh copies"
    ),
    "plain": (
        "bench/plain_mesa.py: the same rule as a Python method of a mesa CellAgent (Person), "
        "stdlib random from Mesa (agent.random), agents in OrthogonalMooreGrid cells"
    ),
}


def headline_targets(res: dict) -> list[dict]:
    """The three speed goals: per agent-generation vs the bound and vs plain Mesa, main time."""
    t = []

    def add(name, value, goal, met):
        t.append({"target": name, "value": round(value, 3), "goal": goal, "met": bool(met)})

    if "agent_generation" in res:
        a = res["agent_generation"]
        add("evo per agent-generation / random-number bound (175 uniforms)", a["evo_over_bound"],
            "<= 2", a["evo_over_bound"] <= 2.0)
        add("plain Mesa / evo per agent-generation", a["plain_over_evo"], ">= 60",
            a["plain_over_evo"] >= 60.0)
    if "worlds" in res:
        w = res["worlds"]
        for key, label in (("people_4_camps", "1e6 people in 4 camps"),
                           ("people_10000_camps", "1e6 people in 10,000 camps")):
            add(f"{label} / N = 400, per agent-generation", w[key]["ratio"], "<= 2",
                w[key]["ratio"] <= 2.0)
        add("64 lineages / 8, per agent-generation (N = 3,200, 8 x 8 camps)",
            w["lineages"]["ratio"], "<= 2.5", w["lineages"]["ratio"] <= 2.5)
        lw = w["long_world"]
        add("the reference long world, seconds on one core" + (" (projected)" if lw["projected"] else ""),
            lw["seconds"], f"<= {lw['goal_s']:g}", lw["seconds"] <= lw["goal_s"])
    if "record_projection" in res and not res["record_projection"].get("quick"):
        r = res["record_projection"]
        slowest = max(r["msa_run_s"].values())
        add("one 250-kyr run of the Middle Stone Age world (msa sweep's slowest scenario), "
            "seconds on one core", slowest, f"<= {r['msa_run_goal_s']:g}",
            slowest <= r["msa_run_goal_s"])
    if "main_projection" in res and not res["main_projection"].get("quick"):
        m = res["main_projection"]  # (a --quick run uses 300 generations: no projection)
        add(f"projected main experiment, minutes ({m['workers']} workers)", m["projected_min"],
            f"<= {m['goal_min']:g}", m["projected_min"] <= m["goal_min"])
    return t


def targets(res: dict) -> list[dict]:
    """Every target: the headline three, then the kernels', the whole run's and the sweep's."""
    tool, gest = res["kernels"]["tool"], res["kernels"]["gesture"]
    whole, split, sweep = res["whole_run"], res["split"], res["sweep"]
    t = headline_targets(res)

    def add(name, value, goal, met):
        t.append({"target": name, "value": round(value, 3), "goal": goal, "met": bool(met)})

    add("tool kernel / plain, min over N", min(r["speedup"] for r in tool), ">= 60",
        min(r["speedup"] for r in tool) >= 60)
    add("gesture kernel / plain, min over N", min(r["speedup"] for r in gest), ">= 60",
        min(r["speedup"] for r in gest) >= 60)
    add("tool kernel time / random bound, max over N", max(r["bound_ratio"] for r in tool),
        "<= 1.5", max(r["bound_ratio"] for r in tool) <= 1.5)
    add("whole run / plain Mesa (agent_sync=lazy, scenario default)", whole["speedup_lazy"], ">= 20",
        whole["speedup_lazy"] >= 20)
    add("whole run / plain Mesa (agent_sync=step)", whole["speedup_step"], ">= 20",
        whole["speedup_step"] >= 20)
    for s in split:
        share = s["bookkeeping_plus_recording_share"]
        add(f"Mesa bookkeeping + recording share (agent_sync={s['agent_sync']})", 100 * share,
            "<= 30 %", share <= 0.30)
    add("sweep speedup, 2 vs 1 workers", sweep["speedup"], ">= 1.8", sweep["speedup"] >= 1.8)
    return t


def headline_lines(res: dict) -> list[str]:
    """The headline numbers: cost per agent-generation, its two ratios, the main experiment's time."""
    lines = []
    if "agent_generation" in res:
        a = res["agent_generation"]
        lines += [
            "| per agent-generation (the reference regime) | us | ratio |", "|---|---|---|",
            f"| evo | {a['evo_us']:.2f} | |",
            f"| random-number bound, 175 uniforms (numpy's Generator) | "
            f"{a['bound_us']:.2f} | evo / bound {a['evo_over_bound']:.2f} (goal <= 2) |",
            f"| the same 175 uniforms from the kernels' stream | {a['stream_bound_us']:.2f} | "
            f"evo / these {a['evo_over_stream_bound']:.2f} |",
            f"| plain Mesa | {a['plain_us']:.0f} | plain / evo {a['plain_over_evo']:.0f}x "
            "(goal >= 60) |"]
        if "model_draws" in a:
            lines.append(
                f"| the model's own draws from its stream, {a['model_draws'][0]} uniforms + "
                f"{a['model_draws'][1]} Gumbels | {a['model_bound_us']:.2f} | evo / these "
                f"{a['evo_over_model_bound']:.2f} |")
        lines.append("")
    if "worlds" in res:
        lines += world_lines(res)
    if "main_projection" in res:
        m = res["main_projection"]
        quick = " (--quick: 200 generations a run, not a projection)" if m.get("quick") else ""
        lines += [f"Main experiment{quick} (`{m['spec']}`, {m['runs_full']} runs): its one-seed "
                  f"version ({m['runs_one_seed']} runs) took {m['wall_s_one_seed']:.0f} s on "
                  f"{m['workers']} workers, so the whole is projected at "
                  f"{m['projected_min']:.0f} min (goal <= {m['goal_min']:g} min)"
                  + (f"; at {m['cost_per_run_s']:.1f} s of one core per simulation, on a Dask "
                     f"cluster of {m['cluster_workers']} workers it would take "
                     f"{m['projected_cluster_min']:.1f} min" if "projected_cluster_min" in m else "")
                  + ".", ""]
    if "record_projection" in res:
        r = res["record_projection"]
        quick = " (--quick: 1,000-generation runs scaled by 10, not a measurement)" if r["quick"] else ""
        runs = ", ".join(f"{name} {s:.0f} s" for name, s in r["msa_run_s"].items())
        sims = ", ".join(f"{name} {s:.0f} s" for name, s in r["choice_sim_s"].items())
        lines += [f"The record through time{quick}: one 250-kyr run (10,000 generations) on one "
                  f"core: {runs}; its sweep (`scenarios/sweeps/msa.toml`, {r['msa_sweep_runs']} "
                  f"runs) is projected at {r['msa_sweep_min_2_workers']:.1f} min on 2 workers and "
                  f"{r['msa_sweep_min_cluster']:.1f} min on {r['cluster_workers']} Dask workers. "
                  f"One simulation of the model choice (`scenarios/sweeps/choice.toml`, run and "
                  f"islands): {sims}; its full budget ({r['choice_max_simulations']:,} "
                  f"simulations at most) is projected at {r['choice_hours_2_cores']:.0f} h on 2 "
                  f"cores and {r['choice_hours_cluster']:.1f} h on {r['cluster_workers']} workers.",
                  ""]
    return lines


def world_lines(res: dict) -> list[str]:
    """Cost flat in people and in tool types, and the long world, with their goals."""
    w, a = res["worlds"], res.get("agent_generation", {})
    p4, p10k, lin, lw = (w["people_4_camps"], w["people_10000_camps"], w["lineages"],
                         w["long_world"])

    def us(xs) -> str:
        return f"{statistics.median(xs):.2f} us"

    projected = (f" projected from {lw['generations_timed']:,} generations" if lw["projected"]
                 else " (timed whole)")

    lines = ["| per agent-generation, coevolution settings, mirror held at 0.6 (`bench/worlds.py`) "
             "| measured | goal |", "|---|---|---|",
             f"| N = 400 in 4 camps, 8 lineages (the reference) | {us(p4['reference_us'])} | |",
             f"| 1e6 people in 4 camps | {us(p4['us'])} ({p4['ratio']:.1f}x N = 400, side by side) "
             "| <= 2x |",
             f"| 1e6 people in 10,000 camps | {us(p10k['us'])} ({p10k['ratio']:.1f}x N = 400) | <= 2x |",
             f"| 64 lineages against 8, N = 3,200 in 8 x 8 camps | {us(lin['us'])} against "
             f"{us(lin['reference_us'])} ({lin['ratio']:.1f}x) | <= 2.5x |",
             f"| the reference long world: 3,200 people, 64 camps, 64 lineages, 10,000 generations "
             f"| {lw['seconds']:.0f} s{projected} ({lw['us_per_agent_generation']:.2f} us per "
             f"agent-generation) | <= {lw['goal_s']:g} s |"]
    if a:
        lines += [f"| plain per-agent Mesa / evo (the reference regime) | {a['plain_over_evo']:.0f}x "
                  "| >= 60x |",
                  f"| evo / random-number bound (175 uniforms) | {a['evo_over_bound']:.2f}x | <= 2x |"]
    if "model_draws" in a:
        u, g = a["model_draws"]
        lines.append(f"| draws per agent-generation (reference regime) | {u} uniforms + {g} Gumbels "
                     "| |")
    names = {"tool_learning": "tool kernel", "gesture_generation": "gesture kernel",
             "fitness_then_migrate": "fitness and migration", "record": "the recorded row",
             "rest": "the rest (births, camps, the step's numpy)"}
    for key, label in (("long_world_split", "the long world"),
                       ("people_4_camps_split", "1e6 people in 4 camps")):
        split = w.get(key)
        if split:
            goal = (f" (the goal allows {1e3 * lw['goal_s'] / split['world']['generations']:.1f})"
                    if key == "long_world_split" else "")
            parts = ", ".join(f"{name} {split['ms'][part]:,.1f} ms "
                              f"({100 * split['share'][part]:.0f} %)" for part, name in names.items())
            lines += ["", f"One generation of {label} takes {split['ms_per_generation']:,.1f} ms"
                      f"{goal}: {parts}."]
    loads = sorted({p4["load"], p10k["load"], lin["load"], lw["load"]})
    lines += ["", f"Load average while these were measured: {loads[0]:g}-{loads[-1]:g} on "
              f"{res['machine']['cpu_count']} cores.", ""]
    return lines


def floor_lines(res: dict) -> list[str]:
    """Each kernel against its floor (its draws and reads only), by world."""
    rows = res.get("floors", {}).get("rows")
    if not rows:
        return []

    def line(label: str, kind: str, which: str, digits: int = 1) -> str:
        return f"| {label} | " + " | ".join(f"{r[kind][which]:.{digits}f}" for r in rows) + " |"

    def per_agent(r: dict) -> str:
        return f"{r['episodes_per_agent']:g} episodes + {r['copies_per_agent']:g} copies"

    lines = [
        "| kernels, one generation's arguments (`bench/floors.py`) | "
        + " | ".join(f"{r['scenario']}: N = {r['population']:,}, {r.get('lineages', 8)} lineages, "
                     f"generation {r['generation']:,}" for r in rows) + " |",
        "|---|" + "---|" * len(rows),
        line("gesture episode, ns: the kernel", "gesture_ns", "real"),
        line("its draws and reads only (floor)", "gesture_ns", "floor"),
        line("its five draws only", "gesture_ns", "draws"),
        line("tool copy, ns: the kernel", "tool_ns", "real"),
        "| its draws, reads and write only (floor) | "
        + " | ".join(f"{r['tool_ns']['floor']:.1f} ({r.get('tool_draws', 7)} draws)" for r in rows)
        + " |",
        line("floor + the rule's exp and log1p", "tool_ns", "floor_rule_functions"),
        "| both kernels per agent-generation, us: the kernels | "
        + " | ".join(f"{r['kernels_us']['real']:.2f} ({per_agent(r)})" for r in rows) + " |",
        line("their floors", "kernels_us", "floor", 2),
        line("their floors + the tool rule's exp and log1p", "kernels_us", "floor_rule_functions", 2),
    ]
    long_world = _long_world_floor(res)
    if long_world:
        lines.append(f"| the two kernels over the long world's {long_world['generations']:,} "
                     "generations, s: the kernels; their floors; + the exp and log1p | "
                     + " | ".join(f"{r['run_s']['real']:.0f}; {r['run_s']['floor']:.0f}; "
                                  f"{r['run_s']['floor_rule_functions']:.0f}" if "run_s" in r
                                  else "" for r in rows) + " |")
    return [*lines, ""]


def _long_world_floor(res: dict) -> dict | None:
    """The floors' row of the reference long world (the one projected over a whole run)."""
    return next((r for r in res.get("floors", {}).get("rows", []) if "run_s" in r), None)


def table_lines(res: dict) -> list[str]:
    lines = [*headline_lines(res), *floor_lines(res),
             "| measure | N | numba (evo) | plain Mesa | ratio | random bound (numpy) | kernel / bound "
             "| kernel / stream bound |",
             "|---|---|---|---|---|---|---|---|"]
    for kind in ("tool", "gesture"):
        for r in res["kernels"][kind]:
            lines.append(
                f"| {kind} kernel, updates/s | {r['n']:,} | {common.fmt_rate(r['numba_rate'])} | "
                f"{common.fmt_rate(r['plain_rate'])} | {r['speedup']:.0f}x | "
                f"{common.fmt_rate(r['bound_rate'])} | "
                f"{r['bound_ratio']:.2f} | {r['stream_bound_ratio']:.2f} |")
    w = res["whole_run"]
    for sync in ("lazy", "step"):
        lines.append(
            f"| whole coevolution run, ms/generation (agent_sync={sync}) | {w['population']:,} | "
            f"{1e3 * w[f'evo_{sync}_s_per_gen']:.1f} | {1e3 * w['plain_s_per_gen']:.0f} | "
            f"{w[f'speedup_{sync}']:.0f}x | | | |")
    lines += ["", "| split of a coevolution run (N = 1,000) | agent_sync=lazy | agent_sync=step |",
              "|---|---|---|"]
    by = {s["agent_sync"]: s for s in res["split"]}
    lines.append(f"| ms per generation | {by['lazy']['ms_per_gen']:.1f} | {by['step']['ms_per_gen']:.1f} |")
    for key, label in (("kernels_numba", "numba kernels"),
                       ("model_rules_glue", "numpy glue around the kernels"),
                       ("mesa_bookkeeping", "Mesa bookkeeping (agents created, removed, moved)"),
                       ("recording", "data recording (row measures, table)"),
                       ("other", "other (step loop, deaths, ageing, Mesa step wrapper)")):
        lines.append(f"| {label} | {100 * by['lazy']['share'][key]:.0f} % | "
                     f"{100 * by['step']['share'][key]:.0f} % |")
    same = res["same_model"]
    lines += ["", f"Same model check (N = {same['population']}, mutation off, mean tool_complexity over "
              f"generations {same['generations'] // 2 + 1}-{same['generations']}): " + "; ".join(
                  f"mirror {m}: evo {v['evo_mean']:.2f} (sd {v['evo_sd']:.2f}, {len(v['evo'])} seeds), "
                  f"plain {v['plain_mean']:.2f} ({len(v['plain'])} seeds)"
                  for m, v in same["mirrors"].items()) + f"; agree: {'yes' if same['agree'] else 'NO'}."]
    s = res["sweep"]
    lines += ["", f"Sweep of {s['runs']} coevolution runs x {s['generations']} generations: "
              f"{s['wall_s_1']:.1f} s with 1 worker, {s['wall_s_2']:.1f} s with 2 "
              f"(speedup {s['speedup']:.2f}x).", "", "| target | value | goal | met |", "|---|---|---|---|"]
    for t in res["targets"]:
        lines.append(f"| {t['target']} | {t['value']:g} | {t['goal']} | {'yes' if t['met'] else 'NO'} |")
    return lines


def closing_notes(res: dict) -> list[str]:
    """For each missed target: what limits it and what was tried (numbers from this run)."""
    missed = {t["target"] for t in res["targets"] if not t["met"]}
    tool, gest = res["kernels"]["tool"], res["kernels"]["gesture"]
    sug = res["suggestions"]
    narrow = sug.get("narrow_dtypes", {})
    loads = res["load_avg"]
    busy = max(loads.values())
    notes = headline_notes(res, missed)
    if busy > 0.8 * (res["machine"]["cpu_count"] or 1):
        notes.append(
            f"- **A shared machine.** The load average reached {busy:g} on {res['machine']['cpu_count']} "
            "cores during this run (other jobs, or this bench's own two-worker stages, were running), "
            "so every time is longer than on an idle "
            "laptop and the medians are noisy; `results.json` keeps the fastest repeat "
            "(`*_best_rate`) and the load per stage.")
    notes += world_notes(res, missed)
    if any("kernel / plain" in m for m in missed):
        by_n = ", ".join(f"{r['n']:,}: {common.fmt_rate(r['numba_rate'])}" for r in tool)
        by_n_g = ", ".join(f"{r['n']:,}: {common.fmt_rate(r['numba_rate'])}" for r in gest)
        notes.append(
            "- **Kernels vs plain below 60x.** The plain rate is flat in N (Python overhead per "
            "agent), the numba rate falls with N (tool " + by_n + "; gesture " + by_n_g + "): at "
            "N >= 1e4 every update reads random rows (a sampled demonstrator, a random hearer) of "
            f"(slots, K) float64 skills and (slots, M, V) inventories larger than the "
            f"{res['machine'].get('l2_per_core', '?')} L2 per core, "
            "so the kernels wait on memory. Narrower arrays at N = 1e5: "
            f"int32 inventories against int64, gesture x{narrow.get('gesture_gain', float('nan')):.2f} "
            "(the model uses them, and int16 counts); float32 skills + int16 preferred, tool "
            f"x{narrow.get('tool_gain', float('nan')):.2f} (not used: float32 would change "
            "every result).")
        layout = sug.get("layout")
        if layout:
            model = layout["model"]
            notes.append(
                "- **Camp-contiguous slots.** The bench's inputs interleave the camps (slot mod 4, "
                "the worst case); with each camp in one block of slots at N = 1e5 the tool kernel "
                f"runs x{layout['tool_gain']:.2f} and the gesture kernel x{layout['gesture_gain']:.2f}. "
                "The model itself is already nearly camp-contiguous, because births take the lowest "
                f"free slots camp by camp: after {model['generations']} generations at "
                f"N = {model['population']:,}, {100 * model['same_camp_neighbours']:.1f} % of the "
                "living share a camp with the next living slot (one block per camp: "
                f"{100 * model['blocks_would_give']:.1f} %), so a layout change would buy it "
                "little. Even in blocks the rates fall with N (tool "
                f"{common.fmt_rate(layout['tool_contiguous_rate'])} at N = 1e5 against "
                f"{common.fmt_rate(tool[0]['numba_rate'])} at {tool[0]['n']:,}, gesture "
                f"{common.fmt_rate(layout['gesture_contiguous_rate'])} against "
                f"{common.fmt_rate(gest[0]['numba_rate'])}): a camp's own rows outgrow the cache.")
    if any("random bound" in m for m in missed):
        r = tool[0]
        notes.append(
            "- **Tool kernel vs the random-number bound.** A copy draws 6 uniforms and one Gumbel "
            f"(two logs); from the kernels' own stream these alone run at "
            f"{common.fmt_rate(r['stream_bound_rate'])} at N = {r['n']:,} (kernel / stream bound "
            f"= {r['stream_bound_ratio']:.2f}). The rest is the rule's arithmetic (the Gumbel-max "
            "mode takes an exp and a log1p, the learning budget a division) and the demonstrator "
            "reads, which become cache misses at large N (above).")
    if any("whole run" in m for m in missed) or any("bookkeeping" in m for m in missed):
        by = {s["agent_sync"]: s for s in res["split"]}
        notes.append(
            "- **agent_sync = step.** Keeping a live Mesa agent per person means creating and "
            "removing the whole population every generation (discrete generations): here "
            f"{sug['agent_create_us']:.1f} us to create, {sug['agent_place_us']:.1f} us to place and "
            f"{sug['agent_remove_us']:.1f} us to remove one agent, "
            f"{100 * by['step']['share']['mesa_bookkeeping']:.0f} % of a step-synced run. "
            "That is why the scenarios default to `agent_sync = \"lazy\"` (identical results), where "
            f"bookkeeping plus recording is {100 * by['lazy']['bookkeeping_plus_recording_share']:.0f} %.")
    if any("sweep" in m for m in missed):
        sw = res["sweep"]
        notes.append(
            f"- **Sweep speedup {sw['speedup']:.2f}x.** Two workers need two idle cores; with the load "
            f"average at {loads.get('sweep_scaling', loads.get('sweep', float('nan'))):g} during "
            "the sweep they shared them with "
            "other jobs. Each worker also pays its own start-up (forkserver, imports, numba cache load).")
    return notes


def world_notes(res: dict, missed: set[str]) -> list[str]:
    """What limits the long world and the 1e6-people world, from their splits and floors."""
    w = res.get("worlds")
    if not w:
        return []
    notes = []
    lw, split = w["long_world"], w.get("long_world_split")
    floor = _long_world_floor(res)
    if split and floor and any("long world" in m for m in missed):
        ms = split["ms"]
        notes.append(
            f"- **The long world, {lw['seconds']:.0f} s against {lw['goal_s']:g}.** A generation "
            f"takes {split['ms_per_generation']:.1f} ms where the goal allows "
            f"{1e3 * lw['goal_s'] / floor['generations']:.1f}: the tool kernel "
            f"{ms['tool_learning']:.1f} ms ({floor['copies_per_agent']:g} copies a person at "
            f"{floor['tool_ns']['real']:.0f} ns), the naming game {ms['gesture_generation']:.1f} ms "
            f"({floor['episodes_per_agent']:g} episodes a person at "
            f"{floor['gesture_ns']['real']:.0f} ns), fitness {ms['fitness_then_migrate']:.1f} ms (a "
            "log1p per person and type). The two kernels' draws, reads and writes alone would take "
            f"{floor['run_s']['floor']:.0f} s over the run, and with the tool rule's exp and log1p "
            f"{floor['run_s']['floor_rule_functions']:.0f} s, before any of the rules' decisions, "
            "fitness or recording. A copy's Gumbel (two logs) and Gumbel-max mode (an exp and a "
            "log1p) are scalar libm calls, which bit-for-bit results across machines require "
            "(vector math libraries round differently). So on one core this world needs fewer "
            "updates, not faster ones: fewer tool types or episodes, or several cores.")
    p4 = w.get("people_4_camps_split")
    if p4 and any("1e6 people in 4 camps" in m for m in missed):
        notes.append(
            f"- **1e6 people in 4 camps, {w['people_4_camps']['ratio']:.1f}x N = 400.** The naming "
            f"game takes {100 * p4['share']['gesture_generation']:.0f} % of its generation: every "
            "episode reads random rows of a camp of 500,000 members from memory, some 14 cache "
            "lines in 7 arrays (inventory, use scores and counts of both partners, their episode "
            "counts, the hearer's genes). Camps of `PREFETCH_MEMBERS` or more prefetch the rows "
            "the next episode will likely read (`evo.core.kernels.gestures._prefetch_next`: "
            "peeked from the stream, results unchanged); what is left would need each person's gesture "
            "state in one record of one or two cache lines.")
    return notes


def headline_notes(res: dict, missed: set[str]) -> list[str]:
    """What limits the three speed goals, with numbers from this run."""
    notes = []
    a = res.get("agent_generation")
    if a and "model_draws" in a and any("random-number bound (175" in m for m in missed):
        uniforms, gumbels = a["model_draws"]
        g = res.get("kernels", {}).get("gesture", [{}])[0]
        per_episode = f"{1e9 / g['numba_rate']:.0f} ns" if "numba_rate" in g else "(not measured)"
        draws = f"{1e9 / g['stream_bound_rate']:.0f} ns" if "stream_bound_rate" in g else "?"
        lazy = {s["agent_sync"]: s for s in res.get("split", [])}.get("lazy")
        rest = (f"{100 * (1 - lazy['share']['kernels_numba']):.0f} % of a generation at "
                "N = 1,000 (split below)") if lazy else "the rest of a generation"
        notes.append(
            f"- **{a['evo_us']:.2f} us per agent-generation, {a['evo_over_bound']:.1f}x the "
            "175-uniform bound** (numpy's Generator). The kernels now "
            "draw from their own inlined xoshiro256** stream, from which the same 175 uniforms "
            f"take {a['stream_bound_us']:.2f} us. The 175-uniform count takes 20 gesture episodes "
            "per agent, but every member plays 20 per generation, newborns included, so the "
            f"regime draws {uniforms} uniforms and {gumbels} Gumbels per agent-generation: "
            f"{a['model_bound_us']:.2f} us from the stream alone, and evo is "
            f"{a['evo_over_model_bound']:.1f}x that. So what remains is not the drawing: the "
            f"gesture kernel takes {per_episode} an episode at N = 1,000, of which its five "
            f"draws are {draws}; it waits on the inventory reads and their data-dependent "
            "branches. The model keeps its inventories in 32/16 bits where a run's values fit "
            "(at N = 1,600 the int64 ones take 1.6 MiB, more than a 1 MiB L2), and a full "
            "inventory's least-used "
            "search stops at the first unused variant. Tried without gain: selects for the "
            "inventory searches, several small draws from one uniform; too small to keep: the "
            "stream's state in registers (x1.02-1.08). Outside the kernels, numpy glue, "
            f"recording and the step loop take {rest}.")
    if a and "plain_us_runs" in a and any(x.startswith("plain Mesa / evo") for x in missed):
        plain, evo = a["plain_us_runs"], a["evo_us_runs"]
        notes.append(
            f"- **plain Mesa / evo {a['plain_over_evo']:.0f}x (goal >= 60).** Both are medians of "
            f"{len(plain)} seeds (plain Mesa {min(plain):.0f}-{max(plain):.0f} us per "
            f"agent-generation, evo {min(evo):.2f}-{max(evo):.2f} us). The ratio is a property of "
            "the machine as much as of the code: plain Mesa is bound by the interpreter's work per "
            "agent, evo by memory reads and data-dependent branches (above), and CPUs speed the "
            "two up differently.")
    m = res.get("main_projection")
    if m and any("main experiment" in x for x in missed):
        notes.append(
            f"- **Main experiment projected at {m['projected_min']:.0f} min (load "
            f"{m['load_before']:g} before its run).** {m['runs_full']} runs over {m['workers']} "
            f"workers; the one-seed sweep used the workers at {m['efficiency']:.0%} of its wall "
            "time. A wall time depends on the machine" + (
                ": this one draws a uniform of the kernels' stream in "
                f"{1e3 * a['stream_bound_us'] / a['bound_uniforms']:.2f} ns."
                if a and "stream_bound_us" in a else "."))
    return notes


README_START, README_END = "<!-- bench:start -->", "<!-- bench:end -->"


def write_section(res: dict, lines: list[str]) -> None:
    """Replace the speed section (between the bench markers) with these figures.

    In every file that holds the markers: README.md and the documentation's speed page
    (`docs/developers/speed.md`, where the section is the page, so its heading is one level up).
    """
    m = res["machine"]
    head = [
        "## Speed",
        "",
        f"Latest `python bench/run.py` ({res['date'][:10]}, {m.get('cpu_model', m['processor'])}, "
        f"{m['cpu_count']} cores, Python {m['python']}, numba {m['numba']}, mesa {m['mesa']}, "
        f"one numba thread{', --quick' if res['quick'] else ''}). "
        "An agent-generation is one person's share of a generation in the reference regime "
        "(coevolution settings, N = 400, mirror fixed at 0.6; `bench/agent_generation.py`). "
        "A tool update is one learner x lineage copy (5 demonstrator draws, copy and invention); "
        "a gesture update one naming-game episode. *plain Mesa* is `bench/plain_mesa.py`: the "
        "same rules as a per-agent Python `step` on `mesa.Agent`s in `OrthogonalMooreGrid` cells. "
        "The random bound is numba drawing only the random numbers of the same updates. "
        "Full numbers in `bench/results.json`.",
        "",
    ]
    notes = closing_notes(res)
    tail = ["", "What limits the missed targets:", "", *notes] if notes else []
    if res["quick"]:  # a smoke run does not replace the README's figures
        return
    for path, heading in ((HERE.parent / "README.md", "## Speed"),
                          (HERE.parent / "docs" / "developers" / "speed.md", "# Speed")):
        text = path.read_text() if path.is_file() else ""
        if README_START not in text or README_END not in text:
            continue
        start, end = text.index(README_START), text.index(README_END)
        block = "\n".join([README_START, heading, *head[1:], *lines, *tail, README_END])
        path.write_text(text[:start] + block + text[end + len(README_END):])
