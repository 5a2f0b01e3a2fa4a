"""Assemble one practice interview from settings and flags, run it, clean up.

This is the one place that decides which parts a mode needs: typed or scripted or microphone
answers, printed or spoken questions, speech-to-text only when audio answers can arrive, the
rubric or LLM follow-up policy. The Typer command only parses flags into :class:`PracticeRequest`.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from voicecoach import loading
from voicecoach.agent.candidates import AnswerSource, MicSource, ScriptedSource, TypedSource
from voicecoach.agent.events import EventSink
from voicecoach.agent.interviewer import (
    Interviewer,
    InterviewOptions,
    LiveTranscriber,
    Transcriber,
)
from voicecoach.agent.llm_policy import LlmPolicy
from voicecoach.agent.policy import FollowUpPolicy, RubricPolicy
from voicecoach.agent.select import Selection, select_questions
from voicecoach.agent.voice import (
    TAKE_YOUR_TIME,
    PrintSpeaker,
    Speaker,
    TtsSpeaker,
    default_player,
)
from voicecoach.config import Settings
from voicecoach.errors import VoicecoachError
from voicecoach.grading.grader import grader_from_config
from voicecoach.grading.registry import canonical_name, grader_class
from voicecoach.llm.client import LlamaServer, create_chat_model, parse_llm_spec
from voicecoach.llm.prompts import load_prompt
from voicecoach.loading import BackgroundLoad
from voicecoach.rubric.loader import load_bank
from voicecoach.session.models import Session
from voicecoach.session.schedule import load_schedule
from voicecoach.session.store import SessionStore

if TYPE_CHECKING:
    from voicecoach.ui.live import LiveView

log = logging.getLogger(__name__)


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


def greeting(count: int, *, voice_in: bool, speak: bool,
             end_silence: float | None) -> tuple[str | None, str]:
    """(written intro, what is said first). When the interviewer speaks, it says only a few words
    and the how-to is on screen: the first question should be heard within seconds of the
    command. The how-to fits the way answers arrive (spoken, or typed/scripted)."""
    plural = "question" if count == 1 else "questions"
    ending = (f"I take {end_silence:g} s of silence as the end of an answer" if end_silence
              else "take your time to think, I wait until you have finished")
    how = (
        f"Answer out loud; {ending} (or press Enter, or say \"I'm done\"). Keys: r "
        "repeats the question, s skips it, q ends the interview (you "
        "still get feedback)."
        if voice_in
        else "Type each answer on one line; /repeat, /skip and /quit work at any time."
    )
    if speak:
        intro = (f"Practice interview: {count} {plural} on machine learning, with follow-ups "
                 f"where I'd like more detail. {how}")
        return intro, "Hi."
    return None, (
        f"Hi, welcome to your practice interview. I'll ask you {count} {plural} on machine "
        f"learning and follow up where I'd like more detail. {how} Let's start."
    )


def release_at_first_question() -> Callable[[dict[str, Any]], None]:
    """An event listener that releases the held model loads (``voicecoach.loading``) when the
    first question's audio starts: from then on the voice has its utterance ready."""
    asked = False

    def listen(event: dict[str, Any]) -> None:
        nonlocal asked
        if event["type"] == "question":
            asked = True
        elif event["type"] == "speaking_started" and asked:
            loading.release()

    return listen


class SharedStt:
    """The STT model, loaded on a background thread and shared by threads one call at a time.

    Loading (0.4-1.6 s for tiny.en on 2 cores) overlaps the first question's audio instead of
    delaying it (``voicecoach.loading``: held until that audio starts); ``ready()`` waits for
    it (and raises its error, if loading failed). Calls are serialised: answer pieces may be
    transcribed while the last one is, two decodes on 2 cores only slow each other down, and
    not every engine is safe to call concurrently.

    The turn decision's quick decodes (:meth:`quick_text`) have an engine of their own when
    ``quick`` loads one: behind the lock they waited for a beam-5 transcription of the answer
    so far (1-2 s, started at every 0.3 s pause), and the capture, which decides on its own
    thread, fell seconds behind the microphone (measured through PulseAudio: a finished answer
    was ended ~8 s after its last word, though the decision itself came 0.4 s into the pause).
    """

    def __init__(self, load: Callable[[], Any], quick: Callable[[], Any] | None = None) -> None:
        self._lock = threading.Lock()
        self._quick_lock = threading.Lock()
        self._engine: BackgroundLoad[Any] = BackgroundLoad(load, "stt-load")
        self._quick: BackgroundLoad[Any] | None = None
        if quick is not None:
            def load_quick() -> Any:
                self._engine.result()  # one load at a time: they share the 2 cores
                return quick()

            self._quick = BackgroundLoad(load_quick, "stt-quick-load")

    def ready(self) -> Any:
        """The loaded engine (waits for it)."""
        return self._engine.result()

    def _quick_engine(self) -> Any:
        """The engine of its own for quick decodes, once it has loaded (None until then, or if
        it failed: it is optional, and the shared engine does the quick decodes then)."""
        if self._quick is None or not self._quick.done():
            return None
        try:
            return self._quick.result()
        except Exception:
            log.exception("no separate engine for quick decodes; the shared one is used")
            self._quick = None
            return None

    def transcribe(self, audio: Any, *, prompt: str | None = None,
                   word_timestamps: bool = True) -> Any:
        engine = self.ready()
        with self._lock:
            return engine.transcribe(audio, prompt=prompt, word_timestamps=word_timestamps)

    def quick_text(self, audio: Any) -> str:
        """The words of recent audio, fast (see :func:`voicecoach.speech.stt.quick_words`)."""
        from voicecoach.speech.stt import quick_words

        engine = self.ready()
        quick = self._quick_engine()
        if quick is not None:
            with self._quick_lock:
                return quick_words(quick, audio)
        with self._lock:
            return quick_words(engine, audio)


