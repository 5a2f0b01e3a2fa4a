"""A list of terms strung without a single function word earns nothing; a spoken formula, dense
as it is, still counts (voicecoach/grading/guards.py). Sentences written for this test."""

from __future__ import annotations

import pytest

from voicecoach.grading import guards
from voicecoach.grading.normalize import split_sentences


@pytest.mark.parametrize("text", [
    "log p y y log p 1 - negative example negative log likelihood confident wrong term zero label",
    "centroid cluster elbow distance variance assignment iteration convergence squared 2 inertia",
])
def test_terms_without_a_function_word_are_a_list(text: str) -> None:
    assert guards.is_list_like(split_sentences(text)[0])


@pytest.mark.parametrize("text", [
    "minus y log p plus one minus y times log one minus p",
    "x one minus y one squared plus x two minus y two squared then square root",
    "It keeps splitting until each leaf holds a few samples, so it memorises the noise.",
])
def test_a_spoken_formula_or_a_sentence_is_not(text: str) -> None:
    assert not guards.is_list_like(split_sentences(text)[0])


def test_a_run_on_is_judged_chunk_by_chunk_so_its_explanation_is_read() -> None:
    """An unpunctuated spoken answer is one "sentence"; a run of fix names at its end once made
    the whole of it a list, and every point it explained was dropped with it."""
    from voicecoach.grading.judge.model import shared_model
    from voicecoach.grading.judge.verdicts import judge_grade
    from voicecoach.rubric.loader import load_bank

    rubric = load_bank()["vanishing-exploding-gradients"].rubric
    text = ("so basically when you backprop through a deep network the gradient gets multiplied "
            "by one factor for every layer and if those factors are smaller than one it shrinks "
            "toward zero so the early layers barely learn anything and if they are bigger than "
            "one it blows up and the updates go unstable and the fixes are relu batch norm "
            "residual connections gradient clipping careful init lstm gates")
    result = judge_grade(rubric, text, shared_model())
    (listed,) = result.ignored["list of terms, not an explanation"]
    assert listed in text and len(listed.split()) < len(text.split()) / 2
    assert "gradient clipping" in listed and "shrinks toward zero" not in listed
    status = {p.id: p.status for p in result.key_points}
    assert status["vanishing"] == "covered", status
    # a run-on made only of terms is still a list from end to end
    salad = " ".join(["relu batch norm residual connections gradient clipping lstm gates"] * 6)
    assert all(p.status == "missing" for p in judge_grade(rubric, salad, shared_model()).key_points)
