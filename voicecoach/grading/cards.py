"""The readable grade card printed by ``voicecoach grade`` (Rich)."""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from voicecoach.grading.models import Grade
from voicecoach.rubric.schema import Rubric

STATUS_STYLE = {"covered": ("✔", "green"), "partial": ("◐", "yellow"), "missing": ("✘", "red"),
                "contradicted": ("✘!", "red")}
LEVEL_STYLE = {"strong": "bold green", "partial": "bold yellow", "weak": "bold red"}


def grade_card(grade: Grade, rubric: Rubric) -> Panel:
    """Score and level, key points with evidence, misconceptions, follow-up, delivery."""
    parts: list[RenderableType] = []
    head = Text()
    head.append(f"{grade.level.upper()}", style=LEVEL_STYLE[grade.level])
    head.append(f"  {grade.score:g}/100   ")
    head.append(rubric.question, style="italic")
    parts.append(head)
    table = Table(show_header=True, header_style="bold", expand=True, box=None)
    table.add_column("", width=2)
    table.add_column("key point", ratio=2)
    table.add_column("evidence", ratio=5)
    for point in grade.key_points:
        icon, style = STATUS_STYLE[point.status]
        description = rubric.key_point(point.id).description if point.id in {
            p.id for p in rubric.key_points} else point.id
        evidence = f'"{point.evidence}"' if point.evidence else (point.note or "—")
        table.add_row(Text(icon, style=style), Text(description), Text(evidence, style="dim"))
    parts.append(table)
    for hit in grade.misconceptions:
        parts.append(Text(f'✘ misconception ({hit.severity}): "{hit.evidence}" — {hit.correction}',
                          style="red"))
    if grade.followup:
        parts.append(Text(f"Next probe: {grade.followup.question}", style="cyan"))
    for cap in grade.caps_applied:
        parts.append(Text(f"cap: {cap}", style="dim"))
    if grade.delivery:
        d = grade.delivery
        parts.append(Text(
            f"delivery: {d.words_per_minute:.0f} words/min, "
            f"{d.fillers_per_minute:.1f} fillers/min, {d.long_pauses} long pause(s), "
            f"longest {d.longest_pause:.1f}s", style="magenta"))
        parts.extend(Text(f"  • {note}", style="magenta") for note in d.notes)
    for note in grade.notes:
        parts.append(Text(f"note: {note}", style="dim"))
    p = grade.provenance
    parts.append(Text(f"{p.rubric_id} v{p.rubric_version} ({p.rubric_hash[:10]}), grader "
                      f"{p.grader}" + (f", stt {p.stt_engine} {p.stt_model}"
                                      if p.stt_engine != "text" else ""), style="dim"))
    return Panel(Group(*parts), title=f"grade: {grade.question_id}", expand=False, width=100)
