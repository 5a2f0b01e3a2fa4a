"""Grade this answer: one answer, one rubric, one :class:`Grade` with its provenance.

A grader from the registry (``grading.registry``) decides each key point and finds the
misconceptions; everything after that is the same for every grader and done here: the score and
level from the rubric's weights, thresholds and caps, the follow-up proposal, and the provenance
(rubric hash, grader name, version and its typed settings). A pure function of the rubric and the
transcript (plus, for graders that ask one, the model's validated verdicts), so a saved session
regrades to the same result and a weight edit changes only the arithmetic.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING

from voicecoach.config import DEFAULT_GRADER
from voicecoach.errors import ConfigError
from voicecoach.grading.followup import propose_followup
from voicecoach.grading.models import Grade, GradeProvenance
from voicecoach.grading.registry import (
    Grader,
    GraderContext,
    GraderSettings,
    create_grader,
    default_settings,
    grader_class,
)
from voicecoach.grading.score import aggregate, relevelled
from voicecoach.rubric.loader import LoadedRubric
from voicecoach.speech.transcript import Transcript

if TYPE_CHECKING:
    from voicecoach.config import Settings

# "grade this answer", as the interviewer, import, regrade, replay and rubric tests call it:
# ``grade_answer`` is one (the default grader); ``answer_grader`` builds a configured one
AnswerGrader = Callable[[LoadedRubric, Transcript | str], Grade]


def grade_with(grader: Grader, loaded: LoadedRubric, answer: Transcript | str) -> Grade:
    """Grade ``answer`` against ``loaded``'s rubric with a ready ``grader``.

    Delivery metrics are not computed here (see ``grading.delivery``): they need word timings,
    and a regrade from a stored transcript must not depend on them.
    """
    transcript = Transcript.from_text(answer) if isinstance(answer, str) else answer
    rubric = loaded.rubric
    verdicts = grader.judge(loaded, transcript.text)
    score, level, caps = aggregate(
        rubric, verdicts.key_points, verdicts.misconceptions, extra_cap=verdicts.cap
    )
    if verdicts.relevel is not None:
        score, level, notes = relevelled(rubric, score, level, verdicts.relevel(score),
                                         verdicts.key_points, verdicts.misconceptions,
                                         verdicts.cap)
        caps = [*(c for c in caps if c.startswith("score capped")), *notes]
    followup = propose_followup(
        rubric, verdicts.key_points, verdicts.misconceptions, transcript.text
    )
    return Grade(
        question_id=rubric.id,
        score=score,
        level=level,
        key_points=verdicts.key_points,
        misconceptions=verdicts.misconceptions,
        followup=followup,
        provenance=GradeProvenance(
            rubric_id=rubric.id,
            rubric_version=rubric.version,
            rubric_hash=loaded.sha256,
            grader=verdicts.grader,
            grader_version=verdicts.version,
            settings=verdicts.settings,
            stt_engine=transcript.engine,
            stt_model=transcript.model,
            graded_at=datetime.now(UTC).replace(microsecond=0).isoformat(),
        ),
        caps_applied=caps,
        notes=verdicts.notes,
    )


def answer_grader(
    settings: GraderSettings | None = None, context: GraderContext | None = None
) -> AnswerGrader:
    """Grade answers with the grader ``settings`` are for (default: ``DEFAULT_GRADER``), set up
    once: a grader that loads a model loads it here, not per answer."""
    grader = create_grader(settings or default_settings(), context)
    return partial(grade_with, grader)


_DEFAULT: list[Grader] = []  # the default grader with default settings, made on first use


def grade_answer(
    loaded: LoadedRubric,
    answer: Transcript | str,
    settings: GraderSettings | None = None,
    context: GraderContext | None = None,
    *,
    grader: str | None = None,
) -> Grade:
    """Grade one answer: with ``settings`` (which name their grader), or with grader ``grader``
    (a registry name) at its default settings, or with the default grader."""
    if settings is None and grader is not None:
        settings = default_settings(grader)
    if settings is None and context is None:
        if not _DEFAULT:
            _DEFAULT.append(create_grader(default_settings()))
        return grade_with(_DEFAULT[0], loaded, answer)
    return grade_with(create_grader(settings or default_settings(), context), loaded, answer)


def settings_from_config(config: Settings, name: str | None = None) -> GraderSettings:
    """The settings of grader ``name`` (default: the configured ``grader``) from the config."""
    return grader_class(name or config.grader or DEFAULT_GRADER).settings_type.from_config(config)


def grader_from_config(config: Settings, name: str | None = None) -> AnswerGrader:
    """The configured grader, ready: with a chat model when it asks one (``--llm``)."""
    settings = settings_from_config(config, name)
    llm = None
    if settings.needs_llm:
        from voicecoach.llm.client import create_chat_model, parse_llm_spec

        spec = parse_llm_spec(config.llm)
        if spec.provider == "llamacpp":
            raise ConfigError("the llm grader needs a server: use --llm openai:NAME "
                              "with --llm-base-url, or ollama:MODEL")
        llm = create_chat_model(spec, base_url=config.llm_base_url, timeout=config.llm_timeout,
                                max_tokens=512, temperature=0.0)
    return answer_grader(settings, GraderContext(llm=llm, prompts_dir=config.prompts_dir))
