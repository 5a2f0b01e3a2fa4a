"""Audio: how fast the interviewer's voice is made, what listening costs, how soon an answer ends.

- TTS: synthesis time and real-time factor of pyttsx3 (espeak-ng) and Piper (joe-medium) on the
  same interview questions; Piper's voice load time.
- Silero VAD: CPU time per second of microphone audio (it runs on every 32 ms frame).
- End of answer through the real sounddevice path (a private PulseAudio, as in the tests): a
  Piper answer with a 1.8 s thinking pause is played into the virtual microphone; reported are
  the silence actually waited after the last voiced frame (target: ``end_silence``), and the wall
  clock from the last word leaving the "mouth" to ``record_answer`` returning.

    .venv/bin/python benchmarks/bench_audio.py [--runs N] [--end-silence S]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# ruff: noqa: E402  (the repo goes on sys.path first so the benchmark runs from a checkout)
from tests.fixtures.pulse import PulseAudio, best_lag_correlation
from voicecoach.audio.capture import record_answer
from voicecoach.audio.clip import AudioClip, concatenate
from voicecoach.audio.vad import EndpointConfig, VoiceDetector
from voicecoach.speech.tts import create_tts

QUESTIONS = (
    "What is the difference between supervised and unsupervised learning?",
    "A common parameter of decision trees is max depth. Why is it a good parameter to tune?",
    "How would you detect that a neural network is overfitting, and what would you do about it?",
)


def bench_tts(runs: int) -> None:
    print("## TTS (median over questions x runs)")
    print("| engine | load s | synth s per question | audio s | RTF |")
    print("|---|---|---|---|---|")
    for engine in ("pyttsx3", "piper"):
        started = time.perf_counter()
        tts = create_tts(engine)
        load = time.perf_counter() - started
        tts.synthesize("Warm up.")
        timings, durations = [], []
        for _ in range(runs):
            for question in QUESTIONS:
                started = time.perf_counter()
                clip = tts.synthesize(question)
                timings.append(time.perf_counter() - started)
                durations.append(clip.duration)
        rtf = statistics.median(t / d for t, d in zip(timings, durations, strict=True))
        print(f"| {engine} | {load:.2f} | {statistics.median(timings):.3f} | "
              f"{statistics.median(durations):.2f} | {rtf:.3f} |")


def bench_vad(answer: AudioClip) -> None:
    detector = VoiceDetector()
    audio = np.tile(answer.samples, 3)
    started = time.process_time()
    detector.probabilities(audio)
    cpu = time.process_time() - started
    seconds = len(audio) / 16000
    print(f"\n## Silero VAD\nCPU per second of audio: {1000 * cpu / seconds:.2f} ms "
          f"({100 * cpu / seconds:.2f}% of one core)")


def bench_endpoint(answer: AudioClip, runs: int, end_silence: float) -> None:
    pulse = PulseAudio(Path(tempfile.mkdtemp(prefix="voicecoach-bench-pulse-")))
    pulse.start()
    waited, latency, scores = [], [], []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for run in range(runs):
                playing = pulse.play_into_mic(answer.with_silence(before=0.5))
                started = time.monotonic()
                result = record_answer(Path(folder) / f"{run}.wav", endpoint=EndpointConfig(
                    turn="silence", end_silence=end_silence))
                returned = time.monotonic() - started
                playing.wait()
                recorded = AudioClip.load(result.path)
                score, lag = best_lag_correlation(recorded.samples, answer.samples)
                speech_ends = lag / 16000 + answer.duration  # in the file's time
                assert result.ended_by == "silence", result
                waited.append(result.duration - speech_ends)
                latency.append(returned - speech_ends)  # capture started ~ at file time 0
                scores.append(score)
    finally:
        pulse.stop()
    print(f"\n## End of answer (PulseAudio virtual mic, end_silence={end_silence} s, "
          f"{runs} runs, {answer.duration:.1f} s answer with a 1.8 s pause)")
    print(f"- silence recorded after the last word: median {statistics.median(waited):.2f} s "
          f"(min {min(waited):.2f}, max {max(waited):.2f})")
    print(f"- last word → record_answer returns (wall clock): median "
          f"{statistics.median(latency):.2f} s")
    print(f"- recorded vs played correlation: min {min(scores):.3f}; "
          f"never cut at the pause: {all(s > 0.9 for s in scores)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--end-silence", type=float, default=3.0)
    args = parser.parse_args()
    bench_tts(args.runs)
    piper = create_tts("piper")
    answer = concatenate([
        piper.synthesize("Overfitting is when the model learns the noise in the training data."),
        piper.synthesize("Regularization, more data or a simpler model all reduce it."),
    ], gap=1.8).resampled(16000)
    bench_vad(answer)
    bench_endpoint(answer, args.runs, args.end_silence)


if __name__ == "__main__":
    main()
