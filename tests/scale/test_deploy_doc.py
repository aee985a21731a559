"""docs/deploy.md against the code: the environment variables it names are the ones the settings read, the
commands it names parse, and the tests it cites exist (tests/scale/test_workers.py runs the layout it describes)."""

import ast
import re
import shlex
from pathlib import Path

import click
import pytest

from recruit.cli import main
from recruit.settings import SettingsError, load_settings

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "deploy.md").read_text()
VARIABLE = re.compile(r"\bRECRUIT_[A-Z_]+\b")
SAMPLES = {  # a value for each variable read per call; RECRUIT_VAR_DIR is read once, at import
    "RECRUIT_DATABASE_URL": "postgresql://merit@primary/merit",
    "RECRUIT_REPORTS_DATABASE_URL": "postgresql://merit_reports@replica/merit",
    "RECRUIT_SECRET_KEY": "a-secret-key-of-more-than-32-characters",
    "RECRUIT_ENV": "production",
    "RECRUIT_SMTP_URL": "smtp://mail:587",
    "RECRUIT_MAIL_FROM": "merit@example.kz",
}


def test_the_doc_names_exactly_the_variables_the_settings_read():
    in_doc = set(VARIABLE.findall(DOC))
    in_settings = set(VARIABLE.findall((ROOT / "recruit" / "settings.py").read_text()))
    assert in_doc == in_settings, f"only in the doc: {in_doc - in_settings}; only in settings: {in_settings - in_doc}"
    assert in_settings == set(SAMPLES) | {"RECRUIT_VAR_DIR"}


def _outcome(environ: dict[str, str]):
    try:
        return load_settings(environ)
    except SettingsError as exc:
        return str(exc)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_each_variable_is_read(name):
    """Named in settings.py is not enough: leaving the variable out must change what load_settings gives."""
    assert _outcome(SAMPLES) != _outcome({k: v for k, v in SAMPLES.items() if k != name})


def _commands() -> list[str]:
    found = re.findall(r"`(recruit [^`]+)`", DOC)
    assert len(found) >= 5, found
    return found


@pytest.mark.parametrize("line", _commands())
def test_every_command_named_parses(line):
    words = shlex.split(line.split(" (")[0])[1:]
    command: click.Command = main
    path = ["recruit"]
    while isinstance(command, click.Group):
        assert words and words[0] in command.commands, f"{' '.join(path)} has no subcommand {words[:1]}"
        path.append(words[0])
        command = command.commands[words.pop(0)]
    if words:  # an invocation, not just the command's name: it must parse
        command.make_context(" ".join(path), words)  # raises on an unknown option or a bad value


def test_the_tests_cited_exist_and_the_layout_is_run():
    cited = re.findall(r"(tests/[\w/]+\.py)(?:::(\w+))?", DOC)
    assert ("tests/scale/test_workers.py", "") in cited
    for path, function in cited:
        source = ROOT / path
        assert source.is_file(), path
        names = {node.name for node in ast.walk(ast.parse(source.read_text())) if isinstance(node, ast.FunctionDef)}
        assert any(name.startswith("test_") for name in names), path
        assert not function or function in names, f"{path} has no {function}"
    workers = (ROOT / "tests/scale/test_workers.py").read_text()
    assert '"--workers", "2"' in workers and 'for name in ("a", "b")' in workers
