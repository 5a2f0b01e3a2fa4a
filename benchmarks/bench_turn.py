"""Turn-taking: does the interviewer cut the candidate off, and how long does it make them wait?

Labelled answers (``benchmarks/data/turn_taking.yaml``: complete answers, 1.5-4 s pauses in
mid-sentence, "let me think" pauses, trailing "and"/"so", fillers, half-said formulas) are
spoken by Piper and played into the virtual microphone of a private PulseAudio daemon, clean and
with pink noise at 15 dB SNR (the noise goes on after the answer, as a room's would). Both rules
listen to the same playback at once, each through its own real capture path
(:class:`~voicecoach.audio.capture.Microphone` + :func:`record_answer`):

- **model** (default): Smart Turn v3.2 asked at 0.3, 1, 1.5 and 3 s into each pause, its bar
  falling from 0.5 to 0, and the words of the last 4 s (tiny.en's quick decode) at the same
  checks: they hold a pause open ("let me think", a trailing "so"), and a turn of only a few
  words waits 3 s (see ``voicecoach.audio.turntaking``); 8 s ceiling, then a nudge;
- **silence**: the old fixed rule, 3 s of silence.

Measured per answer, in the recording's own time base (the played clip is found in the recording
by cross-correlation, so device latency does not count): **cut off** = the answer was ended
before the candidate's last word; **wait** = last word → the rule's decision, plus whatever audio
was still queued when it returned (the decision's own computing time: the words are transcribed
inside it). Waits are over the answers that were not cut; the interviewer's own response time
comes on top (``bench_turn_practice.py`` measures the whole product).

    .venv/bin/python benchmarks/bench_turn.py [--split heldout|dev|all] [--no-noise] [--json F]
                                             [--offline]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

# ruff: noqa: E402  (the repo goes on sys.path first so the benchmark runs from a checkout)
from tests.fixtures.pulse import PulseAudio, best_lag_correlation
from tests.fixtures.speech_audio import SpeechSynth
from voicecoach.audio.capture import TAIL_SECONDS, Microphone, record_answer
from voicecoach.audio.clip import AudioClip
from voicecoach.audio.turn import SmartTurn
from voicecoach.audio.turntaking import TurnJudge
from voicecoach.audio.vad import EndpointConfig
from voicecoach.speech.stt import quick_words

DATA = REPO / "benchmarks" / "data" / "turn_taking.yaml"
RATE = 16000
SNR_DB = 15.0
LEAD_IN = 0.6  # silence (or noise) before the answer
TAIL = 20.0  # after it: longer than any rule may wait (8 s ceiling + 8 s after the nudge)
TAIL_WORDS = TAIL_SECONDS  # seconds transcribed for the words check (as the capture does)
LOUD = 0.02  # |sample| above this counts as speech when labelling the clips
RESPONSE_SECONDS = 0.3  # decision -> the interviewer's first sound (its acknowledgment)


@dataclass(frozen=True)
class Answer:
    """One labelled answer as played: where the speech ends, and where it may not be cut."""

    id: str
    kind: str
    split: str
    noisy: bool
    samples: np.ndarray  # 16 kHz, lead-in and tail included
    speech_start: int  # samples into ``samples``
    speech_end: int


@dataclass
class Outcome:
    """What one rule did with one answer."""

    id: str
    kind: str
    noisy: bool
    rule: str
    ended_by: str
    cut: bool
    wait: float | None  # s from the last word to the decision (None when cut)
    nudged: int
    checks: list[list[Any]] = field(default_factory=list)
    timing: dict[str, float] = field(default_factory=dict)  # where the wait went
    # the wait without the final words check's computing time (in an interview that check reads
    # the transcript the interviewer makes anyway; on a starved CPU it dominates the wait)
    decision_wait: float | None = None


def pink_noise(length: int, seed: int) -> np.ndarray:
    """Noise with a 1/f spectrum (fan, traffic, a room), unit RMS."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(length))
    spectrum /= np.sqrt(np.maximum(np.arange(len(spectrum)), 1.0))
    noise = np.fft.irfft(spectrum, length)
    return (noise / np.sqrt(np.mean(noise**2))).astype(np.float32)


