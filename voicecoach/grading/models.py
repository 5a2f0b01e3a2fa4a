"""The result of grading one answer against one rubric.

A grade is data, not prose: statuses with evidence quotes, misconception hits, the score and level
computed by code, the proposed follow-up, and the provenance needed to explain a regrade (rubric id,
version and content hash, grader name and settings, STT model).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, model_validator

from voicecoach.rubric.schema import Level, PointStatus

if TYPE_CHECKING:
    from voicecoach.config import Settings


class KeyPointGrade(BaseModel):
    """Verdict for one key point, with the transcript span that supports it."""

    id: str
    status: PointStatus
    evidence: str = Field("", description="verbatim quote from the answer; empty when missing")
    start: int = Field(-1, description="offset of the evidence in the answer text; -1 if none")
    end: int = Field(-1, description="end offset of the evidence (exclusive); -1 if none")
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    weight: float = 1.0
    required: bool = True
    note: str = Field("", description="why the grader decided so, when it is not obvious")


class MisconceptionHit(BaseModel):
    """A misconception found in the answer, with the quote that shows it."""

    id: str
    evidence: str
    severity: str = "minor"
    correction: str = ""


class FollowUp(BaseModel):
    """The probe the interviewer would ask next, and the key point it targets."""

    question: str
    targets: str


class Delivery(BaseModel):
    """How the answer was spoken, from word timestamps."""

    words: int = 0
    speaking_seconds: float = 0.0
    words_per_minute: float = 0.0
    fillers: int = 0
    fillers_per_minute: float = 0.0
    filler_counts: dict[str, int] = Field(default_factory=dict)
    long_pauses: int = 0
    longest_pause: float = 0.0
    notes: list[str] = Field(default_factory=list)


class GraderSettings(BaseModel):
    """Base of every grader's settings (``grading.registry``): frozen, recorded in each grade.

    A grade made by a grader this install does not know keeps its settings as plain fields.
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    grader: ClassVar[str] = ""  # the registry name of the grader these settings are for
    needs_llm: ClassVar[bool] = False  # the grader asks a chat model (``--llm``)

    @classmethod
    def from_config(cls, config: Settings) -> Self:
        """These settings as the user's configuration sets them (default: the defaults)."""
        return cls()


class GradeProvenance(BaseModel):
    """Everything that determined this grade, so a regrade can say why it differs.

    ``settings`` is the grader's own frozen settings object (``PatternSettings``, …), typed, the
    way a faster-whisper result carries its ``transcription_options``.
    """

    rubric_id: str
    rubric_version: int
    rubric_hash: str
    grader: str = Field(description="registry name of the grader that decided (patterns, llm…)")
    grader_version: int = 1
    settings: SerializeAsAny[GraderSettings] = Field(default_factory=GraderSettings)
    stt_engine: str = ""
    stt_model: str = ""
    graded_at: str = ""

    @model_validator(mode="before")
    @classmethod
    def _typed_settings(cls, data: Any) -> Any:
        """Settings as their grader's type; grades recorded before the registry read as they
        were meant: grader ``offline`` is ``patterns``, ``llm:MODEL`` is ``llm`` with that model,
        ``grader_settings`` (a plain dict with the version inside) becomes typed settings."""
        if not isinstance(data, dict):
            return data
        from voicecoach.grading.registry import ALIASES, settings_type

        data = dict(data)
        name = str(data.get("grader", ""))
        if "grader_settings" in data:
            legacy = dict(data.pop("grader_settings") or {})
            data.setdefault("grader_version", legacy.pop("version", 1))
            legacy.pop("method", None)
            if name.startswith("llm:"):
                name, legacy["model"] = "llm", name[4:]
            data.setdefault("settings", legacy)
        name = ALIASES.get(name, name)
        data["grader"] = name
        raw = data.get("settings")
        kind = settings_type(name)
        if not isinstance(raw, kind):
            raw = raw.model_dump() if isinstance(raw, BaseModel) else raw
            data["settings"] = kind.model_validate(raw or {})
        return data


class Grade(BaseModel):
    """One answer graded against one rubric."""

    question_id: str
    score: float = Field(ge=0.0, le=100.0)
    level: Level
    key_points: list[KeyPointGrade]
    misconceptions: list[MisconceptionHit] = Field(default_factory=list)
    followup: FollowUp | None = None
    delivery: Delivery | None = None
    provenance: GradeProvenance
    caps_applied: list[str] = Field(default_factory=list, description="which caps lowered it")
    notes: list[str] = Field(
        default_factory=list, description="sentences the grader ignored and why, fallbacks used"
    )
