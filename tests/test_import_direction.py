"""Imports point down the house: the command line and the app on top, the database layer at the bottom, no loops.

The layers are the folders of dashboard/, bottom to top: database/, rules/, files/ (what comes in and goes out),
then the Streamlit app (app.py, ui.py, views/, components/) beside the command line (commands/). A module may
import its own layer and those below it, never one above, and the two on top never import each other.

A feature module that imported the command line (to borrow an option helper) or a database layer that
called up into the appraisal made loops that a reader had to hold in their head, and that broke as soon as
one of them was imported first. The graph is read from the source with `ast`, imports inside functions
included, so a lazy import cannot hide a loop.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.database import db
from dashboard.rules import appraisal

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "dashboard"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
COMMANDS = sorted(name for name in MODULES if name == "dashboard.commands" or name.startswith("dashboard.commands."))


def _imports(name: str) -> set[str]:
    """The dashboard modules a module imports anywhere in its source (a `from package import module` counts
    as the module; a `from module import name`, as the module)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in MODULES}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    found.add(f"{base}.{alias.name}")
                elif base in MODULES:
                    found.add(base)
    found.discard(name)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _reachable(start: str) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for target in GRAPH[todo.pop()] - seen:
            seen.add(target)
            todo.append(target)
    return seen


LAYERS = ("database", "rules", "files", "app", "commands")  # bottom to top; app and commands side by side on top
APP_FOLDERS = ("views", "components")


def _layer(name: str) -> str:
    """The layer of a dashboard module, from its folder (app.py, ui.py and the package's own files are the app)."""
    parts = name.split(".")[1:]
    if parts and parts[0] in LAYERS:
        return parts[0]
    if parts == ["__main__"]:
        return "commands"  # `python -m dashboard` is the command line
    if len(parts) <= 1 or parts[0] in APP_FOLDERS:
        return "app"
    raise AssertionError(f"{name} is in no layer: put it in one of dashboard/{'/, dashboard/'.join(LAYERS[:3])}/")


def _rank(layer: str) -> int:
    """Bottom 0; the app and the command line share the top floor."""
    return min(LAYERS.index(layer), LAYERS.index("app"))


def test_every_module_is_in_a_layer():
    layers = {name: _layer(name) for name in MODULES}
    assert set(layers.values()) == set(LAYERS)
    loose = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert loose == ["__init__.py", "__main__.py", "app.py", "ui.py"], f"a module outside the layers' folders: {loose}"


@pytest.mark.parametrize("layer", LAYERS)
def test_no_module_imports_a_layer_above_its_own(layer):
    upward = sorted(
        f"{name} -> {target}"
        for name in MODULES
        if _layer(name) == layer
        for target in GRAPH[name]
        if _rank(_layer(target)) > _rank(layer) or {_layer(target), layer} == {"app", "commands"}
    )
    assert not upward, f"dashboard/{layer} imports a layer above it (or beside it on top):\n" + "\n".join(upward)


def test_the_graph_sees_imports_inside_functions():
    assert "dashboard.files.importer" in GRAPH["dashboard.commands.data"]
    assert "dashboard.files.export_files" in GRAPH["dashboard.commands.appraisal"]  # inside cmd_cost_of_stopping


def test_nothing_outside_the_command_line_imports_it():
    allowed = set(COMMANDS) | {"dashboard.__main__"}
    offenders = {
        name: sorted(target for target in targets if target in COMMANDS)
        for name, targets in GRAPH.items()
        if name not in allowed and targets & set(COMMANDS)
    }
    assert not offenders, f"only dashboard/commands/ (and __main__) may import the command line: {offenders}"


def test_the_database_layer_imports_no_other_dashboard_module():
    assert GRAPH["dashboard.database.db"] == set(), "db.py is the ground floor: work above registers a hook instead"


def test_there_are_no_import_loops():
    loops = []
    state: dict[str, str] = {}  # "open" while on the path being followed, "done" once every import is checked

    def follow(name: str, path: list[str]) -> None:
        state[name] = "open"
        for target in sorted(GRAPH[name]):
            if state.get(target) == "open":
                loops.append(" -> ".join([*path[path.index(target) :], target]))
            elif target not in state:
                follow(target, [*path, target])
        state[name] = "done"

    for name in sorted(GRAPH):
        if name not in state:
            follow(name, [name])
    assert not loops, "import loops:\n" + "\n".join(loops)


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_every_module_that_writes_imports_the_appraisal_whose_hook_stores_the_figures():
    """A write made without appraisal imported would commit without its reference figures, and readers would
    then trust figures stored for the data before it (appraisal.figures_source)."""
    writers = [
        name
        for name, path in MODULES.items()
        if name != "dashboard.database.db"
        and any(
            isinstance(node, ast.Attribute) and node.attr == "write_database"
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        )
    ]
    assert "dashboard.files.importer" in writers and "dashboard.commands.data" in writers
    missing = [name for name in writers if "dashboard.rules.appraisal" not in _reachable(name) | {name}]
    assert not missing, f"these write without importing dashboard.rules.appraisal: {missing}"
    assert appraisal.store_reference_figures in db._before_commit_hooks.values()  # noqa: SLF001


@pytest.mark.slow  # 0.3 s or more on a quiet two-core machine (pytest --durations)
def test_the_command_line_does_not_import_streamlit():
    code = f"import sys, {', '.join(COMMANDS)}; sys.exit(1 if 'streamlit' in sys.modules else 0)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"the command line imports streamlit (directly or indirectly)\n{result.stderr}"
