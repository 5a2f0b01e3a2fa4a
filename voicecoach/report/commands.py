"""``voicecoach replay|regrade|import-transcript|report|progress``: looking back at sessions.

Each command is thin: resolve settings, load what it needs, call one function, print.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from voicecoach.config import load_settings
from voicecoach.errors import SessionError
from voicecoach.grading.grader import grade_answer, grader_from_config
from voicecoach.rubric.loader import RubricBank, load_bank
from voicecoach.session.regrade import SessionRegrade
from voicecoach.session.schedule import PointReview, load_schedule, parse_time
from voicecoach.session.store import SessionStore

console = Console()
error_console = Console(stderr=True)


class ReportFormat(StrEnum):
    terminal = "terminal"
    md = "md"
    html = "html"
    json = "json"


RubricsOption = Annotated[
    Path | None,
    typer.Option("--rubrics", help="Question bank folder (default: the configured bank)."),
]


def _store() -> SessionStore:
    return SessionStore(load_settings().recordings_dir)


def _bank(rubrics: Path | None) -> RubricBank:
    return load_bank(rubrics or load_settings().rubrics_dir)


def replay_command(
    session_id: Annotated[str, typer.Argument(metavar="SESSION", help="Session id.")],
    turn: Annotated[int | None, typer.Option("--turn", help="Show only this turn.")] = None,
    no_audio: Annotated[bool, typer.Option("--no-audio", help="Text only.")] = False,
    regrade: Annotated[
        bool, typer.Option("--regrade", help="Also grade with the current rubrics, side by side.")
    ] = False,
    rubrics: RubricsOption = None,
) -> None:
    """Walk a session turn by turn: question, recorded answer, transcript with timestamps, grade.

    Audio plays in the background; press Enter for the next turn, q to quit. With no sound
    device, missing WAVs or `--no-audio` it shows the text. When stdin is not a terminal every
    turn is printed at once.

    Examples:

      voicecoach replay 20261124-210000

      voicecoach replay 20261124-210000 --turn 3 --regrade --no-audio
    """
    from voicecoach.session.replay import replay_session

    store = _store()
    session = store.load(session_id)
    replay_session(
        session,
        store.session_dir(session_id),
        console,
        turn=turn,
        audio=not no_audio,
        interactive=sys.stdin.isatty(),
        bank=_bank(rubrics) if regrade else None,
        grader=grader_from_config(load_settings()) if regrade else grade_answer,
    )


def _print_regrade(report: SessionRegrade) -> None:
    if report.error:
        error_console.print(f"[red]skipped[/] {report.session_id}: {report.error}", highlight=False)
        return
    changed = [a for a in report.answers if a.changed or a.error]
    console.print(
        f"[bold]{report.session_id}[/]: {len(report.answers)} answers regraded, "
        f"{len(changed)} changed" + (f", {report.saved} saved" if report.saved else "")
    )
    for answer in report.answers:
        if answer.error:
            console.print(f"  {answer.question_id}: [red]{answer.error}[/]")
            continue
        old, new = answer.old, answer.new
        was = f"{old.level} {old.score:.0f}" if old else "ungraded"
        now = f"{new.level} {new.score:.0f}" if new else "—"
        mark = "[yellow]changed[/]" if answer.changed else "[dim]same[/]"
        console.print(f"  {answer.question_id}: {was} → {now}  {mark}")
        for point in answer.flipped:
            console.print(f"      {point.describe()}", highlight=False)
        if answer.changed or answer.provenance_changed:
            for reason in answer.reasons:
                console.print(f"      [dim]why:[/] {reason}", highlight=False)


def regrade_command(
    session_ids: Annotated[
        list[str] | None, typer.Argument(metavar="SESSION...", help="Session ids.")
    ] = None,
    all_sessions: Annotated[bool, typer.Option("--all", help="Every recorded session.")] = False,
    rubrics: RubricsOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    save: Annotated[
        bool, typer.Option("--save", help="Keep new grades beside the old (never overwrites).")
    ] = False,
) -> None:
    """Grade recorded answers again from their transcripts (no re-transcription).

    For each question: old and new level/score, which key points flipped, and why (rubric
    version or file changed, weights changed, grader changed). Sessions with missing audio
    regrade from their transcripts; a damaged session.json is reported and skipped.

    Examples:

      voicecoach regrade --all

      voicecoach regrade 20261124-210000 --rubrics ./my-rubrics --json

      voicecoach regrade --all --save
    """
    from voicecoach.session.regrade import regrade_sessions

    store = _store()
    if all_sessions == bool(session_ids):
        raise typer.BadParameter("give session ids or --all (not both)")
    ids = store.ids() if all_sessions else list(session_ids or [])
    if not ids:
        console.print(f"No sessions in {store.root}.")
        return
    reports = regrade_sessions(
        store, ids, _bank(rubrics), save=save, grader=grader_from_config(load_settings())
    )
    if as_json:
        typer.echo(json.dumps([r.as_dict() for r in reports], indent=2, ensure_ascii=False))
    else:
        for report in reports:
            _print_regrade(report)
    failed = [r for r in reports if r.error]
    if failed and not all_sessions:
        raise typer.Exit(1)


def import_command(
    file: Annotated[Path, typer.Argument(help="Transcript with `Speaker: text` lines.")],
    interviewer: Annotated[str, typer.Option("--interviewer", help="Interviewer's name.")],
    candidate: Annotated[str, typer.Option("--candidate", help="Candidate's name.")],
    session_id: Annotated[
        str | None, typer.Option("--id", help="Session id (default: import-DATE-TIME).")
    ] = None,
    rubrics: RubricsOption = None,
) -> None:
    """Import a text interview transcript as a graded session; prints the session id last.

    Interviewer questions are matched to bank questions (others kept as unmatched turns),
    follow-ups attached to the question they probe, the candidate's replies joined per turn,
    the self-assessment and closing feedback detected; every question is graded (by the
    configured grader: the key-point judge by default).

    Example:

      voicecoach import-transcript interview.txt --interviewer "Admiral Hex" \\
          --candidate "Spasmodic Gyroscope" --id mock-1
    """
    from voicecoach.feedback import summarize
    from voicecoach.session.importer import import_transcript

    session = import_transcript(
        file, _store(), _bank(rubrics), interviewer=interviewer, candidate=candidate,
        session_id=session_id, grader=grader_from_config(load_settings()), summarizer=summarize,
    )
    kinds: dict[str, int] = {}
    for turn in session.turns:
        kinds[turn.kind] = kinds.get(turn.kind, 0) + 1
    graded = session.latest_grades()
    error_console.print(
        f"imported {len(session.turns)} turns ("
        + ", ".join(f"{n} {kind}" for kind, n in kinds.items())
        + f"); graded {len(graded)} questions: "
        + ", ".join(f"{qid} {g.level}" for qid, g in graded.items()),
        highlight=False,
    )
    typer.echo(session.id)


def report_command(
    session_id: Annotated[str, typer.Argument(metavar="SESSION", help="Session id.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="Output format.")] = (
        ReportFormat.terminal
    ),
    out: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    rubrics: RubricsOption = None,
) -> None:
    """Strengths and gaps, per-question levels with evidence, delivery, and advice.

    HTML is one self-contained file with inline SVG charts (coverage per topic, score per
    question, pace over the session). JSON has `strengths`, `gaps`, `advice`, `questions`,
    `delivery`.

    Examples:

      voicecoach report 20261124-210000

      voicecoach report 20261124-210000 --format html --out report.html

      voicecoach report mock-1 --format json
    """
    from voicecoach.report.data import build_report
    from voicecoach.report.terminal import TerminalWriter
    from voicecoach.report.writers import get_writer

    store = _store()
    data = build_report(store.load(session_id), _bank(rubrics))
    writer = get_writer(fmt.value)
    if out is None and isinstance(writer, TerminalWriter):
        writer.show(data, console)
        return
    text = writer.render(data)
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        raise SessionError(f"cannot write report to {out}: {error.strerror or error}") from None
    error_console.print(f"report written to {out}")


def progress_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    rubrics: RubricsOption = None,
) -> None:
    """Per topic, how your levels moved across sessions (oldest first), and which key points are
    due for review (spaced repetition: a missed point is due at once, a covered one after 1, 6,
    then more days; `voicecoach practice` asks due questions first).

    Examples:

      voicecoach progress

      voicecoach progress --json
    """
    from voicecoach.session.progress import collect_progress

    try:
        bank: RubricBank | None = _bank(rubrics)
    except Exception as error:  # progress still works by question id without the bank
        error_console.print(f"note: question bank not loaded ({error}); topics are question ids")
        bank = None
    store = _store()
    progress = collect_progress(store, bank)
    reviews = load_schedule(store).by_due(bank)
    now = datetime.now(UTC)
    if as_json:
        payload = progress.as_dict()
        payload["reviews"] = [
            {**review.model_dump(), "is_due": parse_time(review.due) <= now} for review in reviews
        ]
        typer.echo(json.dumps(payload, indent=2))
        return
    for session_id, reason in progress.damaged.items():
        error_console.print(f"[red]skipped[/] {session_id}: {reason}", highlight=False)
    if not progress.topics:
        console.print("No graded sessions yet. Start one with `voicecoach practice`.")
        return
    table = Table("topic", *[sid for sid, *_ in progress.sessions], "trend", title="Progress")
    arrows = {"up": "[green]↑[/]", "down": "[red]↓[/]", "same": "→", "once": "·"}
    for topic, points in sorted(progress.topics.items()):
        by_session = {p.session_id: p for p in points}
        cells = [
            f"{by_session[sid].level} {by_session[sid].score:.0f}" if sid in by_session else ""
            for sid, *_ in progress.sessions
        ]
        table.add_row(topic, *cells, arrows[progress.trend(topic)])
    table.add_row("[bold]overall[/]", *[
        "" if score is None else f"{score:.0f}" for *_, score in progress.sessions
    ], "")
    console.print(table)
    _print_reviews(reviews, bank, now)


def _print_reviews(reviews: list[PointReview], bank: RubricBank | None, now: datetime,
                   upcoming: int = 10) -> None:
    """Due key points (all of them), then the next few that come due."""
    due = [r for r in reviews if parse_time(r.due) <= now]
    later = [r for r in reviews if parse_time(r.due) > now][:upcoming]
    table = Table("due", "question", "key point", "last time", "interval",
                  title=f"Review: {len(due)} key point(s) due now")
    for review in due + later:
        when = parse_time(review.due).astimezone()
        point = review.point
        if bank is not None:  # by_due kept only points the bank still has
            point = f"{point}: {bank[review.question].rubric.key_point(point).description}"
        table.add_row(
            "[bold]now[/]" if review in due else when.strftime("%Y-%m-%d %H:%M"),
            review.question, point, review.status,
            f"{review.interval_days:g} d" if review.interval_days else "again",
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Attach replay, regrade, import-transcript, report and progress."""
    app.command("replay")(replay_command)
    app.command("regrade")(regrade_command)
    app.command("import-transcript")(import_command)
    app.command("report")(report_command)
    app.command("progress")(progress_command)
