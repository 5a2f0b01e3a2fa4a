"""Report formats by name, like openai/whisper's ``{"txt": WriteTXT, ...}`` writer registry."""

from __future__ import annotations

import json
from typing import Protocol

from voicecoach.report.data import ReportData
from voicecoach.report.html import HtmlWriter
from voicecoach.report.markdown import MarkdownWriter
from voicecoach.report.terminal import TerminalWriter


class ReportWriter(Protocol):
    """Turns report data into the text of one format."""

    name: str
    suffix: str

    def render(self, data: ReportData) -> str: ...


class JsonWriter:
    """Machine-readable: ``strengths``, ``gaps``, ``advice``, ``questions``, ``delivery``, …"""

    name = "json"
    suffix = ".json"

    def render(self, data: ReportData) -> str:
        return json.dumps(data.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"


WRITERS: dict[str, type[ReportWriter]] = {
    "terminal": TerminalWriter,
    "md": MarkdownWriter,
    "html": HtmlWriter,
    "json": JsonWriter,
}


def get_writer(name: str) -> ReportWriter:
    """The writer for a format name (the CLI restricts names to the registry's keys)."""
    return WRITERS[name]()