def speech(synth: SpeechSynth, text: str) -> np.ndarray:
    """``text`` spoken by Piper, 16 kHz, trimmed to its loud part."""
    clip = AudioClip.load(synth.clip(text, pause_before=0.0, pause_after=0.0))
    samples = clip.resampled(RATE).samples.astype(np.float32)
    loud = np.flatnonzero(np.abs(samples) > LOUD)
    return samples[loud[0]:loud[-1] + 1] if len(loud) else samples


def _tokens(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _first_last(text: str) -> tuple[str, str]:
    words = _tokens(text)
    return (words[0], words[-1]) if words else ("", "")


def _boundary(words: list[Any], before: str, after: str) -> tuple[float, float]:
    """Where ``before`` ends and ``after`` begins in Whisper's timed words of the two said as
    one: ``before``'s last word is found by aligning the words, not by counting them (Whisper
    writes "The F1 score is" as "the F1 scores" and adds a leading "the": counting cut
    "...divided by precision | plus recall" and "...moves the w | eights")."""
    import difflib

    said = [(_tokens(w.word) or [""])[0] for w in words]
    expected = _tokens(before) + _tokens(after)
    last = len(_tokens(before)) - 1
    matcher = difflib.SequenceMatcher(a=expected, b=said, autojunk=False)
    mapped = {i: j for a, b, n in matcher.get_matching_blocks()
              for i, j in zip(range(a, a + n), range(b, b + n), strict=True)}
    if last in mapped and mapped[last] + 1 < len(words):
        j = mapped[last]
        return float(words[j].end), float(words[j + 1].start)
    if last + 1 in mapped and mapped[last + 1] > 0:
        j = mapped[last + 1]
        return float(words[j - 1].end), float(words[j].start)
    raise RuntimeError(f"cannot find where {before!r} ends in its rendering: heard {said}")


def split_at(synth: SpeechSynth, stt: Any, before: str, after: str) -> tuple[np.ndarray,
                                                                         np.ndarray]:
    """One utterance of ``before after``, cut between the two. Spoken separately, ``before``
    would end with the falling pitch of a finished sentence; a person pausing mid-sentence does
    not sound like that. The cut is the quietest 10 ms between the two words (as Whisper base
    times them, 50 ms either side), checked by transcribing both halves: the head must end
    with ``before``'s last word and the tail start with ``after``'s first."""
    whole = speech(synth, f"{before} {after}")
    end, start = _boundary(stt.transcribe(whole, word_timestamps=True).words, before, after)
    frame = round(0.01 * RATE)
    energy = np.convolve(whole**2, np.ones(frame), "same")
    lo = max(frame, round((min(end, start) - 0.05) * RATE))
    hi = min(len(whole) - frame, round((max(end, start) + 0.05) * RATE))
    quietest = sorted(range(lo, hi + 1, frame // 2), key=lambda at: energy[at])[:8]
    want_last, want_first = _first_last(before)[1], _first_last(after)[0]
    for cut in quietest:
        head = stt.transcribe(whole[max(0, cut - 3 * RATE):cut], word_timestamps=False).text
        tail = stt.transcribe(whole[cut:cut + 3 * RATE], word_timestamps=False).text
        # Whisper may write "weight" for "weights": the first four letters must agree
        if _first_last(head)[1][:4] == want_last[:4] and \
                _first_last(tail)[0][:4] == want_first[:4]:
            return whole[:cut], whole[cut:]
    print(f"note: no verified cut between {before!r} and {after!r}; cut at the quietest point "
          "between Whisper's word times", flush=True)
    return whole[:quietest[0]], whole[quietest[0]:]


def render(parts: list[Any], synth: SpeechSynth, stt: Any) -> np.ndarray:
    """The parts as one answer: a pause after a finished sentence is a pause between two
    utterances; a pause inside a sentence is a cut into one utterance."""
    texts = [p for p in parts if isinstance(p, str)]
    pauses = [float(p) for p in parts if not isinstance(p, str)]
    pieces = [speech(synth, texts[0])]
    for index, pause in enumerate(pauses):
        before, after = texts[index], texts[index + 1]
        gap = np.zeros(round(pause * RATE), np.float32)
        if before.rstrip().endswith((".", "!", "?")):
            pieces += [gap, speech(synth, after)]
        else:  # the previous piece is replaced by the same words said mid-sentence
            head, tail = split_at(synth, stt, before, after)
            pieces[-1:] = [head, gap, tail]
    return np.concatenate(pieces)


def build(entry: dict[str, Any], synth: SpeechSynth, stt: Any, noisy: bool,
          seed: int) -> Answer:
    """The answer's audio as played: lead-in, the answer, a long tail; optionally noise."""
    key = hashlib.sha256(json.dumps(entry["parts"]).encode()).hexdigest()[:16]
    # rendering and cutting take a while: once ("turn2": cut where the words align, 2026-12-03)
    cached = synth.folder / f"turn2-{key}.wav"
    if cached.is_file():
        answer = AudioClip.load(cached).samples.astype(np.float32)
    else:
        answer = render(entry["parts"], synth, stt)
        AudioClip(answer, RATE).save(cached)
    start = round(LEAD_IN * RATE)
    end = start + len(answer)
    samples = np.concatenate([np.zeros(start, np.float32), answer,
                              np.zeros(round(TAIL * RATE), np.float32)])
    if noisy:
        voiced = answer[np.abs(answer) > LOUD]
        level = np.sqrt(np.mean(voiced**2)) / 10 ** (SNR_DB / 20)
        samples = samples + level * pink_noise(len(samples), seed)
    return Answer(entry["id"], entry["kind"], entry["split"], noisy,
                  samples.astype(np.float32), start, end)


class Timed:
    """Wraps a callable and keeps how long each call took (model and STT cost per decision)."""

    def __init__(self, function: Callable[[np.ndarray], Any]) -> None:
        self.function, self.seconds = function, []  # type: ignore[var-annotated]
        self._lock = threading.Lock()

    def __call__(self, audio: np.ndarray) -> Any:
        started = time.perf_counter()
        result = self.function(audio)
        with self._lock:
            self.seconds.append(time.perf_counter() - started)
        return result


def listen(rule: str, answer: Answer, mic: Any, folder: Path,
           model: Timed, words: Timed) -> Outcome:
    """Record ``answer`` with one rule and judge the result. The model rule is followed as the
    interviewer follows it: when the capture ends the answer, the words are checked (here on a
    transcript of the last 4 s) and, if they say "not done", recording goes on into the same
    answer, with a judge that knows what was heard."""
    path = folder / f"{answer.id}-{int(answer.noisy)}-{rule}.wav"
    checks: list[list[Any]] = []
    if rule == "silence":
        result = record_answer(path, mic=mic,
                               endpoint=EndpointConfig(turn="silence", end_silence=3.0))
        queued = mic.pending_seconds()
    else:
        before = None
        while True:
            judge = TurnJudge(model_proxy(model), words)
            result = record_answer(path, mic=mic, judge=judge, before=before)
            queued = mic.pending_seconds()  # audio that arrived while the decision was made
            checks += [[v.reason, v.probability, v.words, v.silence] for v in judge.verdicts]
            if result.ended_by != "turn":
                break
            mic.advance(RESPONSE_SECONDS)  # the interviewer's first sound is this far off
            if mic.resumed():  # spoke again before the interviewer did: the same answer
                checks.append(["resumed", None, None])
                before = AudioClip.load(path).samples
                continue
            break
    recorded = AudioClip.load(path).samples
    probe = answer.samples[answer.speech_start:answer.speech_start + min(
        round(1.5 * RATE), answer.speech_end - answer.speech_start)]
    score, lag = best_lag_correlation(recorded, probe)
    if score < 0.3:  # 0.45 was seen for a true match (PulseAudio resampling, 1.5 s probe)
        raise RuntimeError(f"{path.name}: the played answer is not in the recording ({score:.2f})")
    last_word = (lag + answer.speech_end - answer.speech_start) / RATE
    decided = result.duration
    cut = decided < last_word - 0.05
    wait = None if cut else round(decided + queued - last_word, 3)
    timing = {"last_word": round(last_word, 3), "decided": round(decided, 3),
              "queued": round(queued, 3)}
    decision_wait = None if cut else round(decided + queued - last_word, 3)
    return Outcome(answer.id, answer.kind, answer.noisy, rule, result.ended_by, cut, wait,
                   result.nudged, checks, timing, decision_wait)


class LiveMic(Microphone):
    """The real microphone; time goes by on its own."""

    def advance(self, seconds: float) -> None:
        time.sleep(seconds)


class ArrayMic:
    """``--offline``: the answer's samples as if from a microphone, as fast as they are read
    (decisions are the same as live, in samples; only the waiting is skipped)."""

    def __init__(self, samples: np.ndarray) -> None:
        self.samples, self.position, self.held_from = samples, 0, 0
        self.playing = threading.Event()

    def get(self, timeout: float) -> np.ndarray | None:
        if self.held_from < self.position:  # what came in while nobody read
            block = self.samples[self.held_from:self.held_from + 512]
            self.held_from += len(block)
            return block
        block = self.samples[self.position:self.position + 512]
        self.position += len(block)
        self.held_from = self.position
        return block if len(block) == 512 else np.zeros(512, np.float32)

    def advance(self, seconds: float) -> None:
        """Time passes before the interviewer speaks."""
        self.position = min(len(self.samples), self.position + round(seconds * RATE))

    def resumed(self) -> bool:
        from voicecoach.audio.capture import _speech_onset

        waiting = self.samples[self.held_from:self.position]
        return _speech_onset(waiting, EndpointConfig.min_speech) is not None

    def pending_seconds(self) -> float:
        return 0.0

    def start_answer(self) -> None:
        return None


def model_proxy(model: Timed) -> Any:
    class Proxy:
        def probability(self, audio: np.ndarray) -> float:
            return float(model(audio))

    return Proxy()


def both_rules(answer: Answer, pulse: PulseAudio, folder: Path, model: Timed,
               words: Timed) -> dict[str, Outcome]:
    """Play ``answer`` once; each rule records it through its own microphone stream."""
    results: dict[str, Outcome] = {}
    errors: list[BaseException] = []
    with LiveMic() as model_mic, LiveMic() as silence_mic:
        time.sleep(0.3)  # both streams running before the answer starts

        def one(rule: str, mic: Microphone) -> None:
            try:
                results[rule] = listen(rule, answer, mic, folder, model, words)
            except BaseException as error:  # re-raised on the main thread
                errors.append(error)

        threads = [threading.Thread(target=one, args=("model", model_mic)),
                   threading.Thread(target=one, args=("silence", silence_mic))]
        playing = pulse.play_into_mic(AudioClip(answer.samples, RATE))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        playing.stop()
    if errors:
        raise errors[0]
    return results


def run(answers: list[Answer], folder: Path, stt: Any, offline: bool) -> list[Outcome]:
    smart_turn = SmartTurn()
    stt_lock = threading.Lock()

    def transcribe(audio: np.ndarray) -> str:
        with stt_lock:
            return quick_words(stt, audio)

    model, words = Timed(smart_turn.probability), Timed(transcribe)
    outcomes: list[Outcome] = []
    pulse = None
    if not offline:
        pulse = PulseAudio(Path(tempfile.mkdtemp(prefix="voicecoach-bench-turn-")))
        pulse.start()
    try:
        for number, answer in enumerate(answers, 1):
            if pulse is None:
                results = {rule: listen(rule, answer, ArrayMic(answer.samples), folder, model,
                                        words) for rule in ("model", "silence")}
            else:
                results = both_rules(answer, pulse, folder, model, words)
            for rule in ("model", "silence"):
                outcome = results[rule]
                outcomes.append(outcome)
                print(f"[{number}/{len(answers)}] {answer.id:14s} "
                      f"{'noisy' if answer.noisy else 'clean'} {rule:7s} "
                      f"{outcome.ended_by:8s} cut={outcome.cut!s:5s} wait={outcome.wait} "
                      f"decision={outcome.decision_wait} {outcome.timing} "
                      f"{[c for c in outcome.checks if c[0] != 'model' or c[3] > 0.5]}",
                      flush=True)
    finally:
        if pulse is not None:
            pulse.stop()
    if model.seconds and words.seconds:
        print(f"\nSmart Turn per decision: median {statistics.median(model.seconds) * 1000:.0f}"
              f" ms ({len(model.seconds)} calls); words (tiny.en quick decode, last "
              f"{TAIL_WORDS:g} s): median "
              f"{statistics.median(words.seconds) * 1000:.0f} ms ({len(words.seconds)} calls)")
    return outcomes


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def report(outcomes: list[Outcome]) -> None:
    print("\n| audio | rule | answers | cut off | wait median | wait p95 | decision wait median "
          "| decision wait p95 | nudged |")
    print("|---|---|---|---|---|---|---|---|---|")
    for noisy in (False, True, None):
        for rule in ("model", "silence"):
            rows = [o for o in outcomes if o.rule == rule and (noisy is None or o.noisy == noisy)]
            if not rows:
                continue
            waits = [o.wait for o in rows if o.wait is not None]
            decisions = [o.decision_wait for o in rows if o.decision_wait is not None]
            cut = sum(o.cut for o in rows)
            label = {False: "clean", True: "15 dB SNR", None: "all"}[noisy]
            print(f"| {label} | {rule} | {len(rows)} | {cut} ({cut / len(rows):.0%}) | "
                  f"{statistics.median(waits):.2f} s | {p95(waits):.2f} s | "
                  f"{statistics.median(decisions):.2f} s | {p95(decisions):.2f} s | "
                  f"{sum(o.nudged > 0 for o in rows)} |" if waits else
                  f"| {label} | {rule} | {len(rows)} | {cut} | - | - | - | - | - |")
    print("\nCut off, by kind (model / silence):")
    for kind in sorted({o.kind for o in outcomes}):
        counts = {rule: (sum(o.cut for o in outcomes if o.kind == kind and o.rule == rule),
                         sum(1 for o in outcomes if o.kind == kind and o.rule == rule))
                  for rule in ("model", "silence")}
        print(f"- {kind}: {counts['model'][0]}/{counts['model'][1]} / "
              f"{counts['silence'][0]}/{counts['silence'][1]}")


def load_answers(split: str, only: str | None, *, noise: bool) -> tuple[list[dict[str, Any]],
                                                                       list[Answer]]:
    """The labelled texts of ``split`` (or the comma-separated ids ``only``) and their audio,
    clean and (with ``noise``) at 15 dB SNR; rendered once and cached with the test audio."""
    from voicecoach.speech.stt import create_stt

    entries = yaml.safe_load(DATA.read_text(encoding="utf-8"))["answers"]
    entries = [e for e in entries if split in ("all", e["split"])]
    if only:
        entries = [e for e in entries if e["id"] in only.split(",")]
    synth = SpeechSynth(REPO / ".pytest_cache" / "d" / "speech_audio")
    synth.folder.mkdir(parents=True, exist_ok=True)
    aligner = create_stt("faster-whisper", "base")  # finds word boundaries in the renderings
    answers = [build(e, synth, aligner, noisy, seed)
               for noisy in (False, *([True] if noise else []))
               for seed, e in enumerate(entries)]
    return entries, answers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--split", choices=("heldout", "dev", "all"), default="heldout")
    parser.add_argument("--no-noise", action="store_true", help="clean copies only")
    parser.add_argument("--only", help="comma-separated answer ids")
    parser.add_argument("--json", type=Path, help="write every outcome here")
    parser.add_argument("--offline", action="store_true", help="feed the clips straight to the "
                        "capture (fast, for development; the figures come from a live run)")
    args = parser.parse_args()
    entries, answers = load_answers(args.split, args.only, noise=not args.no_noise)
    from voicecoach.speech.stt import create_stt

    print(f"{len(answers)} answers ({len(entries)} texts, split {args.split}); "
          + ("offline (no audio device)" if args.offline else
             "both rules listen to each at once through PulseAudio"), flush=True)
    with tempfile.TemporaryDirectory(prefix="voicecoach-turn-") as folder:
        outcomes = run(answers, Path(folder), create_stt("faster-whisper", "tiny.en"),
                       args.offline)
    report(outcomes)
    if args.json:
        args.json.write_text(json.dumps([asdict(o) for o in outcomes], indent=1))


if __name__ == "__main__":
    main()
