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
from voicecoach.grading.judge.level import installed_level_model
from voicecoach.grading.judge.model import JudgeModel, Manifest, shared_model
from voicecoach.grading.judge.verdicts import judge_grade, level_features
from voicecoach.grading.models import GraderSettings
from voicecoach.grading.offline import INSTRUCTION_CAP
from voicecoach.grading.registry import GraderContext, Verdicts
from voicecoach.loading import BackgroundLoad
from voicecoach.rubric.loader import LoadedRubric
from voicecoach.rubric.schema import Level


class JudgeGraderSettings(GraderSettings):
    """The judge's options: decision thresholds and windows, guards, whether patterns may lift a
    partial point; ``model_sha256`` is filled in with the model that decided."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    grader: ClassVar[str] = "judge"

    thresholds: JudgeSettings = JudgeSettings()
    guards: GuardSettings = GuardSettings()
    use_patterns: bool = True
    # the level learnt from the judge's probabilities (``judge.level``) where one is installed;
    # False: the rubric's thresholds alone, as before version 7
    learnt_level: bool = True
    model_sha256: str = ""
    level_sha256: str = ""  # filled in with the level model that decided, if any

    @model_validator(mode="before")
    @classmethod
    def _flat_record(cls, data: Any) -> Any:
        """Grades recorded before the registry named the model ``judge_sha256``."""
        if isinstance(data, dict) and "judge_sha256" in data:
            data = {**data, "model_sha256": data["judge_sha256"]}
        return data




class JudgeGrader:
    """Per-key-point verdicts from the trained cross-encoder (loaded once per process, in the
    background: creating the grader only checks that the model is installed, so a missing model
    is an error before the session starts, and loading stays off the path to the first
    question)."""

    name: ClassVar[str] = "judge"
    # bump when what it decides changes beyond its recorded settings and model hash; 2: a
    # misconception must contradict a point the answer does not cover, a question sentence read
    # back word for word is an echo; 3: a contradiction is read from single sentences only, eight
    # or more words without one function word are a list; 4: a short answer is also read whole;
    # 5: a long run-on is judged a list chunk by chunk, not whole; 6: a sentence states at most
    # one misconception (its strongest claim), and none where it is good evidence of a covered
    # point; 7: the level is learnt from the judge's probabilities (``learnt_level``)
    version: ClassVar[int] = 7
    grades_ahead: ClassVar[bool] = True  # its model keeps the pairs it read
    settings_type: ClassVar[type[GraderSettings]] = JudgeGraderSettings

    def __init__(
        self, settings: JudgeGraderSettings, context: GraderContext | None = None
    ) -> None:
        Manifest.installed()
        # the model (a fraction of a second) loads while the first question is spoken
        self._loading = BackgroundLoad(shared_model, "judge-load")
        self._level = installed_level_model() if settings.learnt_level else None
        self._settings = settings

    @property
    def model(self) -> JudgeModel:
        """The loaded model (waits for the background load; re-raises its error)."""
        return self._loading.result()

    @property
    def settings(self) -> JudgeGraderSettings:
        """The settings every grade records, with the sha256 of the model that decided."""
        return self._settings.model_copy(update={
            "model_sha256": self.model.sha256,
            "level_sha256": self._level.sha256 if self._level is not None else "",
        })

    def judge(self, loaded: LoadedRubric, text: str) -> Verdicts:
        settings = self.settings
        result = judge_grade(
            loaded.rubric, text, self.model, settings.thresholds, settings.guards,
            settings.use_patterns,
        )
        notes = [
            f"ignored ({why}): {t!r}" for why, texts in result.ignored.items() for t in texts
        ]
        cap = (INSTRUCTION_CAP, "the answer addresses the grader") if result.instruction else None
        relevel = None
        level_model = self._level
        if level_model is not None and result.key_points and text.strip():
            def relevel(score: float) -> Level:
                return level_model.level(level_features(result, text, score))
        return Verdicts(
            key_points=result.key_points, misconceptions=result.misconceptions,
            grader=self.name, version=self.version, settings=settings, notes=notes, cap=cap,
            relevel=relevel,
        )
