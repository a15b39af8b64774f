"""The model choice's report: which account the record favours, how firmly, and recovery.

Whether the summaries can tell the accounts apart at all is the recovery test's question
(Kandler & Powell 2018: equifinality).

Reads what ``run.py choose`` wrote (``model_probabilities.parquet``, ``posterior.parquet``,
``confusion.parquet``, ``choose.json``), never the model, and writes ``choice.png`` (the model
probabilities over the SMC populations, and each account's final posterior), ``confusion.png``
with ``--recovery``, and ``report.md``.

How firmly: the final probability of the favoured account, its Bayes factor against the runner-up
(the ratio of posterior probabilities under the uniform model prior), and the Monte Carlo error:
the main run against the same spec with seed + 1 (``run = "check"``); the error of one probability
is estimated as |p_main - p_check| / sqrt(2) (two independent runs with the same variance). A
choice whose lead is smaller than twice the largest such error is reported as not settled.
A recovery row whose true account gets the largest probability is recovered; an account whose
data give most probability to another is confused with it.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import polars as pl


def final_probabilities(probs: pl.DataFrame, run: str = "main") -> dict[str, float]:
    """Each account's probability in the last SMC population of `run`."""
    part = probs.filter(pl.col("run") == run)
    last = part.filter(pl.col("population") == part["population"].max())
    return dict(zip(last["account"], last["probability"], strict=True))


def monte_carlo_error(probs: pl.DataFrame) -> dict[str, float]:
    """Per account, |p_main - p_check| / sqrt(2) at the final populations."""
    main, check = final_probabilities(probs, "main"), final_probabilities(probs, "check")
    return {a: abs(main[a] - check.get(a, 0.0)) / math.sqrt(2) for a in main}


def verdict(probs: pl.DataFrame) -> dict[str, object]:
    """The favoured account, its probability, the runner-up, Bayes factor, MC error, settled."""
    main = final_probabilities(probs)
    ranked = sorted(main.items(), key=lambda kv: -kv[1])
    (best, p1), (second, p2) = ranked[0], ranked[1]
    error = monte_carlo_error(probs)
    largest = max(error.values())
    return {"favoured": best, "probability": p1, "runner_up": second, "runner_up_probability": p2,
            "bayes_factor": math.inf if p2 == 0 else p1 / p2, "mc_error": error,
            "mc_error_max": largest, "settled": (p1 - p2) > 2 * largest}


def recovery_summary(confusion: pl.DataFrame) -> pl.DataFrame:
    """Per true account: the account chosen (largest probability), its probability, recovered."""
    rows = []
    for (true,), part in confusion.group_by("true_account", maintain_order=True):
        top = part.sort("probability", descending=True).row(0, named=True)
        own = part.filter(pl.col("chosen_account") == true)["probability"]
        rows.append({"true_account": true, "chosen_account": top["chosen_account"],
                     "chosen_probability": top["probability"],
                     "true_probability": float(own[0]) if own.len() else 0.0,
                     "recovered": top["chosen_account"] == true})
    return pl.DataFrame(rows)


