"""The answer's level learnt from the judge's probabilities, not only from its point statuses.

The rubric's arithmetic (weighted credit of each point's status against the 70 / 35 thresholds)
throws away how sure the judge was: a point at P(covered) 0.44 counts as nothing, one at 0.46 as
everything. Measured on the labelled answers, a multinomial logistic regression over a few
answer-level features of the same verdicts and probabilities agrees with the labels more often
(``benchmarks/README.md``, "Key-point judge"): the expected credit, the weighted best P(covered)
and P(covered)+P(partial), the weakest required point, the strongest single-sentence
contradiction, what the guards set aside, the answer's length and the rubric's own score.

The weights live in ``data/level.json`` beside the model, fitted on the ``dev`` split (questions
the judge never trained on) by ``training/judge/fit_level.py``; a grade records their sha256.
The hard caps stay with the rubric: a major misconception or an order to the grader still caps the
level (``grading.score``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from voicecoach.errors import ConfigError
from voicecoach.grading.judge.model import DATA_DIR, LABELS
from voicecoach.grading.models import KeyPointGrade
from voicecoach.grading.score import CREDIT
from voicecoach.rubric.schema import LEVELS, Level

LEVEL_FILE = "level.json"
_COVERED, _PARTIAL, _CONTRADICTED = (LABELS.index(n) for n in ("covered", "partial",
                                                               "contradicted"))
# one point's evidence: what its windows' probabilities say, over the windows the judge read
POINT_FEATURES = ("best_covered", "best_covered_or_partial", "best_partial",
                  "single_sentence_contradicted", "two_best_covered")
FEATURES = (
    "expected_credit", "weighted_best_covered", "weighted_best_covered_or_partial",
    "weakest_required_covered", "weakest_required_covered_or_partial",
    "strongest_required_contradicted", "strongest_contradicted", "weighted_two_best_covered",
    "share_covered", "share_covered_or_partial", "required_contradicted", "major_misconception",
    "addresses_grader", "guards_set_aside", "log_words", "rubric_score",
)


def point_evidence(probs: npt.NDArray[np.float32], single: npt.NDArray[np.bool_]
                   ) -> npt.NDArray[np.float64]:
    """The :data:`POINT_FEATURES` of one point from its ``(windows, labels)`` probabilities;
    ``single`` marks the single-sentence windows (a contradiction is read from those only)."""
    if len(probs) == 0:
        return np.zeros(len(POINT_FEATURES))
    covered = probs[:, _COVERED]
    contradicted = float(probs[single, _CONTRADICTED].max()) if single.any() else 0.0
    return np.array([covered.max(), (covered + probs[:, _PARTIAL]).max(),
                     probs[:, _PARTIAL].max(), contradicted, np.sort(covered)[-2:].mean()])


@dataclass(frozen=True)
class AnswerFacts:
    """What the level is learnt from, besides each point's verdict and evidence."""

    major_misconception: bool
    addresses_grader: bool
    guards_set_aside: bool
    words: int
    rubric_score: float  # 0-100, the rubric's arithmetic


def answer_features(points: Sequence[KeyPointGrade], evidence: Sequence[npt.NDArray[np.float64]],
                    facts: AnswerFacts) -> npt.NDArray[np.float64]:
    """The :data:`FEATURES` of one answer (one definition for fitting and grading)."""
    weight = np.array([p.weight for p in points], dtype=np.float64)
    weight /= weight.sum() or 1.0
    required = np.array([p.required for p in points], dtype=bool)
    if not required.any():
        required[:] = True
    f = np.array(evidence, dtype=np.float64).reshape(len(points), len(POINT_FEATURES))
    status = [p.status for p in points]
    share = len(status) or 1
    return np.array([
        float((weight * np.array([CREDIT[s] for s in status])).sum()),
        float((weight * f[:, 0]).sum()), float((weight * f[:, 1]).sum()),
        float(f[required, 0].min()), float(f[required, 1].min()),
        float(f[required, 3].max()), float(f[:, 3].max()), float((weight * f[:, 4]).sum()),
        sum(s == "covered" for s in status) / share,
        sum(s in ("covered", "partial") for s in status) / share,
        float(any(p.status == "contradicted" and p.required for p in points)),
        float(facts.major_misconception), float(facts.addresses_grader),
        float(facts.guards_set_aside), float(np.log1p(facts.words) / 5),
        facts.rubric_score / 100,
    ])


@dataclass(frozen=True)
class LevelModel:
    """A fitted multinomial logistic regression: standardize, one linear score per level."""

    mean: npt.NDArray[np.float64]
    std: npt.NDArray[np.float64]
    weights: npt.NDArray[np.float64]  # (1 + features, levels): bias row first
    fitted: dict[str, object]  # what it was fitted on (split, answers, judge sha256, command)
    sha256: str = ""

    def level(self, features: npt.NDArray[np.float64]) -> Level:
        z = np.concatenate([[1.0], (features - self.mean) / self.std])
        return LEVELS[int(np.argmax(z @ self.weights))]

    def to_json(self) -> str:
        return json.dumps({
            "features": list(FEATURES), "levels": list(LEVELS), "mean": self.mean.tolist(),
            "std": self.std.tolist(), "weights": self.weights.tolist(), "fitted": self.fitted,
        }, indent=1) + "\n"

    @classmethod
    def read(cls, path: Path) -> LevelModel:
        """The model in ``path``; a clear error naming it when it does not fit this code."""
        try:
            raw = path.read_bytes()
            data = json.loads(raw)
            if data["features"] != list(FEATURES) or data["levels"] != list(LEVELS):
                raise ValueError("its features or levels are not this version's")
            model = cls(np.array(data["mean"], float), np.array(data["std"], float),
                        np.array(data["weights"], float), dict(data.get("fitted", {})),
                        hashlib.sha256(raw).hexdigest())
            if model.weights.shape != (len(FEATURES) + 1, len(LEVELS)) or \
                    model.mean.shape != (len(FEATURES),) or model.std.shape != model.mean.shape:
                raise ValueError(f"weights of shape {model.weights.shape}")
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise ConfigError(f"cannot read the judge's level model {path}: {error}; rebuild it "
                              "with `.venv/bin/python training/judge/fit_level.py`") from None
        return model


def installed_level_model(directory: Path = DATA_DIR) -> LevelModel | None:
    """The shipped level model, or None where none is installed (the rubric's arithmetic then
    decides, as before)."""
    path = directory / LEVEL_FILE
    return LevelModel.read(path) if path.is_file() else None
