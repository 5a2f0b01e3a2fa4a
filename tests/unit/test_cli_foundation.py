"""The console script as a user runs it: clear one-line errors, JSON output, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

TINY = Path(__file__).parents[1] / "fixtures" / "data" / "tiny-rubric.yaml"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1"}
    return subprocess.run(
        [sys.executable, "-m", "voicecoach.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
    )


def test_lint_weight_lots_names_file_and_line_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "tiny-rubric.yaml"
    bad.write_text(TINY.read_text().replace("weight: 2\n", "weight: lots\n"))
    result = run_cli("rubrics", "lint", str(bad))
    assert result.returncode == 1
    assert f"{bad}:8: key_points[0].weight:" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_lint_clean_file_passes() -> None:
    result = run_cli("rubrics", "lint", str(TINY))
    assert result.returncode == 0, result.stderr
    assert "1 rubric(s) OK" in result.stdout


def test_lint_missing_path_is_one_line() -> None:
    result = run_cli("rubrics", "lint", "/nonexistent/rubrics")
    assert result.returncode == 1
    assert "no such file or folder" in result.stderr
    assert "Traceback" not in result.stderr


def test_rubrics_list_json(tmp_path: Path) -> None:
    (tmp_path / "tiny-rubric.yaml").write_text(TINY.read_text())
    result = run_cli("rubrics", "list", "--json", "--rubrics", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        {
            "id": "tiny-rubric",
            "topic": "testing",
            "version": 1,
            "tracks": [],
            "case": None,
            "stage": None,
            "question": "Why is max depth a useful parameter?",
        }
    ]


def test_sessions_bad_recordings_env_and_empty(tmp_path: Path) -> None:
    env_dir = tmp_path / "rec"
    result = subprocess.run(
        [sys.executable, "-m", "voicecoach.cli", "sessions", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "VOICECOACH_RECORDINGS": str(env_dir)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def _leaf_commands(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    subcommands = getattr(command, "commands", None)
    if subcommands is None:
        return [prefix]
    return [
        leaf for name, sub in subcommands.items() for leaf in _leaf_commands(sub, (*prefix, name))
    ]


def test_every_command_has_help_with_examples() -> None:
    """A new user reads ``--help`` first: every command shows how it is used."""
    import typer.main
    from typer.testing import CliRunner

    from voicecoach.cli import app

    leaves = _leaf_commands(typer.main.get_command(app))
    assert len(leaves) >= 18 and ("practice",) in leaves and ("rubrics", "lint") in leaves
    runner = CliRunner()
    for leaf in leaves:
        result = runner.invoke(app, [*leaf, "--help"], env={"COLUMNS": "120"})
        assert result.exit_code == 0, (leaf, result.output)
        assert "Example" in result.output and "voicecoach " + " ".join(leaf) in result.output, leaf


def test_usage_errors_print_usage_and_message_not_a_traceback() -> None:
    """A mistyped option, a stray argument and a bad value each exit 2 with click's usage line."""
    cases = {
        ("grade", "--bogus"): "No such option: --bogus",
        ("grade", "foo", "bar"): "unexpected extra argument",
        ("practice", "--count", "abc"): "Invalid value for '--count'",
    }
    for args, message in cases.items():
        result = run_cli(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr, (args, result.stderr)
        assert f"voicecoach.cli {args[0]} [OPTIONS]" in result.stderr, result.stderr
        assert "Traceback" not in result.stderr + result.stdout