def make_quick_stt(settings: Settings) -> Any:
    """The engine for the turn decision's quick decodes: tiny.en, whatever model transcribes the
    answers (it reads only the last words of a pause, ~0.25 s)."""
    from voicecoach.speech.stt import create_stt

    return create_stt("faster-whisper", "tiny.en", threads=settings.stt_threads)


def make_stt(settings: Settings) -> Any:
    """Load the STT model (once per interview; :class:`SharedStt` runs this in the background,
    so its load time lands neither in the start-up nor in an answer's latency)."""
    from voicecoach.speech.stt import create_stt

    return create_stt(
        settings.stt_engine, settings.stt_model, threads=settings.stt_threads,
        allow_download=settings.allow_download,
    )


def make_speaker(settings: Settings, *, speak: bool, view: LiveView | None,
                 write: Callable[[str], None], playing: threading.Event | None = None) -> Speaker:
    """TTS through the speaker, or printed lines (a question the live view already shows is
    not printed again). ``playing`` is set while the interviewer's audio plays."""
    if speak:
        from voicecoach.speech.tts import create_tts_with_fallback

        try:
            tts, note = create_tts_with_fallback(settings.tts_engine, voice=settings.tts_voice,
                                                 rate=settings.tts_rate)
        except VoicecoachError as error:  # e.g. espeak-ng missing: say what else works
            raise type(error)(
                f"{error}; or practise without a voice: `voicecoach practice --no-speak` "
                "(questions printed) or `voicecoach practice --text`"
            ) from None
        if note:
            write(note)
        # pyttsx3 synthesizes a sentence in ~20 ms and is flaky from a worker: no synthesis ahead
        return TtsSpeaker(tts, default_player(settings.output_device, playing),
                          ahead=tts.name != "pyttsx3")

    def say_in_writing(text: str) -> None:
        if view is None or text != view.prompt:
            write(f"interviewer> {text}")

    return PrintSpeaker(say_in_writing)


def live_transcriber_for(stt: Any) -> LiveTranscriber:
    """Microphone answers are transcribed at their pauses while they are recorded."""
    from voicecoach.speech.incremental import IncrementalTranscription

    def begin(path: Path, prompt: str,
              on_text: Callable[[str], None] | None = None) -> IncrementalTranscription:
        return IncrementalTranscription(stt, path, prompt, on_text=on_text).start()

    return begin


def transcriber_for(stt: Any) -> Transcriber:
    """Answers are transcribed with the questions asked so far as the prompt (domain words)."""

    def transcribe(audio: Path, prompt: str) -> Any:
        return stt.transcribe(audio, prompt=prompt or None)

    return transcribe


def words_so_far(stt: Any) -> Callable[[Any], str]:
    """The words at the end of an answer (for "I'm done" and "let me think"): its last seconds,
    transcribed quickly."""

    from voicecoach.speech.stt import quick_words

    def transcribe(samples: Any) -> str:
        return quick_words(stt, samples)

    return transcribe


