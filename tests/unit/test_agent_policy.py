"""The rubric policy and the wording checks, on the real max-depth rubric with a transparent fake
grader (the real grader is exercised in tests/integration/test_agent_practice.py)."""

from __future__ import annotations

from dataclasses import replace

from tests.fixtures.agent import fake_grade
from voicecoach.agent.policy import ProbeRequest, RubricPolicy
from voicecoach.agent.wording import is_repeat, leaked_terms
from voicecoach.grading.models import FollowUp
from voicecoach.rubric.loader import RubricBank

VAGUE = "if the depth is too high the tree gets big and it will overfit"


def request_for(bank: RubricBank, answers: list[str], **kwargs: object) -> ProbeRequest:
    loaded = bank.get_rubric("max-depth")
    fields: dict[str, object] = {
        "loaded": loaded,
        "grade": fake_grade(loaded, " ".join(answers)),
        "answers": tuple(answers),
        "asked": (loaded.rubric.question,),
        "probed": (),
    }
    fields.update(kwargs)
    return ProbeRequest(**fields)  # type: ignore[arg-type]


def test_probes_the_missing_why_in_the_graders_words(real_bank: RubricBank) -> None:
    request = request_for(real_bank, [VAGUE])
    assert request.grade.followup is not None
    quoted = 'You said "it will overfit" — why would a deeper tree learn patterns you don\'t want?'
    grade = request.grade.model_copy(
        update={"followup": FollowUp(question=quoted, targets="learns-noise")}
    )
    decision = RubricPolicy().decide(replace(request, grade=grade))
    assert decision.action == "probe" and decision.targets == "learns-noise"
    assert decision.probe == quoted
    # a later probe uses the authored wording: the quote would be stale
    later = RubricPolicy().decide(replace(request, grade=grade, probed=("overfitting",)))
    point = real_bank["max-depth"].rubric.key_point("learns-noise")
    assert later.probe == point.probe


def test_never_probes_the_same_point_twice(real_bank: RubricBank) -> None:
    decision = RubricPolicy().decide(request_for(real_bank, [VAGUE], probed=("learns-noise",)))
    assert decision.targets != "learns-noise"


def test_moves_on_when_probes_are_spent(real_bank: RubricBank) -> None:
    request = request_for(real_bank, ["I don't know"], probed=("overfitting", "learns-noise"))
    decision = RubricPolicy().decide(request)
    assert decision.action == "next" and decision.probe is None


def test_moves_on_when_required_points_are_covered(real_bank: RubricBank) -> None:
    good = VAGUE + ", more complex, because it starts picking up on noise and memorizes the data"
    decision = RubricPolicy().decide(request_for(real_bank, [good]))
    assert decision.action == "next"


def test_correction_that_would_give_the_answer_away_waits(real_bank: RubricBank) -> None:
    wrong = "max depth is good because deeper trees are always more accurate"
    request = request_for(real_bank, [wrong])
    decision = RubricPolicy().decide(request)
    assert decision.action == "probe"
    # "past it the tree fits noise" would reveal learns-noise before the candidate tries
    assert decision.correction is None
    spent = request_for(real_bank, [wrong], probed=("overfitting", "learns-noise"))
    final = RubricPolicy().decide(spent)
    assert final.action == "next"
    assert final.correction and "noise" in final.correction
    assert final.corrected == ("deeper-always-better",)
    already = request_for(real_bank, [wrong], probed=("overfitting", "learns-noise"),
                          corrected=("deeper-always-better",))
    assert RubricPolicy().decide(already).correction is None


def test_leak_check_uses_the_rubric_and_allows_the_candidates_words(
    real_bank: RubricBank,
) -> None:
    rubric = real_bank["max-depth"].rubric
    point = rubric.key_point("learns-noise")
    question = rubric.question
    assert leaked_terms("Deeper trees memorise noise, right?", point, allowed=question) == [
        "memorise", "noise"
    ]
    assert leaked_terms("Why would a deeper tree learn patterns you don't want?", point,
                        allowed=question) == []
    assert leaked_terms("What noise do you mean?", point, allowed="it learns noise") == []


def test_repeat_detection() -> None:
    assert is_repeat("What does the depth control?", ["what does the depth of a tree control?"])
    assert not is_repeat("How would you pick the depth?", ["What does the depth control?"])


RUBRIC = """\
schema: voicecoach.rubric/v1
id: probe-rule
version: 1
topic: testing
question: "Why?"
key_points:
  - {id: a, weight: 1, description: First reason., accept: ["alpha"], probe: "What about a?"}
  - {id: b, weight: 1, description: Second reason., accept: ["beta"], probe: "What about b?"}
  - {id: c, weight: 3, required: false, description: A bonus., accept: ["gamma"],
     probe: "What about c?"}
"""


def test_the_grade_and_the_policy_pick_the_same_point(tmp_path) -> None:
    """One rule for the point to probe: required before optional, then weight, then a partial
    point before a missing one. (The grade used to propose the heavy optional point.)"""
    from voicecoach.grading.followup import propose_followup
    from voicecoach.grading.models import KeyPointGrade
    from voicecoach.rubric.loader import load_rubric

    path = tmp_path / "probe-rule.yaml"
    path.write_text(RUBRIC, encoding="utf-8")
    loaded = load_rubric(path)
    points = [
        KeyPointGrade(id="a", status="missing"),
        KeyPointGrade(id="b", status="partial", evidence="beta-ish"),
        KeyPointGrade(id="c", status="missing", required=False, weight=3),
    ]
    proposal = propose_followup(loaded.rubric, points)
    assert proposal is not None and proposal.targets == "b"
    grade = fake_grade(loaded, "").model_copy(update={"key_points": points, "followup": None})
    request = ProbeRequest(loaded=loaded, grade=grade, answers=("",), asked=("Why?",), probed=())
    assert RubricPolicy().decide(request).targets == "b"
    assert RubricPolicy().decide(replace(request, probed=("b",))).targets == "a"
