"""PortAudio failures become one actionable line; the done-phrase matcher; the CLI commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from voicecoach.audio import devices
from voicecoach.audio.phrases import done_phrase_checker, is_done_phrase
from voicecoach.errors import AudioDeviceError

REPO = Path(__file__).parents[2]


class PortAudioError(Exception):
    pass


@pytest.mark.parametrize(
    ("raw", "direction", "expected"),
    [
        ("Error querying device -1", "input", "no default microphone found"),
        ("Error querying device -1", "output", "no default speaker found"),
        ("No input device matching 'USB'", "input", "the configured microphone does not exist"),
        ("Error opening InputStream: Device unavailable [PaErrorCode -9985]", "input",
         "cannot open the microphone"),
    ],
)
def test_portaudio_errors_become_one_line_with_the_fix(raw: str, direction: Any,
                                                        expected: str) -> None:
    message = str(devices.audio_error(PortAudioError(raw), direction))
    assert message.startswith(expected)
    assert "voicecoach practice --text" in message and "\n" not in message
    assert f"VOICECOACH_{direction.upper()}_DEVICE" in message


def test_missing_portaudio_library_says_what_to_install() -> None:
    message = str(devices.audio_error(OSError("PortAudio library not found")))
    assert "apt-get install libportaudio2" in message and "--text" in message


def fake_sd(default: tuple[int, int], device_list: list[dict[str, Any]]) -> SimpleNamespace:
    def query_devices(device: Any = None, kind: str | None = None) -> Any:
        if device is None and kind is None:
            return device_list
        index = device if device is not None else default[0 if kind == "input" else 1]
        if index < 0:
            raise PortAudioError("Error querying device -1")
        if isinstance(index, str):
            raise ValueError(f"No {kind} device matching {index!r}")
        return device_list[index]

    return SimpleNamespace(
        query_devices=query_devices, PortAudioError=PortAudioError,
        query_hostapis=lambda: [{"name": "ALSA"}],
        default=SimpleNamespace(device=list(default)),
    )


SPEAKER_ONLY = [{"index": 0, "name": "speaker", "hostapi": 0, "max_input_channels": 0,
                 "max_output_channels": 2, "default_samplerate": 48000.0}]


def test_check_audio_available_reports_the_missing_microphone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(devices, "sounddevice", lambda: fake_sd((-1, 0), SPEAKER_ONLY))
    monkeypatch.delenv("VOICECOACH_INPUT_DEVICE", raising=False)
    devices.check_audio_available(input=False, output=True)
    with pytest.raises(AudioDeviceError, match="no default microphone"):
        devices.check_audio_available()
    with pytest.raises(AudioDeviceError, match="has no input channels"):
        devices.check_audio_available(input_device="0", output=False)


def test_configured_device_by_env_must_exist(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(devices, "sounddevice", lambda: fake_sd((0, 0), SPEAKER_ONLY))
    monkeypatch.setenv("VOICECOACH_OUTPUT_DEVICE", "7")
    with pytest.raises(AudioDeviceError, match="configured speaker does not exist"):
        devices.resolve_device(None, "output")
    monkeypatch.setenv("VOICECOACH_OUTPUT_DEVICE", "0")
    assert devices.resolve_device(None, "output") == 0
    listed = devices.list_devices()
    assert listed[0].name == "speaker" and listed[0].is_default_output


@pytest.mark.parametrize(
    ("text", "done"),
    [
        ("And that's basically it. I'm done.", True),
        ("I am done", True),
        ("Im done!", True),
        ("That's my answer.", True),
        ("I'm done with the forward pass, then we backpropagate", False),
        ("so the gradient tells us the direction", False),
        ("", False),
    ],
)
def test_done_phrase_only_at_the_end(text: str, done: bool) -> None:
    assert is_done_phrase(text) is done


def test_done_phrase_checker_transcribes_the_recent_audio() -> None:
    import numpy as np

    heard: list[int] = []

    def transcribe(audio: Any) -> str:
        heard.append(len(audio))
        return " I'm done."

    assert done_phrase_checker(transcribe)(np.zeros(16000, dtype=np.float32)) is True
    assert heard == [16000]


def run_cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "voicecoach.cli", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=120,
                          env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **env})


def test_say_out_writes_a_wav_and_unknown_voice_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "q.wav"
    result = run_cli("say", "What is gradient descent?", "--out", str(out), "--rate", "150")
    assert result.returncode == 0, result.stderr
    import soundfile as sf

    assert sf.info(str(out)).duration > 1.0
    bad = run_cli("say", "hello", "--voice", "no-such-voice", "--out", str(out))  # Piper
    assert bad.returncode == 1
    assert "unknown Piper voice 'no-such-voice'" in bad.stderr
    assert "en_US-joe-medium" in bad.stderr and "Traceback" not in bad.stderr
    bad = run_cli("say", "hello", "--tts", "pyttsx3", "--voice", "no-such-voice",
                  "--out", str(out))
    assert bad.returncode == 1
    assert "unknown pyttsx3/espeak-ng voice 'no-such-voice'" in bad.stderr
    assert "gmw/en-us" in bad.stderr and "Traceback" not in bad.stderr


def test_doctor_json_lists_every_check_with_a_fix_for_failures() -> None:
    result = run_cli("doctor", "--json")
    checks = json.loads(result.stdout)
    names = [check["name"] for check in checks]
    for expected in ("PortAudio", "microphone", "speaker", "espeak-ng voice (pyttsx3)",
                     "Silero VAD (end of answer)", "STT model tiny.en"):
        assert expected in names
    required_failures = [c for c in checks if c["required"] and not c["ok"]]
    assert result.returncode == (1 if required_failures else 0)
    assert all(c["fix"] for c in checks if not c["ok"])
    assert all(c["ok"] for c in checks if c["name"] in ("PortAudio", "espeak-ng voice (pyttsx3)"))
