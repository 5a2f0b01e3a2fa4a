"""``voicecoach grade`` (one answer or a JSONL batch) and ``voicecoach rubrics test``.

Commands are thin: they load settings and the bank, call ``grade_answer`` / ``test_rubric``, and
print a Rich card or JSON. Models (STT, LLM) are loaded once per invocation, also for a batch.
"""

from __future__ import annotations

import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from voicecoach.config import Settings, load_settings
from voicecoach.errors import ConfigError, MissingDependencyError, VoicecoachError
from voicecoach.grading.cards import grade_card
from voicecoach.grading.delivery import delivery_metrics
from voicecoach.grading.grader import grader_from_config
from voicecoach.grading.models import Grade
from voicecoach.grading.rubric_test import Agreement, ExampleResult, test_rubric
from voicecoach.rubric.loader import LoadedRubric, RubricBank, load_bank, load_rubric, rubric_files
from voicecoach.speech.transcript import Transcript

console = Console()
error_console = Console(stderr=True)
Transcribe = Callable[[Path, str], Transcript]


def grade_json(grade: Grade) -> dict[str, Any]:
    """The public JSON shape of a grade (documented in ``voicecoach grade --help``)."""
    data: dict[str, Any] = {
        "question": grade.question_id,
        "rubric_version": grade.provenance.rubric_version,
        "score": grade.score,
        "level": grade.level,
        "key_points": [
            {"id": p.id, "status": p.status, "evidence": p.evidence, "confidence": p.confidence}
            for p in grade.key_points
        ],
        "misconceptions": [
            {"id": m.id, "evidence": m.evidence, "severity": m.severity}
            for m in grade.misconceptions
        ],
        "followup": grade.followup.model_dump() if grade.followup else None,
        "caps_applied": grade.caps_applied,
        "provenance": grade.provenance.model_dump(),
    }
    if grade.delivery is not None:
        data["delivery"] = grade.delivery.model_dump()
    return data


def _transcriber(settings: Settings) -> Transcribe:
    """Load the STT engine once; return a function that transcribes with the question as prompt."""
    try:  # imported by name: the STT area is optional for text-only grading
        stt_module = importlib.import_module("voicecoach.speech.stt")
    except ImportError as error:
        raise MissingDependencyError(f"speech-to-text is not available ({error})") from None
    stt = stt_module.create_stt(
        settings.stt_engine, settings.stt_model, threads=settings.stt_threads,
        allow_download=settings.allow_download,
    )

    def transcribe(path: Path, question: str) -> Transcript:
        if not path.is_file():
            raise ConfigError(f"audio file {path} not found")
        transcript: Transcript = stt.transcribe(path, prompt=question, word_timestamps=True)
        return transcript

    return transcribe


