"""Settings, resolved in one place: CLI flag > env ``VOICECOACH_*`` > voicecoach.toml > defaults.

The TOML file is the first of ``$VOICECOACH_CONFIG``, ``./voicecoach.toml`` and
``~/.config/voicecoach/voicecoach.toml`` that exists. Keys in the file are the field names below
(``stt_model = "base"``); env variables are the same names upper-cased with the ``VOICECOACH_``
prefix (``VOICECOACH_STT_MODEL=base``), except the few with a documented alias such as
``VOICECOACH_RECORDINGS``. CLI commands pass their flags to :func:`load_settings` as overrides.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from voicecoach.errors import ConfigError

PACKAGE_DIR = Path(__file__).resolve().parent
CONFIG_FILE_NAME = "voicecoach.toml"
# the grader used when none is configured: the trained key-point judge, which reads the
# candidate's own words (the phrasing patterns recognise only what their authors wrote);
# defined here, below every package, so the config default and the grader registry agree
DEFAULT_GRADER = "judge"


def _bundled(name: str) -> Path:
    """Where a packaged data folder lives: the repo checkout first, else the installed copy."""
    repo_copy = PACKAGE_DIR.parent / name
    if repo_copy.is_dir():
        return repo_copy
    return Path(sys.prefix) / "share" / "voicecoach" / name


def default_rubrics_dir() -> Path:
    """The bundled question bank."""
    return _bundled("rubrics")


def default_prompts_dir() -> Path:
    """The bundled LLM prompt templates."""
    return _bundled("prompts")


def config_file_candidates() -> list[Path]:
    """Config files in the order they are looked for; the first that exists wins."""
    candidates = []
    if explicit := os.environ.get("VOICECOACH_CONFIG"):
        candidates.append(Path(explicit))
    candidates.append(Path.cwd() / CONFIG_FILE_NAME)
    candidates.append(Path.home() / ".config" / "voicecoach" / CONFIG_FILE_NAME)
    return candidates


def find_config_file() -> Path | None:
    """The config file in use, if any."""
    return next((path for path in config_file_candidates() if path.is_file()), None)


class Settings(BaseSettings):
    """Every user-tunable setting, with the default a new user gets."""

    model_config = SettingsConfigDict(
        env_prefix="VOICECOACH_", extra="forbid", validate_default=True, populate_by_name=True
    )

    recordings_dir: Path = Field(
        Path("recordings"),
        validation_alias=AliasChoices("recordings_dir", "VOICECOACH_RECORDINGS"),
        description="where sessions are saved",
    )
    rubrics_dir: Path = Field(
        default_factory=default_rubrics_dir,
        validation_alias=AliasChoices("rubrics_dir", "VOICECOACH_RUBRICS"),
    )
    prompts_dir: Path = Field(
        default_factory=default_prompts_dir,
        validation_alias=AliasChoices("prompts_dir", "VOICECOACH_PROMPTS"),
    )
    stt_engine: str = Field("faster-whisper", description="faster-whisper | openai-whisper")
    stt_model: str = Field("tiny.en", description="tiny.en, base, a model name or a path")
    stt_threads: int = Field(0, ge=0, description="CPU threads for STT; 0 = engine default")
    stt_incremental: bool = Field(
        True, description="transcribe a spoken answer at its pauses while it is recorded"
    )
    allow_download: bool = Field(False, description="let STT fetch a model that is not present")
    tts_engine: str = Field(
        "piper", description="piper (natural, bundled voice; falls back to pyttsx3 when not "
        "installed) | pyttsx3 (espeak-ng)")
    tts_voice: str | None = Field(None, description="engine voice name; None = engine default")
    tts_rate: int = Field(170, gt=40, lt=400, description="words per minute")
    grader: str = Field(DEFAULT_GRADER, description="how answers are graded: judge (the trained "
                        "key-point judge) | patterns (alias offline) | llm (needs --llm)")
    llm: str = Field("none", description="none | ollama:MODEL | openai:MODEL | llamacpp:PATH")
    llm_base_url: str | None = Field(None, description="OpenAI-compatible server URL for openai:")
    llm_timeout: float = Field(8.0, gt=0, description="seconds before the LLM is skipped")
    input_device: str | None = Field(None, description="sounddevice input name or index")
    output_device: str | None = Field(None, description="sounddevice output name or index")
    turn_detection: Literal["model", "silence"] = Field(
        "model", description="model: the Smart Turn model and the words decide at each pause "
        "whether an answer is over | silence: end_silence seconds of silence end it")
    end_silence: float = Field(3.0, gt=0.3, description="turn_detection=silence: seconds of "
                               "silence that end an answer")
    think_ceiling: float = Field(8.0, ge=2, le=60, description="turn_detection=model: silence "
                                 "after an unfinished answer before 'take your time'")
    speakers: bool = Field(False, description="the interviewer plays on speakers, not "
                           "headphones: the microphone is ignored while it talks")
    max_answer_seconds: float = Field(180.0, gt=1, description="longest answer recorded")
    max_probes: int = Field(2, ge=0, le=5, description="follow-ups per question at most")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Flags (init) beat env, env beats the TOML file, the file beats defaults."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config_file = find_config_file()
        if config_file is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=config_file))
        return tuple(sources)


def load_settings(**overrides: Any) -> Settings:
    """Resolve settings; ``overrides`` are CLI flags, where None means "flag not given"."""
    given = {key: value for key, value in overrides.items() if value is not None}
    try:
        return Settings(**given)
    except ValidationError as error:
        source = find_config_file()
        where = f" (config file {source})" if source else ""
        problems = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or 'settings'}: {item['msg']}"
            for item in error.errors()
        )
        raise ConfigError(f"invalid settings{where}: {problems}") from None
    except Exception as error:  # a broken TOML file surfaces here as a decode error
        raise ConfigError(f"cannot read settings: {error}") from None
