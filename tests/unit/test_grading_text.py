"""Normalisation (spoken maths, ASR spellings, fillers), sentences and the pattern matcher."""

from __future__ import annotations

import pytest

from voicecoach.grading.normalize import (
    MAX_SENTENCE_WORDS,
    merge_fragments,
    normalize,
    sentence_texts,
    split_sentences,
)
from voicecoach.grading.patterns import compile_pattern


@pytest.mark.parametrize(
    ("spoken", "normal"),
    [
        ("the square root of x one minus y one squared", "the square root of x1 - y1 squared"),
        ("x sub one minus y sub one", "x1 - y1"),
        ("x1-y1", "x1 - y1"),
        ("an L two or How one term", "an l2 or l1 term"),
        ("the gene impurity is zero point five", "the gini impurity is 0.5"),
        ("it'll over fit, um, the data", "it'll overfit the data"),
        ("K-means and k means", "kmeans and kmeans"),
        ("twenty five layers", "25 layers"),
        ("add a texture term", "add a extra term"),
        ("it, like, memorises", "it memorises"),
        ("it looks like a tree", "it looks like a tree"),
        ("x\u00b2 and y^2", "x squared and y squared"),
    ],
)
def test_normalize_spoken_maths_and_asr_spellings(spoken: str, normal: str) -> None:
    assert normalize(spoken) == normal


def test_sentences_keep_offsets_into_the_original_text() -> None:
    text = "Um, it overfits. E.g. a deep tree, i.e. depth 20, fits 0.5 noise!  Then?"
    sentences = split_sentences(text)
    assert [s.text for s in sentences] == [
        "Um, it overfits.", "E.g. a deep tree, i.e. depth 20, fits 0.5 noise!", "Then?"
    ]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text


def test_fragments_are_merged_into_one_verbatim_sentence() -> None:
    text = "Noise. Depth. Leaves. Then a real sentence about it."
    merged = merge_fragments(text, split_sentences(text))
    assert [s.text for s in merged] == ["Noise. Depth. Leaves.", "Then a real sentence about it."]


def matches(pattern: str, text: str) -> list[str]:
    return [m.sentence.text for m in compile_pattern(pattern).search(split_sentences(text))]


def test_terms_must_co_occur_in_one_sentence_any_order() -> None:
    assert matches("noise memori*", "It memorizes the noise.") == ["It memorizes the noise."]
    assert matches("noise memori*", "It memorizes. There is noise.") == []


def test_alternatives_prefixes_and_phrases() -> None:
    assert matches("training_set|train_set noise", "noise in the training set") != []
    assert matches("training_set noise", "the set of training noise") == []
    assert matches("overfit*|over_fit*", "it will over fit") != []
    assert matches("l1|l_one|how_one|lasso", "an L two or How one term") != []
    assert matches("gini|genie impurity", "the gene impurity") != []


def test_spoken_and_written_maths_are_the_same_pattern() -> None:
    for text in ("x one minus y one", "x1 - y1", "x sub one minus y sub one", "x1-y1"):
        assert matches("x_one minus y_one", text) != [], text
        assert matches("x1 - y1", text) != [], text


def test_negation_blocks_a_term_unless_the_pattern_names_it() -> None:
    assert matches("learn* noise", "It does NOT learn the noise.") == []
    assert matches("learn* noise", "It doesn't really learn noise.") == []
    assert matches("learn* noise", "Not only does it learn the noise.") != []
    # a negation in an earlier clause does not reach
    assert matches("learn* noise", "If you don't limit it, it learns the noise.") != []
    # the pattern asks for the negation itself: "no labels" still counts
    assert matches("no|without label*|labels", "There are no labels.") != []


def test_terms_take_distinct_words() -> None:
    assert matches("deep* deep*", "a deep tree") == []
    assert matches("deep* deep*", "a deep tree is deeper") != []


def test_an_unfinished_sentence_before_a_new_one_is_split() -> None:
    # follow-up turns are joined with a space; evidence must not straddle the join
    text = "Type it out, or\u2014 So, all right, it has labels. The\u2014 the model."
    assert [s.text for s in split_sentences(text)] == [
        "Type it out, or\u2014", "So, all right, it has labels.", "The\u2014 the model."
    ]


def test_a_stop_keeps_its_closing_quote() -> None:
    text = 'He said "it overfits." Then he stopped.'
    assert sentence_texts(text) == ['He said "it overfits."', "Then he stopped."]


def test_an_unpunctuated_run_is_cut_into_bounded_sentences_at_clause_boundaries() -> None:
    clause = "the tree keeps splitting until every leaf is pure and "
    text = clause * 60  # 600 words, no sentence end
    sentences = split_sentences(text)
    sizes = [len(s.text.split()) for s in sentences]
    assert max(sizes) <= MAX_SENTENCE_WORDS and sum(sizes) == 600
    assert all(s.text.split()[0] == "and" for s in sentences[1:])  # cut before a clause word
    assert all(text[s.start:s.end] == s.text for s in sentences)  # still verbatim
    short = "a deep tree keeps splitting and it ends up learning the noise in the data"
    assert [s.text for s in split_sentences(short)] == [short]  # real sentences are untouched


def test_alternatives_are_found_through_the_word_index() -> None:
    [sentence] = split_sentences("it memorizes noise and then it memorises more noise")
    assert compile_pattern("memori* more_noise").match(sentence) is not None
    assert compile_pattern("noise_and_then").match(sentence) is not None
    assert compile_pattern("more_noise_again").match(sentence) is None
