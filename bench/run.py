"""Speed benchmark of mirrorleap: `python bench/run.py [--quick] [--render] [--only NAME ...]`.

Prints the three headline numbers with their goals (the cost of one agent-generation against the
random-number bound and against plain Mesa, and the projected time of the full main
experiment), then a table of every measurement; writes `bench/results.json` (every number,
machine info, each target met or not) and the speed section of README.md (between its bench
markers). Each measurement is its own module, runnable alone (`python bench/<module>.py`):

- `agent_generation`: one agent-generation in the reference regime vs the bound and plain Mesa;
- `kernel_rates`: the tool and gesture kernels at N = 1e3..1e5 vs plain Mesa and their bounds;
- `floors`: each kernel at N = 1,600 against its own draws and reads without the rules' logic;
- `whole_run`: a whole coevolution run vs the same model written per agent, and a same-model check;
- `split_run`: where a run's wall time goes (kernels, glue, Mesa bookkeeping, recording);
- `sweep_scaling`: a 20-run sweep on 1 and 2 workers;
- `worlds`: the cost per agent-generation flat in people and in tool types (ratios side by side),
  and the reference long world (3,200 people, 64 camps, 64 lineages, 10,000 generations);
- `main_projection`: the main experiment (the trial: each account over its own causes) at one
  seed per point, timed, projected to its seeds on 2 workers and on a 64-worker Dask cluster;
- `record_projection`: one 250-kyr run of each scenario of the Middle Stone Age sweep and one
  simulation of each account of the model choice, timed, and the sweep and the choice's full
  budget projected on 2 cores and on the cluster.
`report` turns the results into targets, table lines, notes and the README section; `common`
holds the timing helpers. One numba thread; the load average of each stage is stored with it.
"""

from __future__ import annotations

try:
    from bench import common
except ModuleNotFoundError:  # run as a script: bench/ is on sys.path, the repository is not
    import common  # type: ignore[no-redef]

import argparse
import datetime
import json
import sys
import time
from pathlib import Path

from bench import (
    agent_generation,
    floors,
    kernel_rates,
    main_projection,
    record_projection,
    report,
    split_run,
    sweep_scaling,
    whole_run,
    worlds,
)

STAGES = ("agent_generation", "worlds", "kernel_rates", "floors", "whole_run", "split_run",
          "sweep_scaling", "main_projection", "record_projection")


def run_stage(name: str, quick: bool, res: dict) -> None:
    """Run one measurement module and put its results where `bench.report` reads them."""
    if name == "agent_generation":
        res["agent_generation"] = agent_generation.measure(quick)
    elif name == "worlds":
        res["worlds"] = worlds.measure(quick)
    elif name == "kernel_rates":
        rates = kernel_rates.measure(quick)
        res["kernels"] = {"tool": rates["tool"], "gesture": rates["gesture"]}
        res.setdefault("suggestions", {})["narrow_dtypes"] = rates["narrow_dtypes"]
        res["suggestions"]["layout"] = rates["layout"]
    elif name == "floors":
        res["floors"] = floors.measure(quick)
    elif name == "whole_run":
        res.update(whole_run.measure(quick))
    elif name == "split_run":
        split = split_run.measure(quick)
        res["split"] = split["split"]
        res.setdefault("suggestions", {}).update(split["suggestions"])
    elif name == "sweep_scaling":
        res["sweep"] = sweep_scaling.measure(quick)
    elif name == "main_projection":
        res["main_projection"] = main_projection.measure(2, quick)
    elif name == "record_projection":
        res["record_projection"] = record_projection.measure(quick)


def headline(res: dict) -> list[str]:
    return [f"{t['target']}: {t['value']:g} (goal {t['goal']}: {'met' if t['met'] else 'NOT met'})"
            for t in report.headline_targets(res)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fast smoke run (a few minutes)")
    ap.add_argument("--render", action="store_true",
                    help="only rewrite the table and README.md's speed section from a results file")
    ap.add_argument("--only", nargs="+", choices=STAGES,
                    help="run these measurements only (printed, not written to the README)")
    ap.add_argument("--out", default=None,
                    help="results file (default bench/results.json, or bench/results_quick.json)")
    args = ap.parse_args(argv)
    q = args.quick
    out = Path(args.out or common.HERE / ("results_quick.json" if q else "results.json"))
    if args.render:
        res = json.loads(out.read_text())
        res["targets"] = report.targets(res)
        lines = report.table_lines(res)
        print("\n".join([*headline(res), "", *lines, "", *report.closing_notes(res)]))
        report.write_section(res, lines)
        return 0
    t_start = time.perf_counter()
    res: dict = {"date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                 "quick": q, "machine": common.machine(), "definitions": report.DEFINITIONS,
                 "load_avg": {}}
    for name in args.only or STAGES:
        res["load_avg"][name] = common.load()
        print(f"[{time.perf_counter() - t_start:6.1f} s] {name} (load {res['load_avg'][name]})",
              flush=True)
        run_stage(name, q, res)
    res["bench_wall_s"] = time.perf_counter() - t_start
    if args.only:
        print("\n".join(headline(res)))
        common.print_json({k: v for k, v in res.items() if k not in ("definitions", "machine")})
        return 0
    out.write_text(json.dumps(res, indent=2, default=float) + "\n")  # kept if the report fails
    res["targets"] = report.targets(res)
    lines = report.table_lines(res)
    print("\n".join([*headline(res), "", *lines, "", *report.closing_notes(res)]))
    out.write_text(json.dumps(res, indent=2, default=float) + "\n")
    if not q:
        report.write_section(res, lines)
    print(f"wrote {out} in {res['bench_wall_s']:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