def make_mic_source(settings: Settings, mic: Any, stt: Any, speaker: Speaker,
                    events: EventSink, write: Callable[[str], None]) -> MicSource:
    """Microphone answers, ended by the turn model (loaded in the background) and the words;
    without the model file the fixed silence is used, with a note saying how to get it."""
    from voicecoach.audio.turn import BackgroundTurnModel
    from voicecoach.audio.vad import EndpointConfig

    rule = settings.turn_detection
    model = None
    if rule == "model":
        try:
            model = BackgroundTurnModel()
        except VoicecoachError as error:
            write(f"note: {error}; answers end after {settings.end_silence:g} s of silence")
            rule = "silence"
    endpoint = EndpointConfig(turn=rule, end_silence=settings.end_silence,
                              think_ceiling=settings.think_ceiling,
                              max_seconds=settings.max_answer_seconds)

    def nudge() -> None:
        threading.Thread(target=speaker.say, args=(TAKE_YOUR_TIME, events), daemon=True,
                         name="nudge").start()

    return MicSource(mic, endpoint, model, words_so_far(stt), nudge)


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
    # the recorded sessions decide what comes back (missed key points) and what rests
    plan = select_questions(
        bank, request.selection, load_schedule(SessionStore(settings.recordings_dir))
    )
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
        mic = None
        if voice_in:
            from voicecoach.audio.capture import Microphone

            mic = stack.enter_context(Microphone(settings.input_device,
                                                 speakers=settings.speakers))

        view: LiveView | None = None
        if voice_in or speak:
            from voicecoach.ui.live import LiveView

            view = stack.enter_context(LiveView(show_latency=request.show_latency,
                                                live=None if voice_in else False))
            events.add_listener(view.handle)
        elif scripted is not None or not request.text:  # not typed: show what was heard
            events.add_listener(
                lambda e: write(f"you> {e['text']}") if e["type"] == "transcript" else None
            )
        if speak:
            # the models needed only for answers load once the first question is heard: loaded
            # beside the voice, they took the 2 cores from its synthesis (voicecoach.loading)
            loading.hold()
            stack.callback(loading.release)
            events.add_listener(release_at_first_question())
        speaker = make_speaker(settings, speak=speak, view=view, write=write,
                               playing=mic.playing if mic is not None else None)
        stack.callback(speaker.close)
        quick = (lambda: make_quick_stt(settings)) if voice_in and \
            settings.stt_engine == "faster-whisper" else None
        stt = SharedStt(lambda: make_stt(settings), quick) if needs_stt else None
        if scripted is not None:
            source = scripted
        elif request.text:
            source = TypedSource(read)
        else:
            source = make_mic_source(settings, mic, stt, speaker, events, write)

        transcriber = transcriber_for(stt) if stt is not None else None
        live_transcriber = (
            live_transcriber_for(stt) if stt is not None and settings.stt_incremental else None
        )
        policy, policy_info = stack.enter_context(follow_up_policy(settings))
        grader = grader_from_config(settings)  # before the session exists: a bad grader is an error
        store = SessionStore(settings.recordings_dir)
        session = store.create(
            request.session_id,
            questions=[loaded.id for loaded in plan],
            config={
                **policy_info,
                "mode": "voice" if voice_in else ("scripted" if request.answers else "text"),
                "track": request.selection.track,
                "speak": speak,
                "stt_engine": settings.stt_engine if needs_stt else None,
                "stt_model": settings.stt_model if needs_stt else None,
                "stt_incremental": settings.stt_incremental if voice_in else None,
                "tts_engine": settings.tts_engine if speak else None,
                "grader": canonical_name(settings.grader),
                "max_probes": settings.max_probes,
                "end_silence": settings.end_silence,
                "turn_detection": settings.turn_detection if voice_in else None,
                "speakers": settings.speakers if voice_in else None,
                "rubrics": {loaded.id: loaded.sha256[:12] for loaded in plan},
            },
        )
        silence_rule = settings.turn_detection == "silence" or (
            isinstance(source, MicSource) and source.turn_model is None)
        intro, spoken_greeting = greeting(
            len(plan), voice_in=voice_in, speak=speak,
            end_silence=settings.end_silence if silence_rule else None)
        interviewer = Interviewer(
            bank=bank, plan=plan, store=store, session=session, source=source,
            speaker=speaker, policy=policy, events=events, transcriber=transcriber,
            grader=grader,
            live_transcriber=live_transcriber, write=write,
            warm_up=stt.ready if stt is not None else None,
            options=InterviewOptions(
                max_probes=settings.max_probes, intro=intro, greeting=spoken_greeting,
                record_question_audio=speak,
                follow_mentions=not request.selection.questions,  # explicit ids: asked as given
                grade_ahead=grader_class(settings.grader).grades_ahead,
            ),
        )
        session = interviewer.run()
        write(f"\nSaved to {store.session_dir(session.id)} "
              f"(see `voicecoach report {session.id}`).")
        return session