class _Grader:
    """Grades answers with the models loaded at most once (STT on first audio, the grader's
    models up front)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.grade_answer = grader_from_config(settings)
        self._transcribe: Transcribe | None = None

    def grade(self, loaded: LoadedRubric, text: str | None, audio: Path | None) -> Grade:
        if audio is not None:
            if self._transcribe is None:
                self._transcribe = _transcriber(self.settings)
            transcript = self._transcribe(audio, loaded.rubric.question)
        else:
            transcript = Transcript.from_text(text or "")
        grade = self.grade_answer(loaded, transcript)
        if audio is not None:
            grade.delivery = delivery_metrics(transcript)
        return grade


def _batch(path: Path, bank: RubricBank, grader: _Grader) -> None:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise ConfigError(f"cannot read batch file {path}: {error.strerror}") from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        out: dict[str, Any] = {}
        try:
            item = json.loads(line)
            if not isinstance(item, dict):
                raise ConfigError("each line must be a JSON object")
            if "id" in item:
                out["id"] = item["id"]
            has_text, has_audio = "text" in item, "audio" in item
            if "question" not in item or has_text == has_audio:
                raise ConfigError('needs "question" and exactly one of "text" or "audio"')
            audio = Path(item["audio"]) if has_audio else None
            if audio is not None and not audio.is_absolute():
                audio = path.parent / audio
            grade = grader.grade(bank.get_rubric(str(item["question"])), item.get("text"), audio)
            out.update(grade_json(grade))
        except json.JSONDecodeError as error:
            out["error"] = f"line {number}: invalid JSON ({error.msg})"
        except VoicecoachError as error:
            out["error"] = f"line {number}: {error}"
        except Exception as error:  # one bad line never stops the batch
            out["error"] = f"line {number}: {type(error).__name__}: {error}"
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
        sys.stdout.flush()


def grade_command(
    question: Annotated[
        str | None, typer.Option("--question", "-q", help="Question id (see `rubrics list`).")
    ] = None,
    text: Annotated[str | None, typer.Option("--text", "-t", help="The answer as text.")] = None,
    audio: Annotated[
        Path | None, typer.Option("--audio", "-a", help="The answer as a WAV file.")
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option("--batch", help='JSONL file: {"id"?, "question", "text" | "audio"} a line.'),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a card.")] = False,
    grader: Annotated[
        str | None,
        typer.Option("--grader", help="judge (default), patterns ('offline' is the old "
                     "name) or llm (needs --llm); default: the configured grader."),
    ] = None,
    llm: Annotated[str | None, typer.Option("--llm", help="LLM for --grader llm.")] = None,
    llm_base_url: Annotated[
        str | None, typer.Option("--llm-base-url", help="OpenAI-compatible server URL.")
    ] = None,
    rubrics_dir: Annotated[
        Path | None, typer.Option("--rubrics", help="Rubric folder (default: configured bank).")
    ] = None,
) -> None:
    """Grade one answer against a question's rubric, or a batch of answers.

    The grade lists each key point (covered / partial / missing) with the quote that shows it,
    misconceptions with their quote, the score (0-100) and level computed from the rubric's
    weights, thresholds and caps, and the follow-up the interviewer would ask next. With
    --audio the answer is transcribed first (the question is the STT prompt) and delivery
    metrics (pace, fillers, pauses) are added.

    --json prints one object: question, rubric_version, score, level, key_points (id, status,
    evidence, confidence), misconceptions (id, evidence, severity), followup (question, targets,
    or null), caps_applied, provenance, and delivery when audio was given. --batch prints one
    such object per input line, in order, passing "id" through; a bad line prints {"error": ...}
    and the rest still grade.

    Examples:

      voicecoach grade -q max-depth -t "Deeper trees overfit because they memorise noise."

      voicecoach grade -q kmeans --audio answer.wav --json

      voicecoach grade --batch answers.jsonl --json
    """
    settings = load_settings(
        **{k: v for k, v in
           {"rubrics_dir": rubrics_dir, "llm": llm, "llm_base_url": llm_base_url,
            "grader": grader}.items()
           if v is not None}
    )
    bank = load_bank(settings.rubrics_dir)
    engine = _Grader(settings)
    if batch is not None:
        if question or text is not None or audio is not None:
            raise ConfigError("--batch takes no --question, --text or --audio")
        _batch(batch, bank, engine)
        return
    if question is None or (text is None) == (audio is None):
        raise ConfigError("give --question and exactly one of --text or --audio (or --batch)")
    grade = engine.grade(bank.get_rubric(question), text, audio)
    if as_json:
        typer.echo(json.dumps(grade_json(grade), indent=2, ensure_ascii=False))
    else:
        console.print(grade_card(grade, bank.get_rubric(question).rubric))


def _test_targets(paths: list[Path] | None, settings: Settings) -> list[LoadedRubric]:
    if not paths:
        return load_bank(settings.rubrics_dir).ordered()
    files = rubric_files(paths)
    if not files:
        raise ConfigError(f"no rubric files (*.yaml) found in {', '.join(map(str, paths))}")
    return [load_rubric(f) for f in files]


def rubrics_test_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Rubric files or folders; default: the configured bank.",
                       show_default=False),
    ] = None,
    min_kappa: Annotated[
        float, typer.Option("--min-kappa", help="Fail below this overall quadratic kappa.")
    ] = 0.75,
    min_exact: Annotated[
        float, typer.Option("--min-exact", help="Fail below this overall exact agreement.")
    ] = 0.8,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", help="Hide the disagreement list.")] = False,
    grader: Annotated[
        str | None,
        typer.Option("--grader", help="judge, patterns or llm; default: the configured grader."),
    ] = None,
) -> None:
    """Grade every rubric's own examples and report agreement with their labels.

    Per question and overall: exact and adjacent level agreement, quadratic weighted kappa,
    key-point agreement (covered or not, against each example's `covers`) and misconception
    agreement. Each disagreement is listed: fix the pattern, or the label if it was wrong.
    Exits 1 when overall kappa < --min-kappa or exact agreement < --min-exact.

    Examples:

      voicecoach rubrics test

      voicecoach rubrics test rubrics/trees --min-kappa 0.8

      voicecoach rubrics test rubrics/trees --grader patterns
    """
    settings = load_settings(**({"grader": grader} if grader is not None else {}))
    grade = grader_from_config(settings)
    per_question: list[tuple[str, list[ExampleResult]]] = [
        (loaded.id, test_rubric(loaded, grade)) for loaded in _test_targets(paths, settings)
    ]
    everything = [r for _, results in per_question for r in results]
    overall = Agreement.of(everything)
    failed = overall.kappa < min_kappa or overall.exact < min_exact
    if as_json:
        rows = [{"question": q, **vars(Agreement.of(rs))} for q, rs in per_question]
        typer.echo(json.dumps({
            "questions": rows,
            "overall": vars(overall),
            "disagreements": [
                {"question": r.question_id, "example": r.index, "issues": r.disagreements}
                for r in everything if r.disagreements
            ],
            "passed": not failed,
        }, indent=2))
    else:
        _print_agreement(per_question, overall, quiet)
        verdict = "[red]FAIL[/]" if failed else "[green]PASS[/]"
        console.print(
            f"{verdict}: kappa {overall.kappa:.3f} (min {min_kappa}), "
            f"exact {overall.exact:.3f} (min {min_exact})"
        )
    if failed:
        raise typer.Exit(1)


def _print_agreement(
    per_question: list[tuple[str, list[ExampleResult]]], overall: Agreement, quiet: bool
) -> None:
    table = Table("question", "n", "exact", "adjacent", "kappa", "points", "misconc.")
    for question_id, results in [*per_question, ("overall", [])]:
        a = overall if question_id == "overall" else Agreement.of(results)
        style = "bold" if question_id == "overall" else ""
        table.add_row(
            question_id, str(a.examples), f"{a.exact:.2f}", f"{a.adjacent:.2f}",
            f"{a.kappa:.2f}", f"{a.points:.2f}", f"{a.misconceptions:.2f}", style=style,
        )
    console.print(table)
    if quiet:
        return
    for _, results in per_question:
        for r in results:
            if r.disagreements:
                console.print(
                    f"[yellow]{r.question_id}[/] example {r.index}: " + "; ".join(r.disagreements),
                    highlight=False, markup=True,
                )


def register(app: typer.Typer) -> None:
    """Attach ``voicecoach grade`` and ``voicecoach rubrics test``."""
    from voicecoach.rubric.commands import rubrics_app

    app.command("grade")(grade_command)
    rubrics_app.command("test")(rubrics_test_command)
