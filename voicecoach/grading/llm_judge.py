"""The optional LLM judge (registry name ``llm``): a verdict and a verbatim quote per key point,
checked before use.

The LLM only *proposes* verdicts (LangChain ``with_structured_output(method="function_calling")``,
the method that works against llama.cpp's server, see DESIGN.md). Code then keeps a verdict only
if its key point exists and, for covered/partial, its quote is found in the transcript and not in
a sentence the guards ignore (a keyword list, the question read back, an order to the grader).
Points without a usable verdict keep the pattern grader's verdict; any error or timeout, or no
LLM configured, means the whole grade is the pattern grader's, with a note saying why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from voicecoach.grading.models import KeyPointGrade, MisconceptionHit
from voicecoach.grading.offline import PatternGrader, PatternSettings
from voicecoach.grading.registry import GraderContext, GraderSettings, Verdicts
from voicecoach.llm.calls import call_with_timeout, failure_reason
from voicecoach.llm.prompts import load_prompt
from voicecoach.rubric.loader import LoadedRubric
from voicecoach.rubric.schema import Rubric

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

    from voicecoach.config import Settings

LLM_CONFIDENCE = 0.7
MAX_QUOTE_CHARS = 400


class PointVerdict(BaseModel):
    """The LLM's verdict on one key point."""

    id: str = Field(description="the key point id")
    status: Literal["covered", "partial", "missing"]
    quote: str = Field("", description="verbatim words from the answer", max_length=MAX_QUOTE_CHARS)


class MisconceptionVerdict(BaseModel):
    """A misconception the LLM says the answer states."""

    id: str = Field(description="the misconception id")
    quote: str = Field(description="verbatim words from the answer", max_length=MAX_QUOTE_CHARS)


class JudgeVerdicts(BaseModel):
    """What the judge returns: one verdict per key point, misconceptions found."""

    key_points: list[PointVerdict] = Field(max_length=12)
    misconceptions: list[MisconceptionVerdict] = Field(default_factory=list, max_length=8)


@dataclass
class JudgeResult:
    """Verdicts merged with the offline ones, and what was discarded."""

    key_points: list[KeyPointGrade]
    misconceptions: list[MisconceptionHit]
    used: int
    discarded: list[str]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().lower()


def find_quote(quote: str, text: str) -> str | None:
    """The verbatim span of ``text`` that ``quote`` reproduces (case and spacing aside), or None."""
    wanted = _squash(quote).strip(" .,;:!?\"'")
    if len(wanted) < 3:
        return None
    pattern = r"\s+".join(re.escape(part) for part in wanted.split(" "))
    found = re.search(pattern, text, flags=re.IGNORECASE)
    return found.group(0) if found else None


def ask_judge(
    llm: BaseChatModel, rubric: Rubric, answer: str, prompts_dir: Path, timeout: float
) -> tuple[JudgeVerdicts, str]:
    """Call the LLM once; returns its verdicts and the prompt version used."""
    from langchain_core.messages import HumanMessage, SystemMessage

    prompt = load_prompt(prompts_dir, "judge")
    system, user = prompt.render(
        question=rubric.question,
        answer=answer,
        key_points=[{"id": p.id, "description": p.description} for p in rubric.key_points],
        misconceptions=[{"id": m.id, "claim": m.claim} for m in rubric.misconceptions],
    )
    structured = llm.with_structured_output(JudgeVerdicts, method="function_calling")
    result: Any = call_with_timeout(
        lambda: structured.invoke([SystemMessage(system), HumanMessage(user)]), timeout
    )
    if not isinstance(result, JudgeVerdicts):
        result = JudgeVerdicts.model_validate(result)
    return result, prompt.version


