"""`python -m dashboard`: the command line the app, the tests and finance automation share.

Every command takes --db PATH; without it the database is $COMMISSIONING_DB, else
data/commissioning.duckdb. This package is the top of the house: each module in it adds one group
of commands (data: init, import, backup, restore; appraisal: metrics, cost-of-stopping; scenarios;
decisions; reports; finance) and calls the feature modules below it, which never import it
(tests/test_import_direction.py). Options several commands share are in options.py, and how a
table is printed in output.py.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from dashboard.database import db
from dashboard.rules.appraisal import AssumptionError

# each command, in the order --help lists it, and the module of this package that adds it (with add_<command>)
COMMANDS: dict[str, str] = {
    "init": "data",
    "import": "data",
    "metrics": "appraisal",
    "export": "",  # its kinds come from EXPORT_KINDS
    "scenarios": "scenarios",
    "cost-of-stopping": "appraisal",
    "decide": "decisions",
    "verify-decisions": "decisions",
    "report": "reports",
    "backup": "data",
    "restore": "data",
    "refresh-figures": "data",
}
# each kind of `export`, in the order its --help lists it, and the module that adds it (with add_export_<kind>)
EXPORT_KINDS: dict[str, str] = {"decisions": "decisions", "finance": "finance"}
# built for every command line (a built-in command needs no other); any other command is built only with
# the others of its module, so a command imports only what it needs: importing them all (PDF fonts,
# openpyxl, ...) cost every command, `metrics` included, about 0.2 s before it started. --help, a
# mistyped command or a bare `export` builds them all.
BUILT_IN = ("init", "import", "metrics")
ALWAYS_BUILT = (*BUILT_IN, "export")


def _adder(name: str) -> str:
    return "add_" + name.replace("-", "_")


def commands_for(argv: list[str] | None) -> tuple[str, ...]:
    """The commands (and `export KIND`s) a command line needs built: see ALWAYS_BUILT."""
    words = [a for a in (argv or []) if not a.startswith("-")][:2]
    if words and words[0] in BUILT_IN:
        return ALWAYS_BUILT
    if words[:1] == ["export"]:
        module = EXPORT_KINDS.get(words[1]) if len(words) > 1 else None
    else:
        module = COMMANDS.get(words[0]) if words else None
    if not module:
        return _every_command()
    return tuple(name for name in _every_command() if name in ALWAYS_BUILT or _module_of(name) == module)


def _every_command() -> tuple[str, ...]:
    return (*COMMANDS, *(f"export {kind}" for kind in EXPORT_KINDS))


def _module_of(name: str) -> str | None:
    kind = name.removeprefix("export ")
    return EXPORT_KINDS.get(kind) if kind != name else COMMANDS.get(name)


def build_parser(commands: tuple[str, ...] | None = None) -> argparse.ArgumentParser:
    """The parser for these commands (default: every one)."""
    wanted = set(_every_command() if commands is None else commands)
    parser = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for name, module_name in COMMANDS.items():
        if name not in wanted:
            continue
        if name == "export":
            export = sub.add_parser("export", help="write an export file (see the kinds below)")
            export_sub = export.add_subparsers(dest="export_kind", required=True, metavar="KIND")
            continue
        getattr(_module(module_name), _adder(name))(sub)
    for kind, module_name in EXPORT_KINDS.items():
        if f"export {kind}" in wanted and "export" in wanted:
            getattr(_module(module_name), _adder(f"export-{kind}"))(export_sub)
    return parser


def _module(name: str):
    return importlib.import_module(f"{__name__}.{name}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(commands_for(argv)).parse_args(argv)
    try:
        return args.func(args)
    except (AssumptionError, db.DatabaseMissingError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `metrics | head`: the reader has what it wanted; no traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
