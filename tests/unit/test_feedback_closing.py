"""Closing feedback (feedback/closing.py): verdict, self-assessment, ≤ 3 strengths with quotes,
≤ 3 gaps with their idea, 1–2 practice actions. Grades come from the transparent fake grader on
the real bank, so each expectation can be read off the answers."""

from __future__ import annotations

import pytest

from tests.fixtures.agent import fake_grade
from voicecoach.feedback.closing import (
    MAX_GAPS,
    MAX_STRENGTHS,
    PRACTICE,
    closing_feedback,
    verdict_for,
)
from voicecoach.grading.models import Grade
from voicecoach.rubric.loader import RubricBank

KMEANS = ("you choose k, the number of clusters, and place k centroids at random. then you "
          "assign each point to the nearest centroid and move each centroid to the mean of "
          "its points, and repeat until convergence. it minimizes the within_cluster sum.")
DEPTH = ("max depth limits how deep the tree can grow, which limits its complexity. a deeper "
         "tree can overfit: the leaves hold a few samples so it memorizes the noise.")


def grades(bank: RubricBank, answers: dict[str, str]) -> dict[str, Grade]:
    return {q: fake_grade(bank[q], text) for q, text in answers.items()}


def test_verdict_is_against_a_bar() -> None:
    assert "borderline for an ML engineer role" in verdict_for(69)
    assert "above the bar" in verdict_for(85)
    assert "below the bar" in verdict_for(40)
    assert "nothing to judge" in verdict_for(None)


def test_an_unanswered_question_counts_as_zero_and_is_a_gap_with_its_idea(
    real_bank: RubricBank,
) -> None:
    graded = grades(real_bank, {"kmeans": KMEANS})
    assert graded["kmeans"].level == "strong"
    closing = closing_feedback(["kmeans", "max-depth"], graded, real_bank, None)
    assert closing.score == pytest.approx(graded["kmeans"].score / 2, abs=0.1)
    assert [g.topic for g in closing.gaps] == ["trees"]
    assert closing.gaps[0].ideas == (real_bank["max-depth"].rubric.teach,)
    assert [s.topic for s in closing.strengths] == ["clustering"]
    quote = closing.strengths[0].quote
    assert quote and quote.removesuffix(" …") in KMEANS  # verbatim (a long one is cut)
    assert closing.practice[0].text == PRACTICE["trees"]
    assert closing.self_assessment == ""


def test_at_most_three_of_each_and_the_practical_question_keeps_a_slot(
    real_bank: RubricBank,
) -> None:
    weak = {q: "I am not sure about this one at all really" for q in (
        "binary-cross-entropy", "gini-impurity", "backpropagation", "gradient-descent",
        "regularization")}
    answers = {**weak, "kmeans": KMEANS, "max-depth": DEPTH,
               "recommendation-framing": ("predict the probability that the user buys the "
                                          "product and rank the products by it")}
    graded = grades(real_bank, answers)
    closing = closing_feedback(list(answers), graded, real_bank, None)
    assert len(closing.gaps) == MAX_GAPS and len(closing.strengths) <= MAX_STRENGTHS
    assert "ml-design" in [g.topic for g in closing.gaps]
    assert 1 <= len(closing.practice) <= 2
    assert {p.topic for p in closing.practice} <= {g.topic for g in closing.gaps}
    assert not {s.topic for s in closing.strengths} & {g.topic for g in closing.gaps}
    for gap in closing.gaps:
        assert gap.ideas and all(idea.endswith(".") for idea in gap.ideas)


def test_a_serious_misconception_is_corrected_in_the_gap(real_bank: RubricBank) -> None:
    graded = grades(real_bank, {"max-depth": "deeper is better, the deeper the better"})
    assert graded["max-depth"].misconceptions
    closing = closing_feedback(["max-depth"], graded, real_bank, None)
    correction = real_bank["max-depth"].rubric.misconception("deeper-always-better").correction
    assert closing.gaps[0].ideas == (correction,)


def test_self_assessment_is_compared_topic_by_topic(real_bank: RubricBank) -> None:
    graded = grades(real_bank, {"kmeans": KMEANS, "max-depth": "it is a parameter"})
    said = "I think the k-means part went well but I need to review decision trees."
    closing = closing_feedback(["kmeans", "max-depth"], graded, real_bank, said)
    assert "clustering went well, and the grades agree" in closing.self_assessment
    assert "right that trees needs work" in closing.self_assessment


def test_self_assessment_without_topics_is_compared_overall(real_bank: RubricBank) -> None:
    graded = grades(real_bank, {"kmeans": KMEANS, "max-depth": DEPTH})
    closing = closing_feedback(["kmeans", "max-depth"], graded, real_bank,
                               "Honestly I think I did badly, I need to work on everything.")
    assert closing.self_assessment.startswith("You were harder on yourself than the grades")
    poor = grades(real_bank, {"kmeans": "it groups things", "max-depth": "it is a parameter"})
    closing = closing_feedback(["kmeans", "max-depth"], poor, real_bank,
                               "I was confident, I think I nailed it.")
    assert closing.self_assessment.startswith("You were more confident than the grades")
