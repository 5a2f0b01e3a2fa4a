"""The report in the terminal, with Rich: tables of questions and key points, then the summary."""

from __future__ import annotations

import io
from collections.abc import Iterator

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from voicecoach.report.data import ReportData
from voicecoach.session.models import SummaryItem

LEVEL_STYLE = {"strong": "green", "partial": "yellow", "weak": "red"}
STATUS_MARK = {"covered": "[green]✓[/]", "partial": "[yellow]~[/]", "missing": "[red]✗[/]",
               "contradicted": "[red]✗![/]"}


def _item_lines(items: list[SummaryItem]) -> Text:
    text = Text()
    for item in items:
        where = f"[{item.question_id}] " if item.question_id else ""
        text.append(f"• {where}", style="dim")
        text.append(item.text)
        if item.idea:
            text.append(f"\n    {item.idea}")
        if item.evidence:
            text.append(f'\n    "{item.evidence}"', style="italic dim")
        text.append("\n")
    return text if items else Text("none", style="dim")


def renderables(data: ReportData) -> Iterator[RenderableType]:
    """The report as Rich renderables, top to bottom."""
    meta = data.session
    score = "—" if data.overall_score is None else f"{data.overall_score:.0f}/100"
    yield Text.from_markup(
        f"[bold]Session {meta['id']}[/]  {meta['created_at'][:16].replace('T', ' ')}  "
        f"{meta['status']}  overall [bold]{score}[/]"
    )
    for note in data.notes:
        yield Text(f"note: {note}", style="dim")
    table = Table("question", "topic", "level", "score", "key points", title="Questions")
    for row in data.questions:
        level = row.level or "—"
        points = "  ".join(f"{STATUS_MARK.get(p.status, '?')} {p.id}" for p in row.key_points)
        table.add_row(
            row.question_id + (" (regraded)" if row.regraded else ""),
            row.topic,
            f"[{LEVEL_STYLE.get(level, 'white')}]{level}[/]",
            "—" if row.score is None else f"{row.score:.0f}",
            points,
        )
    yield table
    if data.verdict or data.self_review:
        yield Panel(Text("\n".join(t for t in (data.verdict, data.self_review) if t)),
                    title="Verdict", border_style="magenta")
    yield Panel(_item_lines(data.strengths), title="What went well", border_style="green")
    yield Panel(_item_lines(data.gaps), title="What to work on", border_style="red")
    yield Panel(_delivery_text(data), title="Delivery", border_style="blue")
    yield Panel(_item_lines(data.advice), title="What to practise", border_style="cyan")
    if data.self_assessment:
        yield Panel(Text(data.self_assessment), title="Your self-assessment")


def _delivery_text(data: ReportData) -> RenderableType:
    d = data.delivery
    parts: list[RenderableType] = []
    if d.timed:
        parts.append(
            Text(
                f"{d.words} words in {d.speaking_seconds:.0f} s speaking: "
                f"{d.words_per_minute or 0:.0f} words/min, "
                f"{d.fillers_per_minute or 0:.1f} fillers/min, {d.long_pauses} long pauses"
            )
        )
    else:
        parts.append(Text("no word timings (typed or imported answers)", style="dim"))
    if d.notes:
        parts.append(_item_lines(d.notes))
    return Group(*parts)


class TerminalWriter:
    """Rich output; ``render`` gives the same as plain text (for ``--out``)."""

    name = "terminal"
    suffix = ".txt"

    def render(self, data: ReportData) -> str:
        console = Console(record=True, width=110, file=io.StringIO(), color_system=None)
        for renderable in renderables(data):
            console.print(renderable)
        return console.export_text()

    def show(self, data: ReportData, console: Console) -> None:
        for renderable in renderables(data):
            console.print(renderable)
