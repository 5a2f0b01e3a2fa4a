"""``voicecoach init`` writes a file that lists every setting and round-trips to the defaults."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from voicecoach.config import Settings, load_settings
from voicecoach.errors import ConfigError
from voicecoach.init_config import init_command, render_config


def test_every_setting_is_listed() -> None:
    text = render_config()
    for name in Settings.model_fields:
        assert re.search(rf"^# {name} = ", text, re.MULTILINE), name


def test_uncommented_defaults_load_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("VOICECOACH_CONFIG", raising=False)
    lines = []
    for line in render_config().splitlines():
        if re.match(r"^# \w+ = ", line) and "(default:" not in line:
            line = line[2:]
        lines.append(line)
    (tmp_path / "voicecoach.toml").write_text("\n".join(lines))
    assert load_settings() == Settings()


def test_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "voicecoach.toml"
    init_command(path=target, force=False)
    with pytest.raises(ConfigError, match="already exists"):
        init_command(path=target, force=False)
    init_command(path=target, force=True)
    assert target.read_text() == render_config()
