"""``voicecoach rubrics lint|list`` (the grading area adds ``rubrics test`` to the same sub-app)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from voicecoach.config import load_settings
from voicecoach.rubric.lint import lint_paths
from voicecoach.rubric.loader import load_bank
from voicecoach.rubric.tracks import describe_tracks

rubrics_app = typer.Typer(
    help="Check and list the question bank (one YAML rubric per question).",
    no_args_is_help=True,
)
console = Console()
error_console = Console(stderr=True)

PathsArgument = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Rubric files or folders; default: the configured bank.", show_default=False
    ),
]


@rubrics_app.command("lint")
def lint_command(paths: PathsArgument = None) -> None:
    """Check rubric files: schema, ids, probes, patterns, examples. Exit 1 on any problem.

    Every problem is one line ``file.yaml:LINE: field: message``.

    Examples:

      voicecoach rubrics lint

      voicecoach rubrics lint rubrics/trees/max-depth.yaml
    """
    targets = paths or [load_settings().rubrics_dir]
    loaded, problems = lint_paths(targets)
    if not loaded and not problems:
        error_console.print(f"no rubric files (*.yaml) found in {', '.join(map(str, targets))}")
        raise typer.Exit(1)
    for problem in problems:
        error_console.print(str(problem), highlight=False, soft_wrap=True, markup=False)
    if problems:
        error_console.print(f"{len(problems)} problem(s) in {len(loaded)} valid rubric(s).")
        raise typer.Exit(1)
    console.print(f"{len(loaded)} rubric(s) OK.")


@rubrics_app.command("list")
def list_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
    rubrics_dir: Annotated[
        Path | None, typer.Option("--rubrics", help="Rubric folder (default: configured bank).")
    ] = None,
) -> None:
    """List the questions in the bank, in interview order, with their tracks and design cases.

    Examples:

      voicecoach rubrics list

      voicecoach rubrics list --json
    """
    bank = load_bank(load_settings(rubrics_dir=rubrics_dir).rubrics_dir)
    rows = [
        {
            "id": r.id,
            "topic": r.rubric.topic,
            "version": r.rubric.version,
            "tracks": list(r.rubric.tracks),
            "case": r.rubric.case or None,
            "stage": r.rubric.stage or None,
            "question": r.rubric.question,
        }
        for r in bank.ordered()
    ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table("id", "topic", "tracks", "case/stage", "v", "question")
    for r in bank.ordered():
        rubric = r.rubric
        case = f"{rubric.case}/{rubric.stage}" if rubric.case else ""
        table.add_row(r.id, rubric.topic, ", ".join(rubric.tracks), case, str(rubric.version),
                      rubric.question)
    console.print(table)
    console.print(f"{len(rows)} question(s); tracks: {describe_tracks(bank)}")


def register(app: typer.Typer) -> None:
    """Attach ``voicecoach rubrics ...``."""
    app.add_typer(rubrics_app, name="rubrics")
