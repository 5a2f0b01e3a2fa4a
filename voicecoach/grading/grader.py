"""``grade_answer``: one answer, one rubric, one :class:`Grade` with its provenance.

A pure function of the rubric and the transcript (plus, when asked, the LLM's validated verdicts),
so a saved session regrades to the same result and a weight edit changes only the arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from voicecoach.errors import ConfigError
from voicecoach.grading.followup import propose_followup
from voicecoach.grading.guards import GuardSettings
from voicecoach.grading.models import Grade, GradeProvenance
from voicecoach.grading.offline import analyse, settings_record
from voicecoach.grading.score import aggregate
from voicecoach.rubric.loader import LoadedRubric
from voicecoach.rubric.schema import Level
from voicecoach.speech.transcript import Transcript

if TYPE_CHECKING:
    from langchain_core.language_models.chat_models import BaseChatModel

GRADER_VERSION = 1  # bump when the offline grading logic changes what it decides
GraderName = Literal["offline", "llm", "judge"]
INSTRUCTION_CAP: Level = "partial"
# "grade this answer": what the interviewer, import, regrade, replay and rubric tests call;
# ``grade_answer`` itself is one (the default), a configured grader is ``partial(grade_answer, …)``
AnswerGrader = Callable[[LoadedRubric, Transcript | str], Grade]


def grade_answer(
    loaded: LoadedRubric,
    answer: Transcript | str,
    *,
    grader: str = "offline",
    llm: BaseChatModel | None = None,
    guard_settings: GuardSettings | None = None,
    prompts_dir: Path | None = None,
    llm_timeout: float = 8.0,
) -> Grade:
    """Grade ``answer`` against ``loaded``'s rubric.

    ``grader="llm"`` with a chat model asks the LLM judge for per-point verdicts (validated, see
    ``llm_judge``); any failure, or no model, falls back to the offline grader and says so in
    ``notes``. Delivery metrics are not computed here (see ``grading.delivery``).
    """
    if grader not in ("offline", "llm", "judge"):
        raise ConfigError(f"unknown grader {grader!r}: use judge, offline or llm")
    transcript = Transcript.from_text(answer) if isinstance(answer, str) else answer
    rubric = loaded.rubric
    settings = guard_settings or GuardSettings()
    analysis = analyse(rubric, transcript.text, settings)
    points, misconceptions = analysis.key_points, analysis.misconceptions
    notes = [f"ignored ({why}): {text!r}"
             for why, texts in analysis.ignored.items() for text in texts]
    used_grader = "offline"
    grader_settings: dict[str, Any] = {"version": GRADER_VERSION, **settings_record(settings)}

    if grader == "judge":
        from voicecoach.grading.judge.model import shared_model
        from voicecoach.grading.judge.verdicts import judge_grade

        model = shared_model()
        judged = judge_grade(rubric, transcript.text, model, guard_settings=settings)
        points, misconceptions = judged.key_points, judged.misconceptions
        notes = [f"ignored ({why}): {text!r}"
                 for why, texts in judged.ignored.items() for text in texts]
        analysis.instruction = judged.instruction
        used_grader = "judge"
        grader_settings = {"version": GRADER_VERSION, "method": "judge",
                           "judge_sha256": model.sha256}

    if grader == "llm":
        if llm is None:
            notes.append("llm grader requested but no LLM configured: offline grade")
        else:
            points, misconceptions, used_grader = _with_judge(
                llm, loaded, transcript.text, analysis, prompts_dir, llm_timeout,
                notes, grader_settings,
            )

    extra_cap: tuple[Level, str] | None = None
    if analysis.instruction:
        extra_cap = (INSTRUCTION_CAP, "the answer addresses the grader")
    score, level, caps = aggregate(rubric, points, misconceptions, extra_cap=extra_cap)
    followup = propose_followup(rubric, points, misconceptions, transcript.text)
    return Grade(
        question_id=rubric.id,
        score=score,
        level=level,
        key_points=points,
        misconceptions=misconceptions,
        followup=followup,
        provenance=GradeProvenance(
            rubric_id=rubric.id,
            rubric_version=rubric.version,
            rubric_hash=loaded.sha256,
            grader=used_grader,
            grader_settings=grader_settings,
            stt_engine=transcript.engine,
            stt_model=transcript.model,
            graded_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        ),
        caps_applied=caps,
        notes=notes,
    )


def _with_judge(
    llm: BaseChatModel,
    loaded: LoadedRubric,
    text: str,
    analysis: Any,
    prompts_dir: Path | None,
    timeout: float,
    notes: list[str],
    grader_settings: dict[str, Any],
) -> tuple[Any, Any, str]:
    from voicecoach.grading.llm_judge import ask_judge, merge_verdicts

    if prompts_dir is None:
        from voicecoach.config import default_prompts_dir

        prompts_dir = default_prompts_dir()
    model_name = str(getattr(llm, "model_name", None) or getattr(llm, "model", "") or "llm")
    grader_settings["llm_model"] = model_name
    try:
        verdicts, prompt_version = ask_judge(llm, loaded.rubric, text, prompts_dir, timeout)
    except Exception as error:  # the offline grade stands on any LLM failure
        message = " ".join(str(error).split())[:160]
        notes.append(f"llm judge failed ({type(error).__name__}: {message}): offline grade")
        return analysis.key_points, analysis.misconceptions, "offline"
    ignored = [t for texts in analysis.ignored.values() for t in texts]
    result = merge_verdicts(
        loaded.rubric, text, verdicts, analysis.key_points, analysis.misconceptions, ignored
    )
    grader_settings["prompt"] = prompt_version
    notes.extend(f"llm verdict discarded: {why}" for why in result.discarded)
    if result.used == 0:
        notes.append("no usable llm verdict: offline grade")
        return analysis.key_points, analysis.misconceptions, "offline"
    return result.key_points, result.misconceptions, f"llm:{model_name}"
