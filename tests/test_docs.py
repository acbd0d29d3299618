"""The README's command line is the real one (in the spirit of datasette's test_docs.py).

Every `python -m dashboard <command>` the README shows exists, with every `--option` it shows beside it; and every
command and option the parser has appears in the README, so a new option cannot land undocumented and a renamed one
cannot leave the README describing a command that fails.
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from dashboard.commands import build_parser

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def parser_commands() -> dict[str, set[str]]:
    """Each command ("export finance" for an export kind) and its long options, from the real parser."""
    found: dict[str, set[str]] = {}

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:  # noqa: SLF001 - argparse has no public way to list them
            if isinstance(action, argparse._SubParsersAction):  # noqa: SLF001
                for name, sub in action.choices.items():
                    walk(sub, f"{prefix} {name}".strip())
        if prefix:
            found[prefix] = {
                o
                for a in parser._actions  # noqa: SLF001
                if a.help != argparse.SUPPRESS
                for o in a.option_strings
                if o.startswith("--") and o != "--help"
            }

    walk(build_parser(), "")
    return found


COMMANDS = parser_commands()
# what the README runs: `python -m dashboard` then the command words, up to the end of the code span or line
README_COMMAND_LINES = re.findall(r"python -m dashboard ([^`\n]*)", README)


def readme_command(line: str) -> str | None:
    """The longest parser command the README line starts with ("export finance" before "export")."""
    words = line.split()
    for length in (2, 1):
        name = " ".join(words[:length])
        if name in COMMANDS:
            return name
    return None


def test_the_parser_has_commands_to_document():
    assert {"init", "import", "metrics", "export finance", "decide", "report"} <= set(COMMANDS)
    assert "--db" in COMMANDS["metrics"]


@pytest.mark.parametrize("line", README_COMMAND_LINES)
def test_every_command_the_readme_runs_exists_with_the_options_it_shows(line):
    command = readme_command(line)
    assert command is not None, f"README runs `python -m dashboard {line}`, which is no command"
    shown = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", line))
    assert shown <= COMMANDS[command], f"`{command}` has no {sorted(shown - COMMANDS[command])}"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_and_its_options_are_in_the_readme(command):
    assert f"python -m dashboard {command}" in README or f"`{command}" in README, f"README never names `{command}`"
    missing = sorted(o for o in COMMANDS[command] if o not in README)
    assert not missing, f"README never mentions {missing} of `{command}`"


def test_the_readme_layout_has_one_line_per_folder_and_only_real_folders():
    """ "How it is built" lists each folder of the code once, and names no folder that is not there."""
    root = Path(__file__).resolve().parent.parent
    section = README.split("## How it is built\n", 1)[1].split("\n## ", 1)[0]
    listed = re.findall(r"^- `([a-z_/]+/)`", section, flags=re.M)
    assert len(listed) == len(set(listed)), "a folder is listed twice"
    code_folders = {
        f"{p.relative_to(root).as_posix()}/"
        for p in (root / "dashboard").rglob("*")
        if p.is_dir() and "__pycache__" not in p.parts and any(p.glob("*.py"))
    }
    assert code_folders <= set(listed), f"folders the README does not list: {sorted(code_folders - set(listed))}"
    missing = [folder for folder in listed if not (root / folder).is_dir()]
    assert not missing, f"the README lists folders that are not there: {missing}"
