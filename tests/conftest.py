"""Shared pytest configuration; area fixtures live in tests/fixtures/<area>.py, listed here."""

pytest_plugins: list[str] = [
    "tests.fixtures.report",
    "tests.fixtures.agent",
    "tests.fixtures.llm_server",
    "tests.fixtures.pulse",
    "tests.fixtures.grading",
    "tests.fixtures.speech_audio",
    "tests.fixtures.tracks",
]
