"""Rubric loading: valid files load; every kind of broken file names file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from voicecoach.errors import RubricError
from voicecoach.rubric.lint import lint_paths
from voicecoach.rubric.loader import load_bank, load_rubric, parse_rubric

TINY = Path(__file__).parents[1] / "fixtures" / "data" / "tiny-rubric.yaml"


def write_variant(tmp_path: Path, old: str, new: str, name: str = "tiny-rubric.yaml") -> Path:
    text = TINY.read_text()
    assert old in text, f"fixture no longer contains {old!r}"
    path = tmp_path / name
    path.write_text(text.replace(old, new, 1))
    return path


def test_valid_rubric_loads_with_hash() -> None:
    loaded = load_rubric(TINY)
    assert loaded.id == "tiny-rubric"
    assert [p.id for p in loaded.rubric.key_points] == ["limits-complexity", "noise"]
    assert len(loaded.sha256) == 64
    assert loaded.rubric.key_point("noise").weight == 1


def test_non_numeric_weight_names_file_line_and_field(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "weight: 1\n", "weight: lots\n")
    with pytest.raises(RubricError) as caught:
        load_rubric(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:14:")
    assert "key_points[1].weight" in message
    assert "'lots'" in message


def test_invalid_yaml_reports_line(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "topic: testing\n", "topic: [unclosed\n")
    _, problems = parse_rubric(path)
    assert len(problems) == 1
    assert "invalid YAML" in problems[0].message
    assert problems[0].line >= 4


def test_missing_field_reported_at_parent(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "question: Why is max depth a useful parameter?\n", "")
    _, problems = parse_rubric(path)
    assert [(p.field, p.message) for p in problems] == [("question", "required field is missing")]


def test_wrong_type_for_list(tmp_path: Path) -> None:
    path = write_variant(tmp_path, 'patterns: ["deeper always better"]', "patterns: 12")
    _, problems = parse_rubric(path)
    assert problems and problems[0].field == "misconceptions[0].patterns"
    assert problems[0].line == 22


def test_unknown_key_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = write_variant(
        tmp_path,
        "    probe: What does the depth control?\n",
        "    probe: What does the depth control?\n    wieght: 3\n",
    )
    _, problems = parse_rubric(path)
    assert [(p.line, p.field) for p in problems] == [(13, "key_points[0].wieght")]
    assert "unknown field" in problems[0].message


def test_duplicate_yaml_key_is_reported(tmp_path: Path) -> None:
    path = write_variant(tmp_path, "version: 1\n", "version: 1\nversion: 2\n")
    _, problems = parse_rubric(path)
    assert any("defined twice" in p.message and p.line == 4 for p in problems)


def test_not_a_mapping(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- a\n- b\n")
    _, problems = parse_rubric(path)
    assert problems[0].message.startswith("a rubric must be a YAML mapping")


def test_lint_meaning_problems(tmp_path: Path) -> None:
    text = TINY.read_text()
    text = text.replace("    probe: What does the depth control?\n", "")
    text = text.replace("covers: [limits-complexity]\n", "covers: [limits-complexity, nope]\n")
    (tmp_path / "tiny-rubric.yaml").write_text(text)
    _, problems = lint_paths([tmp_path])
    messages = [f"{p.field}: {p.message}" for p in problems]
    assert any("key_points[0].probe: a required key point needs a probe" in m for m in messages)
    assert any("examples[1].covers: unknown key point 'nope'" in m for m in messages)


def test_lint_clean_fixture_and_duplicate_ids(tmp_path: Path) -> None:
    _, problems = lint_paths([TINY])
    assert problems == []
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "tiny-rubric.yaml").write_text(TINY.read_text())
    (tmp_path / "tiny-rubric.yaml").write_text(TINY.read_text())
    _, problems = lint_paths([tmp_path])
    assert [p.message.split(" (")[0] for p in problems] == ["duplicate id 'tiny-rubric'"]


def test_load_bank_orders_and_reports_unknown_ids(tmp_path: Path) -> None:
    (tmp_path / "tiny-rubric.yaml").write_text(TINY.read_text())
    bank = load_bank(tmp_path)
    assert list(bank) == ["tiny-rubric"]
    with pytest.raises(RubricError, match="known ids: tiny-rubric"):
        bank.get_rubric("nope")


def test_thresholds_must_be_ordered(tmp_path: Path) -> None:
    path = write_variant(
        tmp_path, "examples:\n", "thresholds: {strong: 30, partial: 60}\nexamples:\n"
    )
    _, problems = parse_rubric(path)
    assert problems and problems[0].field == "thresholds"
    assert "must be ordered" in problems[0].message
