"""The LLM follow-up policy: the rubric decides *whether* and *what* to probe, the LLM words it.

No LLM small enough to ship can lead an interview (DESIGN.md), so the LLM only proposes the
wording of a probe the rubric policy already chose, through a prompt template from ``prompts/``
and structured output into a pydantic model. Every proposal is validated — one question, short,
about the targeted point, not giving the answer away, not a repeat — and anything invalid, slow
or failed becomes the rubric's own probe with a ``fallback`` reason. The interview never stops
because of the LLM.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from voicecoach.agent.policy import Decision, ProbeRequest, RubricPolicy, with_fallback
from voicecoach.agent.wording import content_words, is_repeat, leaked_terms
from voicecoach.grading.normalize import sentence_texts, stem, words
from voicecoach.llm.calls import LlmTimeout, call_with_timeout, failure_reason
from voicecoach.llm.prompts import PromptTemplate
from voicecoach.rubric.schema import KeyPoint

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

MAX_WORDS = 30
MAX_CHARS = 220
MIN_WORDS = 4


class FollowUpProposal(BaseModel):
    """One follow-up question for the candidate."""

    question: str = Field(
        description="a single short follow-up question ending with '?'", max_length=MAX_CHARS
    )


def validate_probe(text: str, point: KeyPoint, request: ProbeRequest) -> list[str]:
    """Why a proposed probe must not be asked (empty list: it may)."""
    rubric = request.loaded.rubric
    text = text.strip()
    problems: list[str] = []
    n_words = len(words(text))
    if not text.endswith("?") or len(sentence_texts(text)) != 1 or "\n" in text:
        problems.append("not a single question ending in '?'")
    if n_words > MAX_WORDS or len(text) > MAX_CHARS:
        problems.append(f"too long ({n_words} words)")
    if n_words < MIN_WORDS:
        problems.append(f"too short ({n_words} words)")
    topic = {stem(w) for w in content_words(f"{point.description} {point.probe or ''}")}
    if not topic & {stem(w) for w in content_words(text)}:
        problems.append(f"not about the targeted point {point.id!r}")
    allowed = " ".join((rubric.question, point.probe or "", *request.answers))
    if leaked := leaked_terms(text, point, allowed=allowed):
        problems.append(f"reveals the answer ({', '.join(leaked)})")
    if is_repeat(text, [rubric.question, *request.asked]):
        problems.append("repeats an earlier question")
    return problems


class LlmPolicy:
    """Rubric decisions, LLM wording, validated; the rubric probe whenever the LLM falls short."""

    def __init__(
        self,
        model: BaseChatModel,
        prompt: PromptTemplate,
        *,
        label: str = "llm",
        timeout: float = 8.0,
        rubric_policy: RubricPolicy | None = None,
    ) -> None:
        self.model, self.prompt, self.timeout = model, prompt, timeout
        self.name = label
        self.rubric_policy = rubric_policy or RubricPolicy()
        self._structured = model.with_structured_output(
            FollowUpProposal, method="function_calling"
        )

    def propose(self, request: ProbeRequest, point: KeyPoint) -> str:
        """Ask the LLM for a probe; returns its raw question text."""
        system, user = self.prompt.render(
            question=request.loaded.rubric.question,
            point_description=point.description,
            authored_probe=point.probe or "",
            answers=list(request.answers),
            asked=list(request.asked),
        )
        result = call_with_timeout(
            lambda: self._structured.invoke([("system", system), ("human", user)]),
            self.timeout,
        )
        if isinstance(result, FollowUpProposal):
            return result.question
        if isinstance(result, dict) and isinstance(result.get("question"), str):
            return str(result["question"])
        raise ValueError(f"unexpected structured output {type(result).__name__}")

    def decide(self, request: ProbeRequest) -> Decision:
        base = self.rubric_policy.decide(request)
        if base.action != "probe" or base.targets is None:
            return base
        point = request.loaded.rubric.key_point(base.targets)
        started = time.monotonic()
        try:
            proposal = self.propose(request, point)
        except LlmTimeout as error:
            return self._fallback(base, f"timeout: {error}", started)
        except Exception as error:
            return self._fallback(base, f"error: {failure_reason(error)}", started)
        problems = validate_probe(proposal, point, request)
        if problems:
            shown = " ".join(proposal.split())[:120]
            return self._fallback(base, f"invalid: {'; '.join(problems)} — {shown!r}", started)
        return replace(
            base, policy=self.name, probe=proposal.strip(),
            details={"llm_seconds": round(time.monotonic() - started, 3)},
        )

    def _fallback(self, base: Decision, reason: str, started: float) -> Decision:
        decision = with_fallback(base, reason)
        return replace(decision, details={"llm_seconds": round(time.monotonic() - started, 3)})
