"""``voicecoach practice``: the interview itself. Parses flags, then calls ``run_practice``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from voicecoach.agent.practice import PracticeRequest, run_practice
from voicecoach.agent.select import Selection
from voicecoach.config import load_settings


def practice_command(
    text: Annotated[
        bool, typer.Option("--text", help="Print questions and type answers; no audio device.")
    ] = False,
    answers: Annotated[
        Path | None,
        typer.Option(
            "--answers", metavar="FILE",
            help="Scripted candidate: YAML list or JSON lines of answers (text or .wav paths), "
            "used in order; '/skip', '/repeat', '/quit' work as in --text.",
        ),
    ] = None,
    no_speak: Annotated[
        bool, typer.Option("--no-speak", help="Print the questions instead of speaking them.")
    ] = False,
    questions: Annotated[
        str | None,
        typer.Option("--questions", metavar="ID,ID", help="Ask exactly these question ids."),
    ] = None,
    topic: Annotated[
        str | None, typer.Option("--topic", help="Only questions on this topic.")
    ] = None,
    track: Annotated[
        str | None,
        typer.Option("--track", help="Practise one track: ml-fundamentals, deep-learning, "
                     "ml-system-design (design cases stage by stage) or reference (the "
                     "reference interview in its order)."),
    ] = None,
    count: Annotated[
        int | None, typer.Option("--count", min=1, help="How many questions (default 6; a design "
                                "case is asked whole, the reference track whole).")
    ] = None,
    minutes: Annotated[
        float | None, typer.Option("--minutes", help="Time budget; about 4 minutes a question.")
    ] = None,
    max_probes: Annotated[
        int | None, typer.Option("--max-probes", min=0, max=5, help="Follow-ups per question.")
    ] = None,
    llm: Annotated[
        str | None,
        typer.Option(
            "--llm", metavar="SPEC",
            help="Follow-up wording by an LLM: none | ollama:MODEL | openai:MODEL | "
            "llamacpp:PATH.gguf (validated; falls back to the rubric probe).",
        ),
    ] = None,
    llm_base_url: Annotated[
        str | None,
        typer.Option("--llm-base-url", metavar="URL", help="OpenAI-compatible server URL."),
    ] = None,
    llm_timeout: Annotated[
        float | None, typer.Option("--llm-timeout", help="Seconds before the LLM is skipped.")
    ] = None,
    events: Annotated[
        str | None,
        typer.Option("--events", metavar="PATH|-", help="Write JSON-lines events ('-': stdout)."),
    ] = None,
    session_id: Annotated[
        str | None, typer.Option("--session-id", help="Name of the recording (default: time).")
    ] = None,
    rubrics: Annotated[
        Path | None, typer.Option("--rubrics", help="Question bank folder.")
    ] = None,
    stt_model: Annotated[
        str | None, typer.Option("--stt-model", help="Speech-to-text model (tiny.en, base).")
    ] = None,
    tts: Annotated[str | None, typer.Option("--tts", help="pyttsx3 | piper")] = None,
    turn: Annotated[
        str | None,
        typer.Option("--turn", help="How an answer's end is found: model (default: the turn "
                     "model and your words, at each pause) | silence (--end-silence s)."),
    ] = None,
    end_silence: Annotated[
        float | None,
        typer.Option("--end-silence", help="With --turn silence: seconds of silence that end an "
                     "answer (default 3)."),
    ] = None,
    show_latency: Annotated[
        bool, typer.Option("--show-latency", help="Show answer-to-next-question latency.")
    ] = False,
) -> None:
    """Run a mock ML interview: questions, follow-ups on what's missing, then feedback.

    Voice by default (speaker + microphone; Enter = done, r = repeat, s = skip, q = end early).
    Every turn is saved as it happens under recordings/SESSION-ID/. Questions come from your
    recorded sessions: key points you missed come back (spaced repetition, see `voicecoach
    progress`), questions you answered strong rest, and new ones fill the rest.

    Examples:

      voicecoach practice

      voicecoach practice --text --topic trees --count 3

      voicecoach practice --track ml-system-design

      voicecoach practice --text --questions max-depth --answers answers.yaml --events -

      voicecoach practice --llm openai:gpt-4o-mini

      voicecoach practice --llm openai:local --llm-base-url http://127.0.0.1:8080/v1
    """
    settings = load_settings(
        rubrics_dir=rubrics, llm=llm, llm_base_url=llm_base_url, llm_timeout=llm_timeout,
        max_probes=max_probes, stt_model=stt_model, tts_engine=tts, end_silence=end_silence,
        turn_detection=turn,
    )
    selection = Selection(
        questions=tuple(q.strip() for q in questions.split(",") if q.strip()) if questions else (),
        topic=topic, track=track, count=count, minutes=minutes,
    )
    request = PracticeRequest(
        selection=selection, text=text, answers=answers, speak=not no_speak, events=events,
        session_id=session_id, show_latency=show_latency,
    )
    run_practice(request, settings)


def register(app: typer.Typer) -> None:
    app.command("practice")(practice_command)
