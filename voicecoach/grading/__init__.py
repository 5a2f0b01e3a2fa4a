"""Grading: key points with evidence, misconceptions, score and level, follow-up, delivery, summary.

``grade_answer`` is the entry point; everything it decides is explained in the returned grade.
"""

from voicecoach.grading.grader import grade_answer

__all__ = ["grade_answer"]
