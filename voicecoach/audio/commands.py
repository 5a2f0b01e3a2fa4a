"""``voicecoach say``, ``devices`` and ``doctor``: the interviewer's voice and the audio setup."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from voicecoach.config import load_settings

console = Console()


def say_command(
    text: Annotated[str, typer.Argument(help="What to say; '-' reads standard input.")] = "",
    tts: Annotated[str | None, typer.Option(
        "--tts", help="piper (default, natural) or pyttsx3 (espeak-ng).")] = None,
    voice: Annotated[str | None, typer.Option(help="Engine voice (see --list-voices).")] = None,
    rate: Annotated[int | None, typer.Option(help="Words per minute (default 170).")] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o",
                                             help="Write a WAV file instead of playing.")] = None,
    list_voices: Annotated[bool, typer.Option("--list-voices",
                                              help="List the engine's voices and exit.")] = False,
) -> None:
    """Speak a sentence with the interviewer's voice, or save it as a WAV file.

    Examples:

      voicecoach say "What is the difference between supervised and unsupervised learning?"

      voicecoach say "Tell me about k-means." --rate 150

      voicecoach say "Hello" --tts pyttsx3 --voice en-gb --out hello.wav

      voicecoach say --list-voices --tts pyttsx3
    """
    from voicecoach.speech.tts import create_tts_with_fallback

    settings = load_settings(tts_engine=tts, tts_voice=voice, tts_rate=rate)
    engine, note = create_tts_with_fallback(settings.tts_engine, voice=settings.tts_voice,
                                            rate=settings.tts_rate)
    if note:
        console.print(note)
    if list_voices:
        for name in engine.voices():
            typer.echo(name)
        return
    if text == "-":
        text = sys.stdin.read()
    if not text.strip():
        raise typer.BadParameter("give the text to say (or '-' to read it from stdin)")
    clip = engine.synthesize(text)
    if out is not None:
        clip.save(out)
        console.print(f"Wrote {out} ({clip.duration:.1f} s, {engine.name} voice {engine.voice}).")
        return
    from voicecoach.audio.playback import play

    play(clip, device=settings.output_device)


def devices_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List audio devices; '>' marks the default input, '<' the default output.

    Pick a device by name or index with VOICECOACH_INPUT_DEVICE / VOICECOACH_OUTPUT_DEVICE
    (or input_device / output_device in voicecoach.toml).

    Examples:

      voicecoach devices

      voicecoach devices --json
    """
    from voicecoach.audio.devices import list_devices

    rows = list_devices()
    if as_json:
        typer.echo(json.dumps([asdict(row) for row in rows], indent=2))
        return
    if not rows:
        console.print("No audio devices found. Run `voicecoach doctor`; "
                      "`voicecoach practice --text` works without audio.")
        return
    table = Table("", "index", "name", "host API", "in", "out", "rate")
    for row in rows:
        mark = (">" if row.is_default_input else "") + ("<" if row.is_default_output else "")
        table.add_row(mark, str(row.index), row.name, row.hostapi, str(row.max_input_channels),
                      str(row.max_output_channels), f"{row.default_samplerate:g}")
    console.print(table)


def doctor_command(
    as_json: Annotated[bool, typer.Option("--json", help="Print the checks as JSON.")] = False,
) -> None:
    """Check what a spoken interview needs (PortAudio, microphone, speaker, VAD, voices, speech
    models) and say how to fix anything missing. Exits 1 when a required part is missing.

    Examples:

      voicecoach doctor

      VOICECOACH_INPUT_DEVICE=2 voicecoach doctor --json
    """
    from voicecoach.audio.doctor import run_checks

    settings = load_settings()
    checks = run_checks(settings.input_device, settings.output_device)
    failed = [check for check in checks if check.required and not check.ok]
    if as_json:
        typer.echo(json.dumps([check.as_dict() for check in checks], indent=2))
    else:
        table = Table("", "check", "found", "how to fix")
        for check in checks:
            mark = "[green]ok[/]" if check.ok else ("[red]missing[/]" if check.required
                                                    else "[yellow]optional[/]")
            table.add_row(mark, check.name, check.detail, check.fix)
        console.print(table)
        if failed:
            console.print(f"{len(failed)} required part(s) missing; "
                          "typed practice still works: `voicecoach practice --text`.")
        else:
            console.print("Everything needed for a spoken interview is present.")
    if failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Attach ``say``, ``devices`` and ``doctor``."""
    app.command("say")(say_command)
    app.command("devices")(devices_command)
    app.command("doctor")(doctor_command)
