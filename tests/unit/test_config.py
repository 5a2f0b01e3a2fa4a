"""Settings precedence: CLI flag > env VOICECOACH_* > voicecoach.toml > defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicecoach.config import load_settings
from voicecoach.errors import ConfigError


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in (
        "VOICECOACH_CONFIG",
        "VOICECOACH_RECORDINGS",
        "VOICECOACH_STT_MODEL",
        "VOICECOACH_END_SILENCE",
        "VOICECOACH_LLM",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path


def test_defaults(clean_env: Path) -> None:
    settings = load_settings()
    assert settings.stt_engine == "faster-whisper"
    assert settings.stt_model == "tiny.en"
    assert settings.end_silence == 3.0
    assert settings.llm == "none"
    assert (settings.rubrics_dir / "README.md").exists() or settings.rubrics_dir.name == "rubrics"


def test_precedence_flag_over_env_over_file(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (clean_env / "voicecoach.toml").write_text(
        'stt_model = "base"\nend_silence = 4.0\nrecordings_dir = "from-file"\n'
    )
    settings = load_settings()
    assert (settings.stt_model, settings.end_silence) == ("base", 4.0)
    assert settings.recordings_dir == Path("from-file")

    monkeypatch.setenv("VOICECOACH_STT_MODEL", "small.en")
    monkeypatch.setenv("VOICECOACH_RECORDINGS", "/tmp/from-env")
    settings = load_settings()
    assert settings.stt_model == "small.en"
    assert settings.end_silence == 4.0
    assert settings.recordings_dir == Path("/tmp/from-env")

    settings = load_settings(stt_model="tiny.en", recordings_dir=None)
    assert settings.stt_model == "tiny.en"
    assert settings.recordings_dir == Path("/tmp/from-env")


def test_user_config_dir_is_used(clean_env: Path) -> None:
    user_dir = clean_env / "home" / ".config" / "voicecoach"
    user_dir.mkdir(parents=True)
    (user_dir / "voicecoach.toml").write_text("tts_rate = 150\n")
    assert load_settings().tts_rate == 150


def test_bad_values_are_one_clear_error(clean_env: Path) -> None:
    (clean_env / "voicecoach.toml").write_text('end_silence = "forever"\n')
    with pytest.raises(ConfigError, match=r"voicecoach.toml.*end_silence"):
        load_settings()
    (clean_env / "voicecoach.toml").write_text("not_a_setting = 1\n")
    with pytest.raises(ConfigError, match="not_a_setting"):
        load_settings()
    (clean_env / "voicecoach.toml").write_text("broken = [\n")
    with pytest.raises(ConfigError, match="cannot read settings"):
        load_settings()
