"""The key-point judge as a registry grader (name ``judge``): the cross-encoder in
``grading.judge`` behind the same small interface as the pattern and LLM graders.

The judge package decides (guards, windows, model, thresholds, the patterns' precision); this
module only gives it a name, a version and one frozen settings object that every grade records,
with the sha256 of the model that decided.
"""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import ConfigDict, model_validator

from voicecoach.grading.guards import GuardSettings
from voicecoach.grading.judge.decide import JudgeSettings
from voicecoach.grading.judge.model import shared_model
from voicecoach.grading.judge.verdicts import judge_grade
from voicecoach.grading.models import GraderSettings
from voicecoach.grading.offline import INSTRUCTION_CAP
from voicecoach.grading.registry import GraderContext, Verdicts
from voicecoach.rubric.loader import LoadedRubric


class JudgeGraderSettings(GraderSettings):
    """The judge's options: decision thresholds and windows, guards, whether patterns may lift a
    partial point; ``model_sha256`` is filled in with the model that decided."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    grader: ClassVar[str] = "judge"

    thresholds: JudgeSettings = JudgeSettings()
    guards: GuardSettings = GuardSettings()
    use_patterns: bool = True
    model_sha256: str = ""

    @model_validator(mode="before")
    @classmethod
    def _flat_record(cls, data: Any) -> Any:
        """Grades recorded before the registry named the model ``judge_sha256``."""
        if isinstance(data, dict) and "judge_sha256" in data:
            data = {**data, "model_sha256": data["judge_sha256"]}
        return data


class JudgeGrader:
    """Per-key-point verdicts from the trained cross-encoder (loaded once per process)."""

    name: ClassVar[str] = "judge"
    version: ClassVar[int] = 1
    settings_type: ClassVar[type[GraderSettings]] = JudgeGraderSettings

    def __init__(
        self, settings: JudgeGraderSettings, context: GraderContext | None = None
    ) -> None:
        self.model = shared_model()
        self.settings = settings.model_copy(update={"model_sha256": self.model.sha256})

    def judge(self, loaded: LoadedRubric, text: str) -> Verdicts:
        result = judge_grade(
            loaded.rubric, text, self.model, self.settings.thresholds, self.settings.guards,
            self.settings.use_patterns,
        )
        notes = [
            f"ignored ({why}): {t!r}" for why, texts in result.ignored.items() for t in texts
        ]
        cap = (INSTRUCTION_CAP, "the answer addresses the grader") if result.instruction else None
        return Verdicts(
            key_points=result.key_points, misconceptions=result.misconceptions,
            grader=self.name, version=self.version, settings=self.settings, notes=notes, cap=cap,
        )
