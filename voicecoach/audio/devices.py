"""Finding the microphone and speaker, and turning PortAudio's failures into one clear line.

sounddevice is imported lazily (text mode must work on a machine without PortAudio), and every
PortAudio error that reaches the user goes through :func:`audio_error`, which says how to fix it
and that ``--text`` works without any audio device.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from voicecoach.errors import AudioDeviceError

Direction = Literal["input", "output"]
TEXT_HINT = "or practise without audio: `voicecoach practice --text`"
PORTAUDIO_FIX = "install PortAudio (Debian/Ubuntu: `apt-get install libportaudio2`; macOS: " \
    "`brew install portaudio`)"


def sounddevice() -> ModuleType:
    """The sounddevice module, or AudioDeviceError when PortAudio itself is missing."""
    try:
        import sounddevice as sd
    except OSError as error:  # "PortAudio library not found"
        raise AudioDeviceError(f"{error}: {PORTAUDIO_FIX}, {TEXT_HINT}") from None
    module: ModuleType = sd
    return module


def reinitialize() -> None:
    """Re-enumerate devices: PortAudio lists them once at import, so a new audio server (a
    PulseAudio started later, a headset plugged in) is only seen after this."""
    sd = sounddevice()
    sd._terminate()
    sd._initialize()


def audio_error(error: BaseException, direction: Direction | None = None) -> AudioDeviceError:
    """A PortAudio failure as a one-line, actionable AudioDeviceError."""
    what = {"input": "microphone", "output": "speaker", None: "audio device"}[direction]
    env = {"input": "VOICECOACH_INPUT_DEVICE", "output": "VOICECOACH_OUTPUT_DEVICE",
           None: "VOICECOACH_INPUT_DEVICE / VOICECOACH_OUTPUT_DEVICE"}[direction]
    text = str(error).strip() or type(error).__name__
    if "device -1" in text or "No Default" in text or "no default" in text.lower():
        cause = f"no default {what} found ({text})"
    elif "Invalid device" in text or "No input device matching" in text \
            or "No output device matching" in text:
        cause = f"the configured {what} does not exist ({text})"
    elif "PortAudio library not found" in text:
        return AudioDeviceError(f"{text}: {PORTAUDIO_FIX}, {TEXT_HINT}")
    else:
        cause = f"cannot open the {what} ({text})"
    return AudioDeviceError(
        f"{cause}: check that a {what} is connected and not in use, list devices with "
        f"`voicecoach devices`, pick one with {env}=NAME_OR_INDEX, {TEXT_HINT}"
    )


@contextmanager
def running(sd: ModuleType, stream: Any, direction: Direction) -> Iterator[Any]:
    """Start an open stream of ``sd`` (a PortAudio failure becomes AudioDeviceError); close it
    on exit, whatever happens, Ctrl-C included."""
    try:
        stream.start()
    except sd.PortAudioError as error:
        stream.close(ignore_errors=True)
        raise audio_error(error, direction) from None
    try:
        yield stream
    finally:
        stream.close(ignore_errors=True)


@dataclass(frozen=True)
class DeviceInfo:
    """One PortAudio device, as `voicecoach devices` shows it."""

    index: int
    name: str
    hostapi: str
    max_input_channels: int
    max_output_channels: int
    default_samplerate: float
    is_default_input: bool
    is_default_output: bool


def list_devices() -> list[DeviceInfo]:
    """Every device PortAudio sees (an empty list when there are none)."""
    sd = sounddevice()
    try:
        raw: Any = sd.query_devices()
        hostapis: Any = sd.query_hostapis()
        default_in, default_out = _defaults(sd)
    except sd.PortAudioError as error:
        raise audio_error(error) from None
    return [
        DeviceInfo(
            index=int(device["index"]),
            name=str(device["name"]),
            hostapi=str(hostapis[device["hostapi"]]["name"]),
            max_input_channels=int(device["max_input_channels"]),
            max_output_channels=int(device["max_output_channels"]),
            default_samplerate=float(device["default_samplerate"]),
            is_default_input=int(device["index"]) == default_in,
            is_default_output=int(device["index"]) == default_out,
        )
        for device in raw
    ]


def _defaults(sd: ModuleType) -> tuple[int, int]:
    """The default input and output device indexes (-1 where there is none)."""
    found = []
    for kind in ("input", "output"):
        try:
            info: Any = sd.query_devices(kind=kind)
            found.append(int(info["index"]))
        except (ValueError, sd.PortAudioError):
            found.append(-1)
    return found[0], found[1]


def resolve_device(spec: str | int | None, direction: Direction) -> int | None:
    """A device index for a name, an index or None (None: PortAudio's default; also
    ``$VOICECOACH_INPUT_DEVICE``/``$VOICECOACH_OUTPUT_DEVICE`` when the caller passed none)."""
    if spec is None:
        spec = os.environ.get(f"VOICECOACH_{direction.upper()}_DEVICE") or None
    if spec is None:
        return None
    if isinstance(spec, int) or spec.strip().isdigit():
        index = int(spec)
        devices = list_devices()
        if not any(d.index == index for d in devices):
            raise audio_error(ValueError(f"Invalid device index {index}"), direction)
        return index
    sd = sounddevice()
    try:
        info: Any = sd.query_devices(spec, kind=direction)
    except (ValueError, sd.PortAudioError) as error:
        raise audio_error(error, direction) from None
    return int(info["index"])


def check_audio_available(
    *,
    input: bool = True,
    output: bool = True,
    input_device: str | int | None = None,
    output_device: str | int | None = None,
) -> None:
    """Raise AudioDeviceError (suggesting ``--text``) unless the needed devices exist.

    Called before an interview starts, so a missing microphone is reported in one line up front
    rather than as a PortAudio traceback after the first question has been spoken.
    """
    wanted: list[tuple[Direction, str | int | None]] = []
    if input:
        wanted.append(("input", input_device))
    if output:
        wanted.append(("output", output_device))
    for direction, spec in wanted:
        _check_one(direction, spec)


def _check_one(direction: Direction, spec: str | int | None) -> None:
    """The configured (or default) device for ``direction`` exists and has channels."""
    sd = sounddevice()
    index = resolve_device(spec, direction)
    try:
        info: Any = sd.query_devices(index, kind=direction) if index is None \
            else sd.query_devices(index)
    except (ValueError, sd.PortAudioError) as error:
        raise audio_error(error, direction) from None
    channels = info["max_input_channels" if direction == "input" else "max_output_channels"]
    if channels < 1:
        raise audio_error(ValueError(f"device {info['name']!r} has no {direction} channels"),
                          direction)