def choice_figure(probs: pl.DataFrame, post: pl.DataFrame, path: Path) -> None:
    """Left: probabilities over populations (main solid, check dashed); right: final posteriors."""
    accounts = list(dict.fromkeys(probs["account"]))
    last = post.filter(pl.col("population") == post["population"].max())
    params = list(dict.fromkeys(zip(last["account"], last["parameter"], strict=True)))
    rows = max(1, math.ceil(len(params) / 3))
    fig = plt.figure(figsize=(13, 3.2 * max(rows, 1) + 0.5))
    grid = fig.add_gridspec(max(rows, 1), 4)
    ax = fig.add_subplot(grid[:, 0])
    colors = {a: plt.cm.tab10(i % 10) for i, a in enumerate(accounts)}
    for run, style in (("main", "-"), ("check", "--")):
        part = probs.filter(pl.col("run") == run)
        for a in accounts:
            s = part.filter(pl.col("account") == a).sort("population")
            ax.plot(s["population"], s["probability"], style, color=colors[a], marker="o",
                    label=a if run == "main" else None)
    ax.set_xlabel("SMC population")
    ax.set_ylabel("model probability")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("accounts (dashed: seed + 1)")
    ax.legend(fontsize=7)
    for k, (account, name) in enumerate(params):
        sub = fig.add_subplot(grid[k // 3, 1 + k % 3])
        s = last.filter((pl.col("account") == account) & (pl.col("parameter") == name))
        sub.hist(s["value"].to_numpy(), weights=s["weight"].to_numpy(), bins=12,
                 color=colors.get(account, "grey"), alpha=0.8)
        labels = list(dict.fromkeys(s.sort("value")["label"]))
        if labels and not _numeric(labels[0]):
            ticks = sorted(set(s["value"].to_list()))
            sub.set_xticks(ticks, [s.filter(pl.col("value") == t)["label"][0] for t in ticks],
                           fontsize=7)
        sub.set_title(f"{account}: {name}", fontsize=8)
        sub.tick_params(labelsize=7)
    fig.suptitle("ABC-SMC model choice over the accounts")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _numeric(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def confusion_figure(confusion: pl.DataFrame, path: Path) -> None:
    """The recovery matrix: rows the account that made the data, columns the probabilities."""
    accounts = list(dict.fromkeys(confusion["true_account"]))
    matrix = np.zeros((len(accounts), len(accounts)))
    for r in confusion.iter_rows(named=True):
        if r["chosen_account"] in accounts:
            matrix[accounts.index(r["true_account"]), accounts.index(r["chosen_account"])] = \
                r["probability"]
    fig, ax = plt.subplots(figsize=(1.1 * len(accounts) + 2.5, 0.9 * len(accounts) + 1.8))
    im = ax.imshow(matrix, vmin=0, vmax=1, cmap="viridis")
    for i in range(len(accounts)):
        for j in range(len(accounts)):
            ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=8,
                    color="white" if matrix[i, j] < 0.6 else "black")
    ax.set_xticks(range(len(accounts)), accounts, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(accounts)), accounts, fontsize=8)
    ax.set_xlabel("probability given to")
    ax.set_ylabel("data simulated from")
    fig.colorbar(im, ax=ax, shrink=0.8)
    ax.set_title("recovery: can the summaries tell the accounts apart?")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def report_text(record: dict, probs: pl.DataFrame, confusion: pl.DataFrame | None) -> str:
    """The report page (Markdown)."""
    v = verdict(probs)
    main = final_probabilities(probs)
    check = final_probabilities(probs, "check")
    main_run = probs.filter(pl.col("run") == "main")
    last = main_run.filter(pl.col("population") == main_run["population"].max()).row(0, named=True)
    summaries = ", ".join(f"{k} = {val:.3g}" for k, val in record["observed"].items())
    firm = ("settled: its lead over the runner-up exceeds twice the largest Monte Carlo error"
            if v["settled"] else
            "not settled: its lead over the runner-up is within twice the largest Monte Carlo "
            "error, so another seed could reverse it")
    lines = [
        "# Which account the record favours",
        "",
        f"Spec `{record['source']}`{' (--quick)' if record['quick'] else ''}; observed summaries: "
        f"{summaries}. {last['population'] + 1} SMC populations, final epsilon "
        f"{last['epsilon']:.3g}; {record.get('simulations', {}).get('main', '?')} simulations in "
        "the main run.",
        "",
        f"**{v['favoured']}** is favoured with probability {v['probability']:.2f}; the runner-up "
        f"{v['runner_up']} has {v['runner_up_probability']:.2f} (Bayes factor "
        f"{v['bayes_factor']:.3g} under a uniform prior over the accounts). The choice is {firm} "
        f"(largest error {v['mc_error_max']:.2f}).",
        "",
        "| account | probability | same spec, seed + 1 | Monte Carlo error |",
        "| --- | --- | --- | --- |",
        *(f"| {a} | {p:.3f} | {check.get(a, 0.0):.3f} | {v['mc_error'][a]:.3f} |"
          for a, p in sorted(main.items(), key=lambda kv: -kv[1])),
        "",
        "![model probabilities and posteriors](choice.png)",
    ]
    if confusion is not None:
        rec = recovery_summary(confusion)
        n_ok = int(rec["recovered"].sum())
        confused = rec.filter(~pl.col("recovered"))
        lines += ["", "## Recovery", "",
                  f"Data simulated from each account at known parameters (the middle of each "
                  f"prior) go through the same choice: {n_ok} of {rec.height} accounts are "
                  "recovered (given the largest probability).", "",
                  "| data from | chosen | its probability | probability of the truth |",
                  "| --- | --- | --- | --- |",
                  *(f"| {r['true_account']} | {r['chosen_account']} | "
                    f"{r['chosen_probability']:.2f} | {r['true_probability']:.2f} |"
                    for r in rec.iter_rows(named=True)), "",
                  "![recovery matrix](confusion.png)"]
        if confused.height:
            pairs = ", ".join(f"{r['true_account']} taken for {r['chosen_account']}"
                              for r in confused.iter_rows(named=True))
            lines += ["", f"The summaries cannot tell these apart: {pairs}. A choice between them "
                      "says nothing about the record; summaries that would help are those on "
                      "which the confused accounts' runs differ (a sweep of them and its "
                      "signatures table say which), such as the order of events (what rises "
                      "before the tools) or the date of the leap, where the record can date them."]
    return "\n".join(lines) + "\n"


def cmd_report(args: argparse.Namespace) -> int:
    """Write choice.png, confusion.png (with recovery) and report.md; print the verdict."""
    out = Path(args.out)
    record = json.loads((out / "choose.json").read_text())
    probs = pl.read_parquet(out / "model_probabilities.parquet")
    post = pl.read_parquet(out / "posterior.parquet")
    choice_figure(probs, post, out / "choice.png")
    confusion = None
    if (out / "confusion.parquet").is_file():
        confusion = pl.read_parquet(out / "confusion.parquet")
        confusion_figure(confusion, out / "confusion.png")
    (out / "report.md").write_text(report_text(record, probs, confusion))
    v = verdict(probs)
    print(f"report in {out / 'report.md'}: {v['favoured']} {v['probability']:.2f} against "
          f"{v['runner_up']} {v['runner_up_probability']:.2f}, Monte Carlo error up to "
          f"{v['mc_error_max']:.2f} ({'settled' if v['settled'] else 'not settled'})")
    return 0
