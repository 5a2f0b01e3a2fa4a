"""``voicecoach sessions``: list recorded sessions."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from voicecoach.config import load_settings
from voicecoach.session.store import SessionStore

console = Console()


def sessions_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List recorded sessions: date, questions, overall score.

    Damaged sessions are listed with the reason instead of hiding them.

    Examples:

      voicecoach sessions

      VOICECOACH_RECORDINGS=~/interviews voicecoach sessions --json
    """
    store = SessionStore(load_settings().recordings_dir)
    rows = store.list()
    if as_json:
        typer.echo(json.dumps([row.as_dict() for row in rows], indent=2))
        return
    if not rows:
        console.print(f"No sessions in {store.root} yet. Start one with `voicecoach practice`.")
        return
    table = Table("id", "date", "status", "questions", "score")
    for row in rows:
        if row.error:
            table.add_row(row.id, "", "[red]damaged[/]", row.error, "")
            continue
        score = "" if row.score is None else f"{row.score:.0f}"
        table.add_row(
            row.id,
            row.created_at[:16].replace("T", " "),
            row.status,
            ", ".join(row.questions),
            score,
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach ``voicecoach sessions``."""
    app.command("sessions")(sessions_command)
