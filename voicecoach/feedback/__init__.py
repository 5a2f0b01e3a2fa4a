"""Session-level feedback, above ``session/``: the closing summary, delivery over the session, and
the written and spoken feedback text.

It reads a :class:`~voicecoach.session.models.Session` (its latest grades and timed answers) and
never grades: grading one answer is ``voicecoach.grading``'s job.
"""

from voicecoach.feedback.summary import summarize

__all__ = ["summarize"]
