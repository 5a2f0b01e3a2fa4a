"""The HTML report rendered by a real browser (headless Chromium): the charts are in the DOM and
the screenshot is not blank. Skipped where no Chromium is installed (apt `chromium`)."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from tests.fixtures.report import run_cli

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking",
]


def _chromium(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    return subprocess.run(
        [CHROMIUM, *FLAGS, *args], capture_output=True, text=True, timeout=120, cwd=cwd,
        check=False, env={"HOME": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def _png_pixels(path: Path) -> tuple[int, int, bytes]:
    """Width, height and the raw (filtered) pixel bytes of a PNG, with only the stdlib."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    chunks, offset = [], 8
    while offset < len(data):
        length, kind = struct.unpack(">I4s", data[offset: offset + 8])
        if kind == b"IDAT":
            chunks.append(data[offset + 8: offset + 8 + length])
        offset += 12 + length
    return width, height, zlib.decompress(b"".join(chunks))


@pytest.fixture(scope="module")
def html_report(reference_store: tuple[Path, Path, str], tmp_path_factory) -> Path:
    recordings, bank, session_id = reference_store
    out = tmp_path_factory.mktemp("html") / "report.html"
    result = run_cli(
        ["report", session_id, "--format", "html", "--out", str(out), "--rubrics", str(bank)],
        {"VOICECOACH_RECORDINGS": str(recordings)},
    )
    assert result.returncode == 0, result.stderr
    return out


def test_file_is_self_contained(html_report: Path) -> None:
    html = html_report.read_text(encoding="utf-8")
    assert "<script" not in html and "<link" not in html and "@import" not in html
    assert not re.search(r"""(src|href|url)\s*[=(]\s*["']?(https?:)?//""", html)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt install chromium)")
def test_chromium_dom_has_charts_and_sections(html_report: Path) -> None:
    result = _chromium("--dump-dom", html_report.as_uri(), cwd=html_report.parent)
    assert result.returncode == 0, result.stderr[-2000:]
    dom = result.stdout
    for element in ('id="chart-coverage"', 'id="chart-scores"', 'id="chart-pace"',
                    'id="summary"', 'id="verdict"', 'id="strengths"', 'id="gaps"',
                    'id="advice"', 'id="questions"'):
        assert element in dom, element
    # the report leads with the closing summary, then the charts, then the per-point detail
    assert dom.index('id="summary"') < dom.index('id="charts"') < dom.index('id="questions"')
    summary = dom[dom.index('id="summary"'): dom.index('id="charts"')]
    assert "borderline" in summary and summary.count("<li") <= 3 + 3 + 2
    assert 'class="idea"' in summary and "<blockquote>" in summary
    scores = re.search(r'<svg id="chart-scores".*?</svg>', dom, re.S)
    assert scores is not None
    bars = re.findall(r'class="bar"[^>]*data-label="([^"]+)" data-value="([\d.]+)"', scores[0])
    assert len(bars) >= 15 and all(0 <= float(v) <= 100 for _, v in bars)
    assert dom.count('class="question"') == len(bars)
    assert "binary-cross-entropy" in dict(bars)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt install chromium)")
def test_chromium_screenshot_is_not_blank(html_report: Path) -> None:
    shot = html_report.parent / "report.png"
    result = _chromium(
        f"--screenshot={shot}", "--window-size=1000,1600", html_report.as_uri(),
        cwd=html_report.parent,
    )
    assert result.returncode == 0 and shot.is_file(), result.stderr[-2000:]
    width, height, pixels = _png_pixels(shot)
    assert (width, height) == (1000, 1600)
    assert len(set(pixels)) > 50  # text, bars and colours; a blank page has a handful of values
