"""Rubric schema ``voicecoach.rubric/v1``: one interview question and how to grade answers to it.

A rubric is product content written by people who know ML, and it is also the grader's whole
configuration: key points with accepted phrasings and probes, misconceptions with corrections,
level thresholds and caps, and graded example answers that act as the rubric's own tests.

Phrasing patterns (``accept``, ``partial``, misconception ``patterns``) share one small syntax so
that authors can predict what matches:

* a pattern is a space-separated list of *terms*; it matches a sentence of the answer when every
  term occurs in that sentence (any order) after normalisation (lower case, punctuation dropped,
  spoken maths such as "x one minus y one" written as "x1 - y1", see ``grading.normalize``);
* a term may list alternatives with ``|`` (``noise|spurious``) and end with ``*`` to match a
  word prefix (``memori*`` matches "memorise", "memorizes");
* a term joined with ``_`` is a multi-word phrase that must appear contiguously
  (``training_set|train_set``).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA_ID = "voicecoach.rubric/v1"
KEBAB_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

Level = Literal["strong", "partial", "weak"]
LEVELS: tuple[Level, ...] = ("weak", "partial", "strong")
Severity = Literal["minor", "major"]
PointStatus = Literal["covered", "partial", "missing", "contradicted"]


class _Strict(BaseModel):
    """Base for rubric models: unknown keys are errors, so a typo never passes silently."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_kebab(value: str) -> str:
    if not KEBAB_ID.match(value):
        raise ValueError(f"{value!r} is not a kebab-case id (lowercase letters, digits, dashes)")
    return value


class KeyPoint(_Strict):
    """One thing a complete answer must say, how to recognise it, and how to probe for it."""

    id: str
    weight: float = Field(gt=0, description="relative importance; scores are weight-normalised")
    required: bool = True
    description: str = Field(min_length=1, description="what the point means, for humans")
    accept: list[str] = Field(
        default_factory=list,
        description="optional patterns that show the point is covered (the judge reads the "
        "description; patterns add precision where wording is fixed, e.g. spoken maths)",
    )
    partial: list[str] = Field(default_factory=list, description="patterns for a partial mention")
    probe: str | None = Field(None, description="follow-up asked when the point is missing")

    _kebab = field_validator("id")(_check_kebab)


class Misconception(_Strict):
    """A typical wrong claim, the patterns that detect it, and the short correction to give."""

    id: str
    claim: str = Field(min_length=1, description="the wrong claim in plain words")
    patterns: list[str] = Field(
        default_factory=list, description="optional patterns; the judge reads the claim"
    )
    severity: Severity = "minor"
    correction: str = Field(min_length=1, description="one-sentence correction, never a lecture")

    _kebab = field_validator("id")(_check_kebab)


class Thresholds(_Strict):
    """Minimum scores (0-100) for each level; anything below ``partial`` is weak."""

    strong: float = Field(70, ge=0, le=100)
    partial: float = Field(35, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.partial >= self.strong:
            raise ValueError(
                f"thresholds must be ordered: partial ({self.partial}) < strong ({self.strong})"
            )
        return self


class Caps(_Strict):
    """Ceilings applied after scoring, so one serious flaw cannot hide behind other points."""

    major_misconception: Level = Field("partial", description="best level with a major error")
    missing_required: Level = Field(
        "partial", description="best level with a required point missing"
    )
    major_misconception_score: float = Field(55, ge=0, le=100, description="score ceiling")
    # the level guide (training/judge/DATA.md): a wrong core claim is weak; in the labelled
    # answers, 193 of the 221 with a required point contradicted are weak, none strong
    contradicted_required: Level = Field(
        "weak", description="best level when the answer states the opposite of a required point"
    )


class LevelDescriptors(_Strict):
    """Human descriptions of what each level sounds like, shown in reports."""

    strong: str = ""
    partial: str = ""
    weak: str = ""


class Example(_Strict):
    """A graded example answer: the rubric's own test case."""

    text: str
    level: Level
    covers: list[str] = Field(default_factory=list, description="key point ids covered")
    misconceptions: list[str] = Field(default_factory=list, description="misconception ids")
    note: str = ""


class Rubric(_Strict):
    """One question of the bank with everything needed to ask, probe, grade and correct."""

    schema_: Literal["voicecoach.rubric/v1"] = Field("voicecoach.rubric/v1", alias="schema")
    id: str
    version: int = Field(ge=1)
    topic: str = Field(min_length=1)
    order: int = Field(100, description="position in a natural interview (fundamentals first)")
    question: str = Field(min_length=1, description="neutral: it claims nothing the candidate said")
    bridge: str = Field(
        "", description="lead-in used only when the candidate mentioned this topic, e.g. "
        "'You mentioned k-means.'"
    )
    mentions: list[str] = Field(
        default_factory=list, description="patterns that show the candidate mentioned the topic"
    )
    clarify: str = Field("", description="one-line clarification when asked what is meant")
    hint: str = Field("", description="one hint after a first 'I don't know'")
    teach: str = Field(
        "", description="one- or two-sentence correct answer given after a second 'I don't know'"
    )
    tracks: list[str] = Field(default_factory=list, description="practice tracks it belongs to")
    case: str = Field("", description="id of the multi-stage design case this is a stage of")
    stage: str = Field("", description="stage name within the case (framing, label, row, ...)")
    reference_answer: str = ""
    key_points: list[KeyPoint] = Field(min_length=1)
    misconceptions: list[Misconception] = Field(default_factory=list)
    thresholds: Thresholds = Field(default_factory=Thresholds)
    caps: Caps = Field(default_factory=Caps)
    levels: LevelDescriptors = Field(default_factory=LevelDescriptors)
    examples: list[Example] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    _kebab = field_validator("id")(_check_kebab)

    def key_point(self, point_id: str) -> KeyPoint:
        """Return the key point with this id (KeyError if the rubric has none)."""
        for point in self.key_points:
            if point.id == point_id:
                return point
        raise KeyError(point_id)

    def misconception(self, misconception_id: str) -> Misconception:
        """Return the misconception with this id (KeyError if the rubric has none)."""
        for item in self.misconceptions:
            if item.id == misconception_id:
                return item
        raise KeyError(misconception_id)
