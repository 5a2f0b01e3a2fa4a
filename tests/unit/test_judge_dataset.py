"""The judge's training pairs: claims reworded in other authors' words (training/judge/dataset)."""

from __future__ import annotations

import json
from pathlib import Path

from training.judge.dataset import Pair, load_paraphrases, vary_claims
from voicecoach.rubric.loader import RubricBank

CLAIM = "A tree grown too deep overfits."
OTHER = ("Deep trees overfit.", "Growing a tree without limit makes it fit its training set "
         "too closely.")


def pairs(count: int) -> list[Pair]:
    return [Pair(CLAIM, f"window {n}", n % 4, "max-depth") for n in range(count)]


def test_about_the_share_of_claims_is_reworded_and_nothing_else_changes() -> None:
    before = pairs(1000)
    after = vary_claims(before, {("max-depth", CLAIM): OTHER}, seed=13, share=0.5)
    reworded = [a for a in after if a.claim != CLAIM]
    assert 400 < len(reworded) < 600
    assert {a.claim for a in reworded} == set(OTHER)
    assert [(a.window, a.label, a.question) for a in after] == \
        [(b.window, b.label, b.question) for b in before]


def test_rewording_is_deterministic_for_a_seed_and_skips_claims_without_wordings() -> None:
    table = {("max-depth", CLAIM): OTHER}
    assert vary_claims(pairs(50), table, 13, 0.5) == vary_claims(pairs(50), table, 13, 0.5)
    assert vary_claims(pairs(50), table, 13, 0.5) != vary_claims(pairs(50), table, 14, 0.5)
    assert vary_claims(pairs(50), {}, 13, 0.5) == pairs(50)
    assert vary_claims(pairs(50), table, seed=13) == pairs(50)  # the default: the rubric's words


def test_wordings_are_keyed_by_the_rubric_claim_and_stale_ids_are_skipped(
        bank: RubricBank, tmp_path: Path) -> None:
    rubric = bank["max-depth"].rubric
    point, mistake = rubric.key_points[0], rubric.misconceptions[0]
    lines = [
        {"question": "max-depth", "kind": "point", "id": point.id, "paraphrases": ["A", "B"]},
        {"question": "max-depth", "kind": "misconception", "id": mistake.id,
         "paraphrases": ["C"]},
        {"question": "max-depth", "kind": "point", "id": "no-such-point", "paraphrases": ["D"]},
        {"question": "no-such-question", "kind": "point", "id": "x", "paraphrases": ["E"]},
    ]
    (tmp_path / "one.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    table = load_paraphrases(bank, tmp_path)
    assert table == {("max-depth", point.description): ["A", "B"],
                     ("max-depth", mistake.claim): ["C"]}
