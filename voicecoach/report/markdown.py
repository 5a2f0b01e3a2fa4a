"""The report as Markdown: paste into notes, a gist or an issue."""

from __future__ import annotations

from voicecoach.report.data import ReportData
from voicecoach.session.models import SummaryItem

STATUS_MARK = {"covered": "✓", "partial": "~", "missing": "✗", "contradicted": "✗!"}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _items(items: list[SummaryItem]) -> list[str]:
    if not items:
        return ["_none_", ""]
    lines = []
    for item in items:
        where = f"**{item.question_id}** — " if item.question_id else ""
        lines.append(f"- {where}{_cell(item.text)}")
        if item.idea:
            lines.append(f"  {_cell(item.idea)}")
        if item.evidence:
            lines.append(f"  > {_cell(item.evidence)}")
    return [*lines, ""]


class MarkdownWriter:
    name = "md"
    suffix = ".md"

    def render(self, data: ReportData) -> str:
        meta = data.session
        score = "—" if data.overall_score is None else f"{data.overall_score:.0f}/100"
        out = [
            f"# Interview report — {meta['id']}",
            "",
            f"{meta['created_at'][:16].replace('T', ' ')} · {meta['status']} · overall **{score}**",
            "",
        ]
        out += [f"_Note: {note}_" for note in data.notes] + ([""] if data.notes else [])
        for text in (data.verdict, data.self_review):
            out += [text, ""] if text else []
        out += ["## What went well", "", *_items(data.strengths)]
        out += ["## What to work on", "", *_items(data.gaps)]
        out += ["## What to practise", "", *_items(data.advice)]
        out += ["## Questions", "", "| question | topic | level | score |", "|---|---|---|---|"]
        for row in data.questions:
            score_text = "—" if row.score is None else f"{row.score:.0f}"
            out.append(f"| {row.question_id} | {row.topic} | {row.level or '—'} | {score_text} |")
        out.append("")
        for row in data.questions:
            out += [f"### {row.question_id}", "", f"_{_cell(row.question)}_", ""]
            for point in row.key_points:
                quote = f' — "{_cell(point.evidence)}"' if point.evidence else ""
                mark = STATUS_MARK.get(point.status, "?")
                out.append(f"- {mark} `{point.id}` {point.status}{quote}")
            for hit in row.misconceptions:
                out.append(f'- ⚠ `{hit.id}` — "{_cell(hit.evidence)}" → {_cell(hit.correction)}')
            out.append("")
        out += ["## Delivery", ""]
        d = data.delivery
        if d.timed:
            out.append(
                f"{d.words} words, {d.words_per_minute or 0:.0f} words/min, "
                f"{d.fillers_per_minute or 0:.1f} fillers/min, {d.long_pauses} long pauses"
            )
        else:
            out.append("No word timings (typed or imported answers).")
        out += ["", *_items(d.notes)]
        if data.self_assessment:
            out += ["## Self-assessment", "", f"> {_cell(data.self_assessment)}", ""]
        return "\n".join(out)
