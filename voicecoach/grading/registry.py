"""Graders behind one small interface, chosen by name like the STT and TTS engines.

A grader is a class with a registry ``name``, a ``version`` (bumped when what it decides
changes), its frozen settings type (a :class:`GraderSettings` subclass) and
``judge(loaded, text) -> Verdicts``: a verdict per key point and the misconceptions it found.
Scoring, caps, the follow-up and provenance are the same for every grader and live in
``grading.grader``. Graders are imported only when chosen, and a grade records the grader's
name, version and settings object, so a regrade can say what changed.

To add a grader: a module with the class, one line in :data:`GRADERS`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from voicecoach.config import DEFAULT_GRADER
from voicecoach.errors import ConfigError
from voicecoach.grading.models import GraderSettings, KeyPointGrade, MisconceptionHit
from voicecoach.rubric.loader import LoadedRubric
from voicecoach.rubric.schema import Level

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

# name -> "module:Class"; the class takes (settings, context)
GRADERS: dict[str, str] = {
    "patterns": "voicecoach.grading.offline:PatternGrader",
    "llm": "voicecoach.grading.llm_judge:LlmJudgeGrader",
    "judge": "voicecoach.grading.judge_grader:JudgeGrader",
}
# older names still read from recorded sessions and config files
ALIASES: dict[str, str] = {"offline": "patterns"}
__all__ = ["GraderSettings"]  # defined with the grade it is recorded in


@dataclass(frozen=True)
class GraderContext:
    """What a grader may use besides its settings: loaded models and folders, never recorded."""

    llm: BaseChatModel | None = None  # a chat model, for graders that ask one
    prompts_dir: Path | None = None  # prompt templates (default: the bundled ones)


@dataclass
class Verdicts:
    """What a grader decided about one answer, before scoring.

    ``grader``, ``version`` and ``settings`` name who decided: a grader that falls back to
    another (the LLM judge to the patterns) returns the other's, and says why in ``notes``.
    """

    key_points: list[KeyPointGrade]
    misconceptions: list[MisconceptionHit]
    grader: str
    version: int
    settings: GraderSettings
    notes: list[str] = field(default_factory=list)
    cap: tuple[Level, str] | None = None  # a ceiling from outside the rubric, with its reason
    # a grader that knows more than the statuses may decide the level from the rubric's score
    # (the judge: a level learnt from its probabilities); caps still apply after it
    relevel: Callable[[float], Level] | None = None


class Grader(Protocol):
    """A grader, ready to judge answers (see the module docstring)."""

    name: ClassVar[str]
    version: ClassVar[int]
    settings_type: ClassVar[type[GraderSettings]]
    # whether grading an answer's text so far at its pauses makes the final grade faster: true
    # for a grader that keeps what it read (the judge's pair cache), false for one that would
    # only repeat work (patterns) or call an LLM at every pause
    grades_ahead: ClassVar[bool]

    def __init__(self, settings: Any, context: GraderContext) -> None: ...

    def judge(self, loaded: LoadedRubric, text: str) -> Verdicts:
        """Verdicts on ``text`` (the whole answer) against ``loaded``'s rubric."""
        ...


def canonical_name(name: str) -> str:
    """The registry name for ``name`` (aliases resolved); ConfigError listing the choices."""
    resolved = ALIASES.get(name, name)
    if resolved not in GRADERS:
        choices = ", ".join([*GRADERS, *(f"{a} (= {t})" for a, t in ALIASES.items())])
        raise ConfigError(f"unknown grader {name!r}; choose one of: {choices}")
    return resolved


def grader_class(name: str) -> type[Grader]:
    """The grader class registered as ``name`` (or an alias), imported on first use."""
    module_name, class_name = GRADERS[canonical_name(name)].split(":")
    cls: type[Grader] = getattr(importlib.import_module(module_name), class_name)
    return cls


def settings_type(name: str) -> type[GraderSettings]:
    """The settings class of grader ``name``; the plain base for a name this install lacks."""
    if ALIASES.get(name, name) not in GRADERS:
        return GraderSettings
    return grader_class(name).settings_type


def default_settings(name: str = DEFAULT_GRADER) -> GraderSettings:
    """Grader ``name`` with its default settings."""
    return grader_class(name).settings_type()


def create_grader(settings: GraderSettings, context: GraderContext | None = None) -> Grader:
    """The grader ``settings`` are for, ready to judge."""
    return grader_class(settings.grader)(settings, context or GraderContext())
