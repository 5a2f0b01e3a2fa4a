"""Errors that the CLI turns into one clear line (no traceback) and a non-zero exit."""

from __future__ import annotations


class VoicecoachError(Exception):
    """A user-facing error: the message says what went wrong and how to fix it."""

    exit_code = 1


class ConfigError(VoicecoachError):
    """Bad configuration value or file."""


class RubricError(VoicecoachError):
    """A rubric file that does not load; the message reads ``path:line: field: message``."""


class SessionError(VoicecoachError):
    """A session that cannot be found, read or written."""


class MissingDependencyError(VoicecoachError):
    """An optional package or system library is missing; the message says how to install it."""


class AudioDeviceError(VoicecoachError):
    """No usable microphone or speaker; the message suggests ``--text``."""
