"""A Sphinx extension that writes the pages made from the code, at build time.

- `model/parameters.md` from `evo.core.params.Params`: every field's name, type, valid range or
  choices (the words of `python run.py params` and of `--set` errors), default and meaning,
  grouped under the comments that head each group in `params.py`;
- `_generated/columns-*.md`, the tables of recorded columns from the registry `evo.measures`,
  which the output-schema page includes.

None of them is in git, so none can drift from the model: a new parameter or measure appears on
the next build.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
from pathlib import Path

PAGE = Path("model") / "parameters.md"

INTRO = """\
# Parameters

Every model parameter, written from the `Params` dataclass (`evo/core/params.py`) each time the
site is built, so this table is the code's. The same list, in the same words, is printed by
`python run.py params`. Any of them can be set for one run (`python run.py run SCENARIO --set
NAME=VALUE`), in a scenario file, or in a sweep spec (`[set]`, `[grid]`, `[sample.ranges]`); a
value outside its valid range stops the command with one line naming it. The defaults are the
model's base values: no scenario runs them bare. Each scenario (`scenarios/*.toml`, or a file of
your own) sets its own values on top; even the small `default` scenario differs from them (it runs
mirror_initial 0.35, mutation_rate 0.02, 8 lineages, 1 learning episode, 20 gesture episodes,
misperception "confuse", among others). `python run.py show SCENARIO` prints a scenario's resolved
values with a mark on each that differs from the default.
"""


def groups() -> list[tuple[str, list[str]]]:
    """(group heading, field names) in the order of `params.py`, from its comment lines."""
    from evo.core.params import Params

    names = {f.name for f in dataclasses.fields(Params)}
    out: list[tuple[str, list[str]]] = [("Parameters", [])]
    for line in inspect.getsource(Params).splitlines():
        comment = re.match(r"^    # (.+)$", line)
        if comment:
            out.append((comment.group(1), []))
            continue
        field = re.match(r"^    (\w+): \w+ = ", line)
        if field and field.group(1) in names:
            out[-1][1].append(field.group(1))
    return [(title, fields) for title, fields in out if fields]


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("*", "\\*").replace("<", "&lt;")


def markdown() -> str:
    """The parameter page, MyST Markdown: one table per group of fields."""
    from evo.core.params import Params, _type_of, _valid_text

    specs = {f.name: f for f in dataclasses.fields(Params)}
    defaults = Params()
    parts = [INTRO]
    for title, fields in groups():
        parts.append(f"## {_cell(title)}\n")
        parts.append("| parameter | type | valid | default | meaning |")
        parts.append("| --- | --- | --- | --- | --- |")
        for name in fields:
            spec = specs[name]
            default = getattr(defaults, name)
            shown = str(default).lower() if isinstance(default, bool) else str(default)
            parts.append(f"| `{name}` | {_type_of(spec).__name__} | {_cell(_valid_text(spec))} "
                         f"| `{shown}` | {_cell(spec.metadata['doc'])} |")
        parts.append("")
    return "\n".join(parts)


def columns_markdown(registry: str) -> str:
    """The table of one registry of `evo.measures` (GENERATION, CAMPS, ...): a row per column."""
    import evo.measures as measures

    rows = ["| column | type | kind | scale | meaning | material rise |",
            "| --- | --- | --- | --- | --- | --- |"]
    for m in getattr(measures, registry):
        rise = m.minimum_rise.describe() if m.minimum_rise else ""
        rows.append(f"| `{m.name}` | {m.dtype} | {m.kind} | {m.scale} | {_cell(m.doc)} | {rise} |")
    return "\n".join(rows) + "\n"


def summaries_markdown() -> str:
    """The per-run summary columns of a sweep's runs.parquet (`evo.measures.SUMMARIES`)."""
    from evo.measures import SUMMARIES

    return ", ".join(f"`{column}_{how}`" for column, how in SUMMARIES) + "\n"


REGISTRIES = ("GENERATION", "NAMING_GAME", "REPERTOIRE", "CAMPS", "LINEAGES", "PRESENCE")


def pages() -> dict[Path, str]:
    """Every page made from the code, by path under the docs folder."""
    out = {PAGE: markdown(), Path("_generated") / "summaries.md": summaries_markdown()}
    for registry in REGISTRIES:
        out[Path("_generated") / f"columns-{registry.lower()}.md"] = columns_markdown(registry)
    return out


def write_page(app) -> None:
    """Write the pages into the source folder, each only when its text changed (incremental builds)."""
    for relative, text in pages().items():
        path = Path(app.srcdir) / relative
        if not path.is_file() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)


def setup(app):
    """Sphinx entry: write the page before the sources are read."""
    app.connect("builder-inited", write_page)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
