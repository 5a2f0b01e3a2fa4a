"""The closing feedback as words: written in full (every item with its evidence) and spoken short.

Both read the typed :class:`~voicecoach.session.models.SessionSummary`, so a field the summary
gains is there for both.
"""

from __future__ import annotations

from voicecoach.session.models import SessionSummary, SummaryItem

SECTIONS: tuple[tuple[str, str], ...] = (
    ("strengths", "What went well"),
    ("gaps", "What was missing"),
    ("delivery", "Delivery"),
    ("advice", "What to practise"),
)


def _items(summary: SessionSummary, section: str) -> list[SummaryItem]:
    items: list[SummaryItem] = getattr(summary, section)
    return [item for item in items if item.text]


def _said(item: SummaryItem) -> str:
    """An item's text as said aloud: without the "topic: " label the written feedback groups by
    (read out, "trees: Max depth limits…" sounds like a list, not a person) and without the
    final period (items are joined with "; ")."""
    text = item.text
    if item.topic and text.lower().startswith(f"{item.topic.lower()}: "):
        text = text[len(item.topic) + 2:]
    return text.rstrip(". ")


def spoken_feedback(summary: SessionSummary, per_section: int = 2) -> str:
    """The short spoken version: a couple of strengths, gaps and one piece of advice."""
    parts = ["Thanks — that's the end of the interview. Here's my feedback."]
    strengths = [t for t in map(_said, _items(summary, "strengths")) if t][:per_section]
    gaps = [t for t in map(_said, _items(summary, "gaps")) if t][:per_section]
    advice = [t for t in map(_said, _items(summary, "advice")) if t][:1]
    if strengths:
        parts.append("What went well: " + "; ".join(strengths) + ".")
    if gaps:
        parts.append("What was missing: " + "; ".join(gaps) + ".")
    if advice:
        parts.append("What to practise: " + advice[0].rstrip(".") + ".")
    parts.append("The full written feedback is saved with the session.")
    return " ".join(part.replace("..", ".") for part in parts)


def written_feedback(summary: SessionSummary, score: float | None) -> str:
    """The written feedback: every strength, gap, delivery note and advice item with evidence."""
    lines = ["", "Feedback" + (f" (overall {score:.0f}/100)" if score is not None else "")]
    for section, title in SECTIONS:
        items = _items(summary, section)
        if not items:
            continue
        lines.append(f"{title}:")
        for item in items:
            where = f" [{item.question_id}]" if item.question_id else ""
            lines.append(f"  - {item.text}{where}")
            if item.evidence:
                lines.append(f'      evidence: "{item.evidence}"')
    return "\n".join(lines)
