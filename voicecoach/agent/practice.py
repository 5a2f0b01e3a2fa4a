"""Assemble one practice interview from settings and flags, run it, clean up.

This is the one place that decides which parts a mode needs: typed or scripted or microphone
answers, printed or spoken questions, speech-to-text only when audio answers can arrive, the
rubric or LLM follow-up policy. The Typer command only parses flags into :class:`PracticeRequest`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from voicecoach.agent.candidates import AnswerSource, MicSource, ScriptedSource, TypedSource
from voicecoach.agent.events import EventSink
from voicecoach.agent.interviewer import (
    Interviewer,
    InterviewOptions,
    LiveTranscriber,
    Transcriber,
)
from voicecoach.agent.llm import LlamaServer, create_chat_model, parse_llm_spec
from voicecoach.agent.llm_policy import LlmPolicy, load_prompt
from voicecoach.agent.policy import FollowUpPolicy, RubricPolicy
from voicecoach.agent.select import Selection, select_questions
from voicecoach.agent.voice import PrintSpeaker, Speaker, TtsSpeaker, default_player
from voicecoach.config import Settings
from voicecoach.rubric.loader import load_bank
from voicecoach.session.models import Session
from voicecoach.session.store import SessionStore


@dataclass(frozen=True)
class PracticeRequest:
    """What the user asked for on the command line (settings carry the rest)."""

    selection: Selection
    text: bool = False  # typed answers, printed questions
    answers: Path | None = None  # a scripted candidate
    speak: bool = True  # TTS out (ignored in text mode)
    events: str | None = None  # PATH or "-" for stdout
    session_id: str | None = None
    show_latency: bool = False


def greeting(count: int, *, voice: bool, end_silence: float) -> str:
    """The opening line, with the controls that matter in this mode."""
    plural = "question" if count == 1 else "questions"
    how = (
        f"Answer out loud and take your time: I'll wait for {end_silence:g} seconds of silence, "
        "or press Enter when you're done."
        if voice
        else "Type each answer on one line; /repeat, /skip and /quit work at any time."
    )
    return (
        f"Hi, welcome to your practice interview. I'll ask you {count} {plural} on machine "
        f"learning and follow up where I'd like more detail. {how} Let's start."
    )


def make_stt(settings: Settings) -> Any:
    """Load the STT model once, up front (its load time must not land in an answer's latency)."""
    from voicecoach.speech.stt import create_stt

    return create_stt(
        settings.stt_engine, settings.stt_model, threads=settings.stt_threads,
        allow_download=settings.allow_download,
    )


class SerializedStt:
    """One STT model shared by threads (answer pieces, the "I'm done" check): one call at a time.

    Two decodes at once on 2 cores would only slow each other down, and not every engine is safe
    to call concurrently.
    """

    def __init__(self, stt: Any) -> None:
        self._stt = stt
        self._lock = threading.Lock()

    def transcribe(self, audio: Any, *, prompt: str | None = None,
                   word_timestamps: bool = True) -> Any:
        with self._lock:
            return self._stt.transcribe(audio, prompt=prompt, word_timestamps=word_timestamps)


def live_transcriber_for(stt: Any) -> LiveTranscriber:
    """Microphone answers are transcribed at their pauses while they are recorded."""
    from voicecoach.speech.incremental import IncrementalTranscription

    def begin(path: Path, prompt: str) -> IncrementalTranscription:
        return IncrementalTranscription(stt, path, prompt).start()

    return begin


def transcriber_for(stt: Any) -> Transcriber:
    """Answers are transcribed with the questions asked so far as the prompt (domain words)."""

    def transcribe(audio: Path, prompt: str) -> Any:
        return stt.transcribe(audio, prompt=prompt or None)

    return transcribe


def done_phrase_check(stt: Any) -> Callable[[Any], bool]:
    """A spoken "I'm done" ends an answer: the tail of the recording, transcribed quickly."""
    from voicecoach.audio.phrases import done_phrase_checker

    return done_phrase_checker(
        lambda samples: str(stt.transcribe(samples, word_timestamps=False).text)
    )


@contextmanager
def follow_up_policy(settings: Settings) -> Iterator[tuple[FollowUpPolicy, dict[str, Any]]]:
    """The policy for ``settings.llm`` and what to record about it; stops a local LLM server."""
    spec = parse_llm_spec(settings.llm)
    if spec.provider == "none":
        yield RubricPolicy(), {"policy": "rubric", "llm": "none"}
        return
    prompt = load_prompt(settings.prompts_dir)
    with ExitStack() as stack:
        base_url = settings.llm_base_url
        if spec.provider == "llamacpp":
            server = stack.enter_context(LlamaServer(Path(spec.model).expanduser()))
            base_url = server.base_url
        model = create_chat_model(spec, base_url=base_url, timeout=settings.llm_timeout)
        assert model is not None
        policy = LlmPolicy(model, prompt, label=f"llm:{spec}", timeout=settings.llm_timeout)
        yield policy, {"policy": "llm", "llm": str(spec), "llm_base_url": base_url,
                       "llm_timeout": settings.llm_timeout, "prompt": prompt.version}


def run_practice(
    request: PracticeRequest,
    settings: Settings,
    *,
    out: TextIO | None = None,
    read: Callable[[str], str] = input,
) -> Session:
    """Run one interview end to end and return the saved session."""
    bank = load_bank(settings.rubrics_dir)
    plan = select_questions(bank, request.selection)
    voice_in = not request.text and request.answers is None
    speak = request.speak and not request.text

    with ExitStack() as stack:
        events = stack.enter_context(EventSink(request.events))
        stream = out or (sys.stderr if events.to_stdout else sys.stdout)

        def write(line: str) -> None:
            print(line, file=stream, flush=True)

        if voice_in or speak:  # fail fast, in one line suggesting --text, before loading models
            from voicecoach.audio.devices import check_audio_available

            check_audio_available(
                input=voice_in, output=speak,
                input_device=settings.input_device, output_device=settings.output_device,
            )
        source: AnswerSource
        scripted = ScriptedSource.from_file(request.answers) if request.answers else None
        needs_stt = voice_in or (scripted is not None and scripted.has_audio)
        stt = SerializedStt(make_stt(settings)) if needs_stt else None
        if scripted is not None:
            source = scripted
        elif request.text:
            source = TypedSource(read)
        else:
            source = MicSource(settings.input_device, settings.end_silence,
                               settings.max_answer_seconds, phrase_check=done_phrase_check(stt))

        speaker: Speaker
        if speak:
            from voicecoach.speech.tts import create_tts

            tts = create_tts(settings.tts_engine, voice=settings.tts_voice, rate=settings.tts_rate)
            speaker = TtsSpeaker(tts, default_player(settings.output_device),
                                 ahead=settings.tts_engine != "pyttsx3")
        else:
            speaker = PrintSpeaker(lambda text: write(f"interviewer> {text}"))
        stack.callback(speaker.close)

        if voice_in or speak:
            from voicecoach.ui.live import LiveView

            view = stack.enter_context(LiveView(show_latency=request.show_latency,
                                                live=None if voice_in else False))
            events.add_listener(view.handle)
        elif not isinstance(source, TypedSource):
            events.add_listener(
                lambda e: write(f"you> {e['text']}") if e["type"] == "transcript" else None
            )

        transcriber = transcriber_for(stt) if stt is not None else None
        live_transcriber = (
            live_transcriber_for(stt) if stt is not None and settings.stt_incremental else None
        )
        policy, policy_info = stack.enter_context(follow_up_policy(settings))
        store = SessionStore(settings.recordings_dir)
        session = store.create(
            request.session_id,
            questions=[loaded.id for loaded in plan],
            config={
                **policy_info,
                "mode": "voice" if voice_in else ("scripted" if request.answers else "text"),
                "speak": speak,
                "stt_engine": settings.stt_engine if needs_stt else None,
                "stt_model": settings.stt_model if needs_stt else None,
                "stt_incremental": settings.stt_incremental if voice_in else None,
                "tts_engine": settings.tts_engine if speak else None,
                "max_probes": settings.max_probes,
                "end_silence": settings.end_silence,
                "rubrics": {loaded.id: loaded.sha256[:12] for loaded in plan},
            },
        )
        interviewer = Interviewer(
            bank=bank, plan=plan, store=store, session=session, source=source,
            speaker=speaker, policy=policy, events=events, transcriber=transcriber,
            live_transcriber=live_transcriber, write=write,
            options=InterviewOptions(
                max_probes=settings.max_probes,
                greeting=greeting(len(plan), voice=voice_in, end_silence=settings.end_silence),
                record_question_audio=speak,
            ),
        )
        session = interviewer.run()
        write(f"\nSaved to {store.session_dir(session.id)} "
              f"(see `voicecoach report {session.id}`).")
        return session
