"""The report as one self-contained HTML file: inline CSS and inline SVG charts, no scripts, no
external fetches, so it opens offline and can be mailed as a single attachment."""

from __future__ import annotations

from html import escape

from voicecoach.report.charts import LEVEL_COLOURS, bar_chart, line_chart
from voicecoach.report.data import ReportData
from voicecoach.session.models import SummaryItem

COMFORTABLE_PACE = (130.0, 170.0)

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 960px; margin: 2em auto; color: #222;
       line-height: 1.45; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } .meta { color: #555; }
section { margin: 1.5em 0; }
figure { margin: 1em 0; }
ul.items li { margin: 0.4em 0; } blockquote { margin: 0.2em 0 0 1em; color: #555;
       font-style: italic; border-left: 3px solid #ddd; padding-left: 0.6em; }
table { border-collapse: collapse; width: 100%; } th, td { border-bottom: 1px solid #ddd;
       padding: 4px 6px; text-align: left; vertical-align: top; }
.level-strong { color: #2e7d32; font-weight: bold; } .level-partial { color: #b8860b;
       font-weight: bold; } .level-weak { color: #c62828; font-weight: bold; }
.covered { color: #2e7d32; } .partial { color: #b8860b; } .missing { color: #c62828; }
.note { color: #777; font-style: italic; } .verdict { font-size: 1.15em; }
p.idea { margin: 0.2em 0 0 1em; } svg.chart { max-width: 100%; height: auto; }
"""

MARK = {"covered": "✓", "partial": "~", "missing": "✗", "contradicted": "✗!"}


def _items(section_id: str, title: str, items: list[SummaryItem]) -> str:
    if not items:
        body = '<p class="note">none</p>'
    else:
        rows = []
        for item in items:
            where = f"<strong>{escape(item.question_id)}</strong>: " if item.question_id else ""
            quote = f"<blockquote>{escape(item.evidence)}</blockquote>" if item.evidence else ""
            idea = f'<p class="idea">{escape(item.idea)}</p>' if item.idea else ""
            qid = escape(item.question_id or "")
            rows.append(f'<li data-question="{qid}">{where}{escape(item.text)}{idea}{quote}</li>')
        body = f'<ul class="items">{"".join(rows)}</ul>'
    return f'<section id="{section_id}"><h2>{escape(title)}</h2>{body}</section>'


def _questions(data: ReportData) -> str:
    blocks = []
    for row in data.questions:
        level = row.level or "ungraded"
        score = "—" if row.score is None else f"{row.score:.0f}"
        points = "".join(
            f'<tr class="{p.status}"><td>{MARK.get(p.status, "?")} {escape(p.id)}</td>'
            f"<td>{escape(p.status)}</td><td>{escape(p.evidence)}</td></tr>"
            for p in row.key_points
        )
        misconceptions = "".join(
            f"<li>⚠ {escape(m.id)}: “{escape(m.evidence)}” → {escape(m.correction)}</li>"
            for m in row.misconceptions
        )
        blocks.append(
            f'<article class="question" id="q-{escape(row.question_id)}" '
            f'data-level="{escape(level)}" data-score="{score}">'
            f"<h3>{escape(row.question_id)} <span class=\"level-{escape(level)}\">{escape(level)}"
            f"</span> {score}</h3><p><em>{escape(row.question)}</em></p>"
            f"<table><tr><th>key point</th><th>status</th><th>evidence</th></tr>{points}</table>"
            + (f"<ul>{misconceptions}</ul>" if misconceptions else "")
            + "</article>"
        )
    return '<section id="questions"><h2>Questions</h2>' + "".join(blocks) + "</section>"


def _delivery(data: ReportData) -> str:
    d = data.delivery
    if d.timed:
        facts = (
            f"<p>{d.words} words in {d.speaking_seconds:.0f} s of speaking: "
            f"<strong>{d.words_per_minute or 0:.0f}</strong> words/min, "
            f"{d.fillers_per_minute or 0:.1f} fillers/min, {d.long_pauses} long pauses.</p>"
        )
    else:
        facts = '<p class="note">No word timings (typed or imported answers).</p>'
    notes = _items("delivery-notes", "Delivery notes", d.notes) if d.notes else ""
    return f'<section id="delivery"><h2>Delivery</h2>{facts}{notes}</section>'


def charts(data: ReportData) -> str:
    """The three charts: coverage per topic, score per question, pace over the session."""
    coverage = bar_chart(
        "chart-coverage",
        "Key-point coverage per topic",
        [(t.topic, round(t.coverage * 100), "#1565c0") for t in data.topics],
        unit="%",
    )
    scores = bar_chart(
        "chart-scores",
        "Score per question",
        [
            (r.question_id, r.score, LEVEL_COLOURS.get(r.level, "#9e9e9e"))
            for r in data.questions
            if r.score is not None
        ],
    )
    pace = line_chart(
        "chart-pace",
        "Pace over the session (words per minute per answer)",
        [(f"#{p.turn}", p.words_per_minute) for p in data.delivery.pace],
        band=COMFORTABLE_PACE,
        unit=" wpm",
        empty_message="No word timings in this session (typed or imported answers): no pace chart.",
    )
    return (
        '<section id="charts"><h2>Charts</h2>'
        f"<figure>{coverage}<figcaption>Coverage per topic</figcaption></figure>"
        f"<figure>{scores}<figcaption>Score per question</figcaption></figure>"
        f"<figure>{pace}<figcaption>Pace; the band is the comfortable 130–170 words/min"
        "</figcaption></figure></section>"
    )


def _summary(data: ReportData) -> str:
    """The closing feedback first, as the interviewer gave it; the per-question detail follows
    the charts."""
    lead = "".join(
        f'<p class="{cls}" id="{cls}">{escape(text)}</p>'
        for cls, text in (("verdict", data.verdict), ("self-review", data.self_review)) if text
    )
    return (
        f'<section id="summary"><h2>Summary</h2>{lead}'
        + _items("strengths", "What went well", data.strengths)
        + _items("gaps", "What to work on", data.gaps)
        + _items("advice", "What to practise", data.advice)
        + "</section>"
    )


class HtmlWriter:
    name = "html"
    suffix = ".html"

    def render(self, data: ReportData) -> str:
        meta = data.session
        score = "—" if data.overall_score is None else f"{data.overall_score:.0f}/100"
        notes = "".join(f'<p class="note">{escape(n)}</p>' for n in data.notes)
        assessment = (
            f'<section id="self-assessment"><h2>Your self-assessment</h2>'
            f"<blockquote>{escape(data.self_assessment)}</blockquote></section>"
            if data.self_assessment
            else ""
        )
        return (
            "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>voicecoach report {escape(meta['id'])}</title>"
            f"<style>{STYLE}</style></head><body>"
            f"<h1>Interview report</h1><p class=\"meta\">session <code>{escape(meta['id'])}</code>"
            f" · {escape(meta['created_at'][:16].replace('T', ' '))} · {escape(meta['status'])}"
            f' · overall <strong id="overall">{score}</strong></p>{notes}'
            + _summary(data)
            + charts(data)
            + _questions(data)
            + _delivery(data)
            + assessment
            + "</body></html>\n"
        )
