"""The documentation site's sources, checked without building it (`.ci/run` builds it, -W).

Fast checks of what a build would catch late or not at all: the parameter page and the column
tables are written from the code and list every field; every page is in the table of contents;
every figure and page a page links to exists; `run.py docs` refuses in one line without Sphinx.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from evo.core.params import Params, describe
from evo.errors import UsageError
from evo.measures import CAMPS, GENERATION, LINEAGES, NAMING_GAME, REPERTOIRE

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))
params_page = pytest.importorskip("params_page")


def test_the_parameter_page_lists_every_params_field_once_with_its_range_and_default():
    page = params_page.markdown()
    rows = re.findall(r"^\| `(\w+)` \|", page, flags=re.M)
    assert rows == [f.name for f in dataclasses.fields(Params)]  # all, once, in the code's order
    defaults = Params()
    for name in rows:
        line = next(x for x in page.splitlines() if x.startswith(f"| `{name}` |"))
        valid = describe(name).split(" (", 1)[1].split("): ", 1)[0]  # as `run.py params` says it
        assert params_page._cell(valid) in line, name
        default = getattr(defaults, name)
        shown = str(default).lower() if isinstance(default, bool) else str(default)
        assert f"| `{shown}` |" in line, name


def test_the_parameter_groups_are_the_comments_of_params_py():
    titles = [title for title, _ in params_page.groups()]
    assert titles[0].startswith("Population and space")
    assert any(t.startswith("Tools") for t in titles) and any(t.startswith("Gestures") for t in titles)


@pytest.mark.parametrize("registry", [GENERATION, NAMING_GAME, REPERTOIRE, CAMPS, LINEAGES])
def test_every_registered_column_is_in_the_output_schemas(registry):
    pages = params_page.pages()
    text = "".join(pages.values())
    for m in registry:
        assert f"| `{m.name}` |" in text
    assert all(f"{{include}} ../_generated/{p.name}" in (DOCS / "guides" / "outputs.md").read_text()
               for p in pages if p.parent.name == "_generated")


def _toctree_entries() -> set[str]:
    index = (DOCS / "index.md").read_text()
    blocks = re.findall(r"```\{toctree\}\n(.*?)```", index, flags=re.S)
    return {line.strip() for block in blocks for line in block.splitlines()
            if line.strip() and not line.startswith(":")}


def test_every_page_is_in_the_table_of_contents():
    pages = {str(p.relative_to(DOCS).with_suffix("")) for p in DOCS.rglob("*.md")
             if "_build" not in p.parts and "_generated" not in p.parts} - {"index"}
    pages.add("model/parameters")  # written at build time
    assert _toctree_entries() == pages


def test_every_linked_figure_and_page_exists():
    for page in DOCS.rglob("*.md"):
        if "_build" in page.parts:
            continue
        for target in re.findall(r"\]\(([^)#\s]+)\)", page.read_text()):
            if "://" in target or target.startswith("mailto:"):
                continue
            assert (page.parent / target).exists(), f"{page.relative_to(ROOT)}: {target}"
        for target in re.findall(r"\{doc\}`(?:[^`<]*<)?([^`>]+)>?`", page.read_text()):
            resolved = (page.parent / target).resolve().relative_to(DOCS.resolve())
            assert str(resolved) in _toctree_entries(), f"{page.relative_to(ROOT)}: {target}"


def test_the_tutorial_sweep_spec_is_small_and_valid():
    from evo.run.runner import resolve_params
    from evo.run.sweep.spec import build_plan, load_spec

    spec = load_spec(DOCS / "tutorials" / "tiny_sweep.toml")
    plan = build_plan(spec, 1, lambda s, o: resolve_params(s, o, spec.generations))
    assert len(plan) == 4 and spec.generations <= 100


def test_run_py_docs_refuses_in_one_line_without_sphinx(monkeypatch):
    from mirrorleap import docs

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "sphinx" else real(name, *a))
    with pytest.raises(UsageError, match=r"the docs need sphinx; valid: pip install"):
        docs.cmd_docs(type("Args", (), {"out": None})())


def test_the_docs_command_is_the_documented_build():
    from mirrorleap.docs import sphinx_command

    cmd = sphinx_command(DOCS / "_build" / "html")
    assert cmd[1:] == ["-m", "sphinx", "-W", "--keep-going", "-b", "html", str(DOCS),
                       str(DOCS / "_build" / "html")]
    done = subprocess.run([sys.executable, "run.py", "docs", "--help"], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0 and "docs/_build/html" in done.stdout


def test_the_readme_is_a_front_door_whose_links_all_resolve():
    readme = (DOCS.parent / "README.md").read_text()
    assert len(readme.splitlines()) <= 150
    links = re.findall(r"\]\(([^)#]+)\)", readme)
    assert links, "the README links into the documentation"
    missing = [link for link in links if not link.startswith("http")
               and not (DOCS.parent / link).exists()]
    assert not missing


def test_every_member_the_api_page_lists_exists_and_has_a_docstring():
    """A renamed method would vanish from the API page silently; here it fails."""
    import importlib

    text = (DOCS / "api.md").read_text()
    listed = re.findall(r"\.\. autoclass:: ([\w.]+)\n   :members: ([\w, ]+)\n", text)
    assert any(name == "evo.core.model.MirrorModel" for name, _ in listed)
    for name, members in listed:
        module, _, cls = name.rpartition(".")
        obj = getattr(importlib.import_module(module), cls)
        for member in (m.strip() for m in members.split(",")):
            documented = (getattr(obj, member, None).__doc__ if hasattr(obj, member) else None)
            assert documented or "#: " in _source_of(obj, member), f"{name}.{member}"


def _source_of(obj, member: str) -> str:
    """The line before a dataclass field (its `#:` comment), for fields without __doc__."""
    import inspect

    lines = inspect.getsource(obj).splitlines()
    index = next(i for i, line in enumerate(lines) if line.strip().startswith(f"{member}:"))
    return lines[index - 1]


def test_the_commands_page_lists_every_command_and_option_of_the_parser():
    from mirrorleap.main import build_parser

    text = (DOCS / "guides" / "commands.md").read_text()
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `python run\.py (\w+).*$", text,
                                                         re.MULTILINE)}
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert set(rows) == set(commands)
    for name, sub in commands.items():
        for action in sub._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag != "--help":
                    assert flag in rows[name], f"{name} {flag}"