def merge_verdicts(
    rubric: Rubric,
    text: str,
    verdicts: JudgeVerdicts,
    offline_points: Sequence[KeyPointGrade],
    offline_misconceptions: Sequence[MisconceptionHit],
    ignored_sentences: Sequence[str] = (),
) -> JudgeResult:
    """Validate each verdict against the transcript; keep offline verdicts where it fails."""
    merged = {g.id: g for g in offline_points}
    discarded: list[str] = []
    used = 0
    known = {p.id: p for p in rubric.key_points}
    for verdict in verdicts.key_points:
        point = known.get(verdict.id)
        if point is None:
            discarded.append(f"unknown key point {verdict.id!r}")
            continue
        evidence = ""
        if verdict.status != "missing":
            span = find_quote(verdict.quote, text)
            if span is None:
                discarded.append(f"{verdict.id}: quote not in the answer")
                continue
            if any(span in sentence for sentence in ignored_sentences):
                discarded.append(f"{verdict.id}: quote is in an ignored sentence")
                continue
            evidence = span
        merged[verdict.id] = KeyPointGrade(
            id=point.id, status=verdict.status, evidence=evidence, confidence=LLM_CONFIDENCE,
            weight=point.weight, required=point.required, note="llm judge",
        )
        used += 1
    hits = {m.id: m for m in offline_misconceptions}
    known_m = {m.id: m for m in rubric.misconceptions}
    for item in verdicts.misconceptions:
        spec = known_m.get(item.id)
        span = find_quote(item.quote, text) if spec is not None else None
        if spec is None or span is None:
            discarded.append(f"misconception {item.id}: unknown id or quote not in the answer")
            continue
        hits.setdefault(
            spec.id,
            MisconceptionHit(
                id=spec.id, evidence=span, severity=spec.severity, correction=spec.correction
            ),
        )
    ordered = [merged[p.id] for p in rubric.key_points if p.id in merged]
    return JudgeResult(ordered, list(hits.values()), used, discarded)


class LlmJudgeSettings(GraderSettings):
    """The LLM judge's options; ``model`` and ``prompt`` are filled in with what was used."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    grader: ClassVar[str] = "llm"
    needs_llm: ClassVar[bool] = True

    @classmethod
    def from_config(cls, config: Settings) -> Self:
        return cls(timeout=config.llm_timeout)

    timeout: float = 8.0  # seconds before the pattern grade stands alone
    model: str = ""  # the chat model's name, as recorded
    prompt: str = ""  # the judge prompt's version (name@sha256), as recorded
    patterns: PatternSettings = PatternSettings()  # the grade it checks quotes against

    @model_validator(mode="before")
    @classmethod
    def _flat_record(cls, data: Any) -> Any:
        """Grades recorded before settings were typed: ``llm_model`` and flat pattern fields."""
        if isinstance(data, dict) and "patterns" not in data:
            own = {"timeout", "model", "prompt", "llm_model"}
            data = {
                **{k: v for k, v in data.items() if k in own},
                "patterns": {k: v for k, v in data.items() if k not in own},
            }
            if "llm_model" in data:
                data["model"] = data.pop("llm_model")
        return data


class LlmJudgeGrader:
    """The pattern grade, with each key point's verdict replaced by a validated LLM verdict."""

    name: ClassVar[str] = "llm"
    version: ClassVar[int] = PatternGrader.version
    grades_ahead: ClassVar[bool] = False  # an LLM call per pause would only add load
    settings_type: ClassVar[type[GraderSettings]] = LlmJudgeSettings

    def __init__(self, settings: LlmJudgeSettings, context: GraderContext | None = None) -> None:
        context = context or GraderContext()
        self.llm, self.prompts_dir = context.llm, context.prompts_dir
        model = str(getattr(self.llm, "model_name", None) or getattr(self.llm, "model", "") or "")
        self.settings = settings.model_copy(update={"model": settings.model or model})
        self.patterns = PatternGrader(settings.patterns)

    def judge(self, loaded: LoadedRubric, text: str) -> Verdicts:
        analysis = self.patterns.analyse(loaded, text)
        fallback = self.patterns.verdicts(analysis)
        if self.llm is None:
            fallback.notes.append("llm grader requested but no LLM configured: pattern grade")
            return fallback
        if self.prompts_dir is None:
            from voicecoach.config import default_prompts_dir

            self.prompts_dir = default_prompts_dir()
        try:
            verdicts, prompt_version = ask_judge(
                self.llm, loaded.rubric, text, self.prompts_dir, self.settings.timeout
            )
        except Exception as error:  # the pattern grade stands on any LLM failure
            fallback.notes.append(f"llm judge failed ({failure_reason(error)}): pattern grade")
            return fallback
        ignored = [t for texts in analysis.ignored.values() for t in texts]
        result = merge_verdicts(
            loaded.rubric, text, verdicts, analysis.key_points, analysis.misconceptions, ignored
        )
        fallback.notes.extend(f"llm verdict discarded: {why}" for why in result.discarded)
        if result.used == 0:
            fallback.notes.append("no usable llm verdict: pattern grade")
            return fallback
        return Verdicts(
            key_points=result.key_points, misconceptions=result.misconceptions,
            grader=self.name, version=self.version,
            settings=self.settings.model_copy(update={"prompt": prompt_version}),
            notes=fallback.notes, cap=fallback.cap,
        )
