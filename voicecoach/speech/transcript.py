"""What every speech-to-text engine returns: text, segments and word timings, plus how it was made.

Engines differ; this model does not. Grading, delivery metrics and recordings depend only on it,
so a recording made with one engine can be re-graded or compared with another.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class Word(BaseModel):
    """One recognised word with its timing (seconds from the start of the audio)."""

    word: str
    start: float
    end: float
    probability: float = 1.0


class Segment(BaseModel):
    """A decoder segment; kept for the hallucination filters and for display."""

    text: str
    start: float
    end: float
    no_speech_prob: float = 0.0
    avg_logprob: float = 0.0
    compression_ratio: float = 0.0


class Transcript(BaseModel):
    """A transcription result that carries the exact engine, model and options used."""

    text: str
    words: list[Word] = Field(default_factory=list)
    segments: list[Segment] = Field(default_factory=list)
    duration: float = 0.0
    engine: str = "text"
    model: str = ""
    settings: dict[str, Any] = Field(default_factory=dict)
    seconds: float = Field(0.0, description="wall-clock time the transcription took")

    @classmethod
    def from_text(cls, text: str) -> Transcript:
        """A typed answer: no timings, engine ``text``."""
        return cls(text=text, engine="text")
