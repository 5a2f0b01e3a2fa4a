"""The end-of-session summary: the closing feedback plus delivery notes, stored with the session.

The closing feedback (verdict, self-assessment, ≤ 3 strengths, ≤ 3 gaps with their idea, 1–2
practice actions) is built by :mod:`voicecoach.feedback.closing` in the reference interviewer's
shape; the per-point detail (every key point with its evidence) is not repeated here, it is the
report's questions section. Built from the session's latest grades only, so a saved regrade
changes it predictably.
"""

from __future__ import annotations

from voicecoach.feedback.closing import closing_feedback
from voicecoach.feedback.delivery import delivery_notes
from voicecoach.rubric.loader import RubricBank
from voicecoach.session.models import Session, SessionSummary


def summarize(session: Session, bank: RubricBank) -> SessionSummary:
    """The closing feedback and the delivery notes of a session."""
    summary = closing_feedback(session, bank)
    summary.delivery = delivery_notes(session)
    return summary
