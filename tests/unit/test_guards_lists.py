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
