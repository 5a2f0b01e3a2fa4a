"""Report data and writers on a recorded session (fake grader/summary; the real ones are used in
tests/integration/test_report_reference.py)."""

from __future__ import annotations

import json
import re

import pytest

from tests.fixtures.report import fake_grade, fake_summarize
from voicecoach.report.charts import bar_chart, line_chart
from voicecoach.report.data import build_report
from voicecoach.report.writers import WRITERS, get_writer
from voicecoach.session.models import Regrade


def test_report_data_per_question_levels_topics_and_summary(recorded_session, mini_bank) -> None:
    _, session = recorded_session
    data = build_report(session, mini_bank, summarizer=fake_summarize)
    assert data.summary_source == "stored"
    rows = {row.question_id: row for row in data.questions}
    assert rows["max-depth"].level == "strong" and rows["max-depth"].followups == 1
    assert rows["binary-cross-entropy"].score == 25.0
    assert {t.topic: t.coverage for t in data.topics} == {"trees": 1.0, "losses": 0.25}
    assert [g.text for g in data.gaps] == ["formula"]
    assert data.overall_score == 62.5


def test_missing_summary_is_computed_from_grades(recorded_session, mini_bank) -> None:
    _, session = recorded_session
    session.summary = None
    data = build_report(session, mini_bank, summarizer=fake_summarize)
    assert data.summary_source == "computed"
    assert any("no stored summary" in note for note in data.notes)
    assert [s.text for s in data.strengths] == ["complexity", "noise", "probability"]


def test_saved_regrade_wins_over_live_grade(recorded_session, mini_bank) -> None:
    _, session = recorded_session
    better = fake_grade(mini_bank["binary-cross-entropy"], "log of the probability")
    session.turns[2].regrades.append(Regrade(grade=better, reason="test"))
    data = build_report(session, mini_bank, summarizer=fake_summarize)
    row = next(r for r in data.questions if r.question_id == "binary-cross-entropy")
    assert row.score == 100.0 and row.regraded
    assert data.summary_source == "computed" and data.gaps == []


def test_json_has_the_agreed_keys(recorded_session, mini_bank) -> None:
    _, session = recorded_session
    text = get_writer("json").render(build_report(session, mini_bank, summarizer=fake_summarize))
    payload = json.loads(text)
    for key in ("strengths", "gaps", "advice", "questions", "delivery"):
        assert key in payload
    assert payload["gaps"][0] == {  # the summary's own items, every field (topic too)
        "question_id": "binary-cross-entropy", "text": "formula", "evidence": "", "topic": "",
        "questions": [], "idea": "",
    }


def test_html_is_self_contained_with_three_charts(recorded_session, mini_bank) -> None:
    _, session = recorded_session
    html = get_writer("html").render(build_report(session, mini_bank, summarizer=fake_summarize))
    assert html.startswith("<!DOCTYPE html>")
    assert "<script" not in html and "<link" not in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
    for chart in ("chart-coverage", "chart-scores", "chart-pace"):
        assert f'id="{chart}"' in html
    assert 'data-label="binary-cross-entropy" data-value="25"' in html


def test_html_escapes_candidate_text(recorded_session, mini_bank) -> None:
    _, session = recorded_session
    session.self_assessment = "<script>alert(1)</script> & more"
    html = get_writer("html").render(build_report(session, mini_bank, summarizer=fake_summarize))
    assert "<script>" not in html and "&lt;script&gt;" in html


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_every_writer_names_questions_and_gaps(name, recorded_session, mini_bank) -> None:
    _, session = recorded_session
    text = get_writer(name).render(build_report(session, mini_bank, summarizer=fake_summarize))
    assert "binary-cross-entropy" in text and "max-depth" in text and "formula" in text


def test_pace_chart_uses_word_timings(recorded_session, mini_bank) -> None:
    pytest.importorskip("voicecoach.grading.delivery")
    _, session = recorded_session
    data = build_report(session, mini_bank, summarizer=fake_summarize)
    assert data.delivery.timed and len(data.delivery.pace) == 3
    assert all(100 < p.words_per_minute < 200 for p in data.delivery.pace)


def test_charts_clamp_and_handle_empty_data() -> None:
    svg = bar_chart("c", "t", [("a", 150.0, "#000")])
    assert 'width="380.0"' in svg  # clamped to the plot width
    assert "nothing graded yet" in bar_chart("c", "t", [])
    assert "no timings" in line_chart("p", "t", [], empty_message="no timings")
    single = line_chart("p", "t", [("#1", 140.0)], band=(130, 170))
    assert single.count("<circle") == 1 and 'class="band"' in single
