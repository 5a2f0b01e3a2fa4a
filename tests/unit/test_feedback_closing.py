"""Closing feedback (feedback/result.py): verdict, self-assessment, ≤ 3 strengths with quotes,
≤ 3 gaps with their idea, 1–2 practice actions. Grades come from the transparent fake grader on
the real bank, so each expectation can be read off the answers."""

from __future__ import annotations

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
from voicecoach.session.models import Session, SessionSummary, Turn

KMEANS = ("you choose k, the number of clusters, and place k centroids at random. then you "
          "assign each point to the nearest centroid and move each centroid to the mean of "
          "its points, and repeat until convergence. it minimizes the within_cluster sum.")
DEPTH = ("max depth limits how deep the tree can grow, which limits its complexity. a deeper "
         "tree can overfit: the leaves hold a few samples so it memorizes the noise.")


def grades(bank: RubricBank, answers: dict[str, str]) -> dict[str, Grade]:
    return {q: fake_grade(bank[q], text) for q, text in answers.items()}


def closing(asked: list[str], graded: dict[str, Grade], bank: RubricBank,
            said: str | None) -> SessionSummary:
    """A session that asked ``asked``; the ungraded ones ended in two don't-knows."""
    from voicecoach.session.moves import MoveRecord

    session = Session(id="s", self_assessment=said)
    for index, question_id in enumerate(asked):
        turn = Turn(index=index, kind="question", question_id=question_id, prompt="?",
                    grade=graded.get(question_id))
        if question_id not in graded:
            turn.moves = [MoveRecord(kind="dont_know", text="I don't know.")] * 2
        session.turns.append(turn)
    return closing_feedback(session, bank)


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
    result = closing(["kmeans", "max-depth"], graded, real_bank, None)
    assert "below the bar" in result.verdict  # the unanswered question counts as zero
    assert [g.topic for g in result.gaps] == ["trees"]
    assert result.gaps[0].idea == real_bank["max-depth"].rubric.teach
    assert [s.topic for s in result.strengths] == ["clustering"]
    quote = result.strengths[0].evidence
    assert quote and quote.removesuffix(" …") in KMEANS  # verbatim (a long one is cut)
    assert result.advice[0].text == PRACTICE["trees"]
    assert result.self_review == ""


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
    result = closing(list(answers), graded, real_bank, None)
    assert len(result.gaps) == MAX_GAPS and len(result.strengths) <= MAX_STRENGTHS
    assert "ml-design" in [g.topic for g in result.gaps]
    assert 1 <= len(result.advice) <= 2
    assert {p.topic for p in result.advice} <= {g.topic for g in result.gaps}
    for gap in result.gaps:
        assert gap.idea.endswith(".")


def test_a_serious_misconception_is_corrected_in_the_gap(real_bank: RubricBank) -> None:
    graded = grades(real_bank, {"max-depth": "deeper is better, the deeper the better"})
    assert graded["max-depth"].misconceptions
    result = closing(["max-depth"], graded, real_bank, None)
    correction = real_bank["max-depth"].rubric.misconception("deeper-always-better").correction
    assert result.gaps[0].idea == correction


def test_self_assessment_is_compared_topic_by_topic(real_bank: RubricBank) -> None:
    graded = grades(real_bank, {"kmeans": KMEANS, "max-depth": "it is a parameter"})
    said = "I think the k-means part went well but I need to review decision trees."
    result = closing(["kmeans", "max-depth"], graded, real_bank, said)
    assert "clustering went well, and the grades agree" in result.self_review
    assert "right that trees needs work" in result.self_review


def test_self_assessment_without_topics_is_compared_overall(real_bank: RubricBank) -> None:
    graded = grades(real_bank, {"kmeans": KMEANS, "max-depth": DEPTH})
    result = closing(["kmeans", "max-depth"], graded, real_bank,
                               "Honestly I think I did badly, I need to work on everything.")
    assert result.self_review.startswith("You were harder on yourself than the grades")
    poor = grades(real_bank, {"kmeans": "it groups things", "max-depth": "it is a parameter"})
    result = closing(["kmeans", "max-depth"], poor, real_bank,
                               "I was confident, I think I nailed it.")
    assert result.self_review.startswith("You were more confident than the grades")
