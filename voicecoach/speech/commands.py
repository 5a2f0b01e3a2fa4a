"""``voicecoach transcribe`` and ``voicecoach models ...``: thin commands over the STT modules.

Progress and per-file errors go to stderr, so ``--json`` output on stdout is always clean JSON.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from voicecoach.config import load_settings
from voicecoach.errors import VoicecoachError
from voicecoach.speech.transcript import Transcript

models_app = typer.Typer(
    help="Speech-to-text models: list the bundled ones, convert them for openai-whisper.",
    no_args_is_help=True,
)
err = Console(stderr=True)


def transcribe_command(
    audio: Annotated[list[Path], typer.Argument(help="Audio files (WAV, FLAC, OGG, ...).")],
    stt: Annotated[str | None, typer.Option(
        "--stt", help="Engine: faster-whisper (default) or openai-whisper.")] = None,
    model: Annotated[str | None, typer.Option(
        "--model", help="tiny.en (default), base, another model name, or a path.")] = None,
    prompt: Annotated[str | None, typer.Option(
        "--prompt", help="Context for the decoder, e.g. the question that was asked.")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print a JSON list, one object per file.")] = False,
    allow_download: Annotated[bool | None, typer.Option(
        "--allow-download", help="Fetch a named model that is not installed (needs internet).")
    ] = None,
    threads: Annotated[int | None, typer.Option("--threads", help="CPU threads; 0 = auto.")] = None,
) -> None:
    """Transcribe audio files offline, with word timings.

    A file that cannot be read is reported on stderr and the others are still transcribed
    (the exit status is then 1).

    Examples:

      voicecoach transcribe answer.wav

      voicecoach transcribe a.wav b.wav --json

      voicecoach transcribe answer.wav --stt openai-whisper --model base
    """
    from voicecoach.speech.stt import AudioFileError, create_stt

    settings = load_settings(stt_engine=stt, stt_model=model, stt_threads=threads,
                             allow_download=allow_download)
    engine = create_stt(settings.stt_engine, settings.stt_model, threads=settings.stt_threads,
                        allow_download=settings.allow_download, progress=True)
    results: list[dict[str, Any]] = []
    failed = 0
    for path in audio:
        try:
            transcript = engine.transcribe(path, prompt=prompt)
        except AudioFileError as error:
            failed += 1
            err.print(f"[bold red]error:[/] {error}", highlight=False, soft_wrap=True)
            continue
        if as_json:
            results.append(_as_json(path, transcript))
        else:
            header = f"{path} ({transcript.duration:.1f} s)" if len(audio) > 1 else ""
            if header:
                typer.echo(header)
            typer.echo(transcript.text)
    if as_json:
        json.dump(results, sys.stdout, indent=2)
        sys.stdout.write("\n")
    if failed:
        raise typer.Exit(1)


def _as_json(path: Path, transcript: Transcript) -> dict[str, Any]:
    return {
        "path": str(path),
        "text": transcript.text,
        "duration": transcript.duration,
        "words": [w.model_dump() for w in transcript.words],
        "engine": transcript.engine,
        "model": transcript.model,
        "seconds": transcript.seconds,
        "settings": transcript.settings,
    }


@models_app.command("convert-openai")
def convert_openai_command(
    model: Annotated[str, typer.Option(
        "--model", help="Bundled model to convert: tiny.en or base.")] = "tiny.en",
    out: Annotated[Path | None, typer.Option(
        "--out", help="Checkpoint path (default: ~/.cache/voicecoach/openai-whisper/MODEL.pt).")
    ] = None,
) -> None:
    """Convert a bundled CTranslate2 model into an openai-whisper checkpoint (offline).

    `--stt openai-whisper` does this automatically on first use; run it yourself to choose
    where the checkpoint goes, then pass that path as `--model`.

    Examples:

      voicecoach models convert-openai

      voicecoach models convert-openai --model base --out base.pt
    """
    from voicecoach.speech.convert_openai import convert
    from voicecoach.speech.models import BUNDLED_MODELS, locate_model, openai_checkpoint_path

    if model not in BUNDLED_MODELS:
        raise VoicecoachError(f"can only convert the bundled models: {', '.join(BUNDLED_MODELS)}")
    target = out or openai_checkpoint_path(model)
    with err.status(f"converting {model}…"):
        convert(locate_model(model), target)
    typer.echo(str(target))


@models_app.command("list")
def list_command() -> None:
    """List the bundled STT models and their openai-whisper checkpoints.

    Example:

      voicecoach models list
    """
    from voicecoach.speech.models import list_models

    table = Table("model", "installed", "where", "openai-whisper checkpoint")
    for info in list_models():
        table.add_row(info.name, "yes" if info.installed else "no", info.detail,
                      str(info.openai_checkpoint) if info.openai_checkpoint else "-")
    Console().print(table)


def register(app: typer.Typer) -> None:
    """Attach ``transcribe`` and ``models``."""
    app.command("transcribe")(transcribe_command)
    app.add_typer(models_app, name="models")
