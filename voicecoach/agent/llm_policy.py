"""The LLM follow-up policy: the rubric decides *whether* and *what* to probe, the LLM words it.

No LLM small enough to ship can lead an interview (DESIGN.md), so the LLM only proposes the
wording of a probe the rubric policy already chose, through a prompt template from ``prompts/``
and structured output into a pydantic model. Every proposal is validated — one question, short,
about the targeted point, not giving the answer away, not a repeat — and anything invalid, slow
or failed becomes the rubric's own probe with a ``fallback`` reason. The interview never stops
because of the LLM.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, StrictUndefined
from pydantic import BaseModel, Field

from voicecoach.agent.policy import Decision, ProbeRequest, RubricPolicy, with_fallback
from voicecoach.agent.wording import (
    content_words,
    is_repeat,
    leaked_terms,
    sentences,
    stem,
    words,
)
from voicecoach.errors import ConfigError
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


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt file split into system and user parts, with its content hash."""

    name: str
    system: str
    user: str
    sha256: str

    @property
    def version(self) -> str:
        return f"{self.name}@{self.sha256[:12]}"

    def render(self, **variables: Any) -> tuple[str, str]:
        env = Environment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
        return (
            env.from_string(self.system).render(**variables).strip(),
            env.from_string(self.user).render(**variables).strip(),
        )


def load_prompt(prompts_dir: Path, name: str = "followup") -> PromptTemplate:
    """Read ``prompts/<name>.md``; its ``## system`` and ``## user`` sections are the messages."""
    path = Path(prompts_dir) / f"{name}.md"
    try:
        raw = path.read_bytes()
    except OSError:
        raise ConfigError(f"prompt template {path} not found (set VOICECOACH_PROMPTS)") from None
    text = raw.decode("utf-8")
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines(keepends=True):
        header = line.strip().lower()
        if header in ("## system", "## user"):
            current = sections.setdefault(header[3:], [])
        elif current is not None:
            current.append(line)
    if set(sections) != {"system", "user"}:
        raise ConfigError(f"{path}: needs a '## system' and a '## user' section")
    return PromptTemplate(
        name, "".join(sections["system"]), "".join(sections["user"]),
        hashlib.sha256(raw).hexdigest(),
    )


def validate_probe(text: str, point: KeyPoint, request: ProbeRequest) -> list[str]:
    """Why a proposed probe must not be asked (empty list: it may)."""
    rubric = request.loaded.rubric
    text = text.strip()
    problems: list[str] = []
    n_words = len(words(text))
    if not text.endswith("?") or len(sentences(text)) != 1 or "\n" in text:
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


class LlmTimeout(Exception):
    """The LLM did not answer in time."""


def call_with_timeout(function: Any, timeout: float) -> Any:
    """Run ``function()`` on a daemon thread; give up after ``timeout`` seconds.

    The HTTP clients have their own timeouts too, but a hung connection or a slow local model
    must never hold the interview, and a daemon thread never blocks the program's exit.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = function()
        except BaseException as error:  # reported to the caller below
            box["error"] = error

    thread = threading.Thread(target=target, daemon=True, name="llm-call")
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise LlmTimeout(f"no answer in {timeout:g}s")
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _reason(error: BaseException) -> str:
    message = " ".join(str(error).split())[:160]
    return f"{type(error).__name__}: {message}" if message else type(error).__name__


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
            return self._fallback(base, f"error: {_reason(error)}", started)
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
