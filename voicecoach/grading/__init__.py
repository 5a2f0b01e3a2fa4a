"""Grading one answer: key points with evidence, misconceptions, score and level, follow-up,
delivery metrics.

``grade_answer`` is the entry point; graders are chosen from ``grading.registry`` (``patterns``,
``llm``, ``judge``) and everything they decide is explained in the returned grade.
"""

from voicecoach.grading.grader import AnswerGrader, answer_grader, grade_answer

__all__ = ["AnswerGrader", "answer_grader", "grade_answer"]
