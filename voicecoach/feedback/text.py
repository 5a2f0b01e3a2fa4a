"""The closing feedback as words: written in full and spoken short, both in the reference
interviewer's order — verdict, your self-assessment, what went well, what to work on (with the
idea behind each gap), what to practise.

Both read the typed :class:`~voicecoach.session.models.SessionSummary`. The spoken version must
fit in ``SPOKEN_SECONDS`` at a calm ``SPOKEN_WPM``: it names the strengths and gaps and says as
many of the gaps' ideas as fit; the written version and the report carry the rest.
"""

from __future__ import annotations

from voicecoach.session.models import SessionSummary, SummaryItem

SPOKEN_SECONDS = 45.0
SPOKEN_WPM = 150.0  # slower than the default TTS rate (170), so the limit holds with margin
OPENING = "Thanks, that's the end of the interview."


def _names(items: list[SummaryItem]) -> str:
    names = [item.text.partition(": ")[0].lower().replace("ml ", "ML ") for item in items]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def words(text: str) -> int:
    return len(text.split())


def spoken_seconds(text: str) -> float:
    """How long ``text`` takes to say at ``SPOKEN_WPM``."""
    return words(text) * 60.0 / SPOKEN_WPM


def spoken_feedback(summary: SessionSummary) -> str:
    """The spoken closing: the verdict, then as much as fits in ``SPOKEN_SECONDS``, chosen in
    order of priority (self-assessment, strengths, gaps, one practice action, then each gap's
    idea) and said in the natural order."""
    budget = int(SPOKEN_SECONDS * SPOKEN_WPM / 60.0)
    ideas = [
        f"On {gap.text.partition(': ')[0].lower()}: {gap.idea.split('. ')[0].rstrip('.')}."
        for gap in summary.gaps if gap.idea
    ]
    # (position when said, priority when chosen, text)
    candidates = [
        (1, 1, summary.self_review),
        (2, 2, f"What went well: {_names(summary.strengths)}." if summary.strengths else ""),
        (3, 3, f"To work on: {_names(summary.gaps)}." if summary.gaps else ""),
        (9, 4, f"To practise: {summary.advice[0].text}" if summary.advice else ""),
        *[(4 + k, 5 + k, idea) for k, idea in enumerate(ideas)],
    ]
    chosen = [(0, f"{OPENING} {summary.verdict}".strip())]
    for position, _, text in sorted(candidates, key=lambda c: c[1]):
        if text and words(" ".join([t for _, t in chosen] + [text])) <= budget:
            chosen.append((position, text))
    return " ".join(text for _, text in sorted(chosen))


def written_feedback(summary: SessionSummary, score: float | None) -> str:
    """The written closing: verdict, self-assessment, strengths with a quote each, gaps with
    their idea, delivery notes, practice."""
    lines = ["", "Feedback" + (f" (overall {score:.0f}/100)" if score is not None else "")]
    lines += [f"  {text}" for text in (summary.verdict, summary.self_review) if text]
    sections = (("What went well", summary.strengths), ("What to work on", summary.gaps),
                ("Delivery", summary.delivery), ("What to practise", summary.advice))
    for title, items in sections:
        items = [item for item in items if item.text]
        if not items:
            continue
        lines.append(f"{title}:")
        for item in items:
            lines.append(f"  - {item.text}")
            if item.idea:
                lines.append(f"      the idea: {item.idea}")
            if item.evidence:
                lines.append(f'      you said: "{item.evidence}"')
    lines.append("  (Every key point with its evidence: `voicecoach report`.)")
    return "\n".join(lines)
