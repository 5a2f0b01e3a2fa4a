"""Follow-up policies: after each graded answer, probe the missing piece or move on.

The rubric policy is the default and needs nothing but the rubric: it probes the most important
required key point that is still not covered, with the probe the rubric author wrote — on the
first probe in the grader's wording, which opens with a short verbatim quote of the candidate
("You said "it will overfit" — why …") — at most ``max_probes`` times per question, and never
probes the same point twice. A misconception the candidate stated gets a
one-sentence correction — unless that correction would give away a point still to be probed, in
which case it waits until the question is over. Other policies (the LLM one) reuse its decision and
only change the wording.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from voicecoach.agent.wording import leaked_terms
from voicecoach.grading.followup import probe_candidates, uncovered_required
from voicecoach.grading.models import Grade, KeyPointGrade
from voicecoach.rubric.loader import LoadedRubric
from voicecoach.rubric.schema import KeyPoint

Action = Literal["probe", "next"]


@dataclass(frozen=True)
class ProbeRequest:
    """Everything a policy may look at for one question so far."""

    loaded: LoadedRubric
    grade: Grade  # grade of all the candidate's answers to this question together
    answers: tuple[str, ...]  # what the candidate said, per turn, in order
    asked: tuple[str, ...]  # what the interviewer said for this question, in order
    probed: tuple[str, ...]  # key point ids already probed
    corrected: tuple[str, ...] = ()  # misconception ids already corrected
    max_probes: int = 2


@dataclass(frozen=True)
class Decision:
    """What to do next. ``say`` is the full utterance (correction + probe) when probing."""

    action: Action
    policy: str
    probe: str | None = None  # the follow-up question itself
    targets: str | None = None  # key point id the probe is about
    correction: str | None = None  # a short correction said first (or before moving on)
    corrected: tuple[str, ...] = ()  # misconception ids this decision corrects
    fallback_reason: str | None = None  # set when a policy fell back to the rubric probe
    details: dict[str, float] = field(default_factory=dict)  # e.g. llm seconds

    @property
    def say(self) -> str:
        """What the interviewer says for this decision (may be empty when moving on)."""
        parts = [self.correction]
        if self.action == "probe":
            parts.append(self.probe)
        return " ".join(part for part in parts if part)


class FollowUpPolicy(Protocol):
    """Decides, from the accumulated grade of one question, whether to probe and what to ask."""

    name: str

    def decide(self, request: ProbeRequest) -> Decision: ...


def choose_target(request: ProbeRequest) -> tuple[KeyPoint, KeyPointGrade] | None:
    """The point to probe next: the first of grading's :func:`probe_candidates` (the rule the
    grade's own proposal follows), leaving out points this question has already probed."""
    candidates = probe_candidates(
        request.loaded.rubric, request.grade.key_points, request.probed
    )
    return candidates[0] if candidates else None


class RubricPolicy:
    """The offline default: authored probes for missing required points, brief corrections."""

    name = "rubric"

    def __init__(self, *, quote: bool = True) -> None:
        self.quote = quote  # use the grader's wording, which quotes the candidate's own words

    def correction_for(self, request: ProbeRequest, *, moving_on: bool) -> tuple[str | None,
                                                                              tuple[str, ...]]:
        """The correction to say now for misconceptions not yet corrected, and their ids.

        While points remain to be probed, a correction that uses their answer words waits: the
        candidate should get the chance to find the answer first.
        """
        rubric = request.loaded.rubric
        pending = [point for point, _ in uncovered_required(rubric, request.grade.key_points)]
        for hit in request.grade.misconceptions:
            if hit.id in request.corrected:
                continue
            try:
                text = hit.correction or rubric.misconception(hit.id).correction
            except KeyError:
                continue
            allowed = " ".join((rubric.question, *request.answers))
            if not moving_on and any(leaked_terms(text, p, allowed=allowed) for p in pending):
                continue
            return text, (hit.id,)
        return None, ()

    def decide(self, request: ProbeRequest) -> Decision:
        probes_used = len(request.probed)
        target = choose_target(request) if probes_used < request.max_probes else None
        if target is None:
            correction, ids = self.correction_for(request, moving_on=True)
            return Decision("next", self.name, correction=correction, corrected=ids)
        point, _ = target
        assert point.probe is not None  # choose_target only returns points with a probe
        probe = point.probe
        proposal = request.grade.followup
        if self.quote and not request.probed and proposal and proposal.targets == point.id:
            # the quote is cut from this question's first answer; later probes would repeat it
            probe = proposal.question
        correction, ids = self.correction_for(request, moving_on=False)
        return Decision(
            "probe", self.name, probe=probe, targets=point.id, correction=correction,
            corrected=ids,
        )


def with_fallback(decision: Decision, reason: str) -> Decision:
    """The rubric decision, marked as a fallback from another policy."""
    return replace(decision, fallback_reason=reason)
