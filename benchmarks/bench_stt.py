"""Speech-to-text: speed, accuracy, memory and latency of the engines on the same clips.

Clips are interview answers spoken by Piper (joe-medium, natural voice), synthesized once and
cached under benchmarks/out/stt-audio/. Each engine configuration runs in its own worker process
(so peak RSS and load time are its own) over every clip, after one warm-up transcription, and
the parent prints medians and ratios:

- RTF (transcription seconds / audio seconds) and WER on short (3–6 s) and long (20–60 s)
  answers: faster-whisper tiny.en int8 vs openai-whisper tiny.en fp32 (the same weights,
  converted), in the product's beam-5 setting and greedy; base int8;
- model load time and peak RSS per configuration;
- end of speech → transcript: the default engine on a 20 s answer (the STT part of the delay;
  the endpointing silence before it is the audio benchmark's);
- fillers: which initial prompt keeps "um"/"uh" (filler recall) without hurting the words.

    .venv/bin/python benchmarks/bench_stt.py [--only NAME ...] [--skip-fillers]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
CLIPS_DIR = REPO / "benchmarks" / "out" / "stt-audio"

from tests.fixtures.wer import normalize, wer  # noqa: E402  (needs the repo on sys.path)

SHORT = {
    "short-gini": "Gini impurity measures how mixed the classes in a node are.",
    "short-lr": "A learning rate that is too high makes the loss diverge.",
    "short-kmeans": "K-means assigns every point to its nearest centroid.",
}
LONG = {
    "long-20s-overfit": (
        "To detect overfitting I would compare the training loss with the validation loss. "
        "If the training loss keeps going down while the validation loss starts going up, the "
        "network is memorizing the training data instead of learning patterns that generalize. "
        "Then I would stop early, add dropout, or collect more data."
    ),
    "long-40s-trees": (
        "A decision tree is trained greedily from the root. At every node we look at each "
        "feature and each possible threshold, and we pick the split that reduces the impurity "
        "the most, for example the Gini impurity or the entropy for classification, or the mean "
        "squared error for regression. We keep splitting until the leaves are pure or we hit a "
        "stopping rule such as the maximum depth or the minimum number of samples in a leaf. "
        "Max depth is a good parameter to tune because a deeper tree can fit the training data "
        "more closely, so it may learn noise and overfit, while a shallow tree underfits. We "
        "choose it on a validation set or with cross validation."
    ),
    "long-60s-backprop": (
        "A neural network is a stack of layers. Each layer multiplies its input by a weight "
        "matrix, adds a bias, and applies a nonlinear activation such as the ReLU. We train it "
        "with gradient descent. First the forward pass computes the predictions and the loss, "
        "for example the binary cross entropy for a classifier, which is minus y times the log "
        "of p, minus one minus y times the log of one minus p. Then backpropagation applies the "
        "chain rule from the loss back to every weight, layer by layer, reusing the gradients "
        "of the layer above, so that we get the derivative of the loss with respect to every "
        "parameter in one backward pass. Finally the optimizer moves each weight a small step "
        "against its gradient, scaled by the learning rate. We usually lower the learning rate "
        "during training with a schedule, because large steps help early on but make the loss "
        "bounce around the minimum later. Regularization such as weight decay or dropout keeps "
        "the network from overfitting the training set."
    ),
}
FILLERS = {
    "filler-reg": (
        "Um, I think regularization, uh, adds a penalty on the weights. So, um, the model "
        "cannot, uh, just memorize the training data."
    ),
    "filler-depth": (
        "Uh, a deeper tree, um, fits the training data more closely. Um, so it can learn the "
        "noise, uh, and overfit."
    ),
    "filler-kmeans": (
        "So k-means, um, picks k centroids. Uh, every point goes to the, um, nearest centroid, "
        "and, uh, we repeat that."
    ),
}
PROMPT_QUESTION = "What does regularization do, and why does a deeper tree overfit?"
# the question each answer replies to: the product always passes it as the initial prompt
QUESTIONS = {
    "short-gini": "What is Gini impurity?",
    "short-lr": "What happens if the learning rate is too high?",
    "short-kmeans": "How does k-means assign points to clusters?",
    "long-20s-overfit": "How would you detect overfitting in a neural network?",
    "long-40s-trees": "How is a decision tree trained, and why is max depth a good parameter "
                      "to tune?",
    "long-60s-backprop": "Walk me through a neural network and how backpropagation trains it.",
}
FILLER_WORDS = {"um", "uh", "umm", "uhh", "hmm", "er", "ah"}


@dataclass(frozen=True)
class Config:
    """One engine configuration, run in its own worker process."""

    name: str
    engine: str
    model: str
    beam_size: int = 5
    compute_type: str = "int8"
    word_timestamps: bool = True
    threads: int = 0
    vad_filter: bool = True


CONFIGS = (
    Config("fw-tiny-int8-beam5 (default)", "faster-whisper", "tiny.en"),
    Config("ow-tiny-fp32-beam5", "openai-whisper", "tiny.en", compute_type="float32"),
    Config("fw-tiny-int8-greedy", "faster-whisper", "tiny.en", beam_size=1),
    Config("ow-tiny-fp32-greedy", "openai-whisper", "tiny.en", beam_size=1,
           compute_type="float32"),
    Config("fw-tiny-fp32-greedy", "faster-whisper", "tiny.en", beam_size=1,
           compute_type="float32"),
    Config("fw-tiny-int8-beam5-nowords", "faster-whisper", "tiny.en", word_timestamps=False),
    Config("ow-tiny-fp32-beam5-nowords", "openai-whisper", "tiny.en", compute_type="float32",
           word_timestamps=False),
    Config("fw-tiny-int8-beam5-1thread", "faster-whisper", "tiny.en", threads=1),
    Config("fw-base-int8-beam5", "faster-whisper", "base"),
)




def synthesize_clips() -> dict[str, Path]:
    """Every benchmark text as a cached 16 kHz WAV (Piper, a short pause either side)."""
    from tests.fixtures.speech_audio import SpeechSynth

    CLIPS_DIR.mkdir(parents=True, exist_ok=True)
    synth = SpeechSynth(CLIPS_DIR)
    return {name: synth.clip(text) for name, text in {**SHORT, **LONG, **FILLERS}.items()}


def worker(config: Config, clips: dict[str, str]) -> dict[str, Any]:
    """Load one configuration, warm it up, transcribe every clip; report times and memory."""
    from voicecoach.speech.stt import SttOptions, create_stt, load_audio

    options = SttOptions(beam_size=config.beam_size, compute_type=config.compute_type,
                         vad_filter=config.vad_filter)
    started = time.perf_counter()
    engine = create_stt(config.engine, config.model, threads=config.threads, options=options)
    load = time.perf_counter() - started
    audio = {name: load_audio(Path(path)) for name, path in clips.items()}
    engine.transcribe(audio[next(iter(SHORT))], word_timestamps=config.word_timestamps)  # warm up
    results = {}
    for name, samples in audio.items():
        if name in FILLERS:
            continue
        transcript = engine.transcribe(samples, prompt=QUESTIONS[name],
                                       word_timestamps=config.word_timestamps)
        results[name] = {"seconds": transcript.seconds, "duration": transcript.duration,
                         "text": transcript.text}
    # end of speech -> transcript: from the finished WAV on disk to the Transcript object
    latency = []
    for _ in range(3):
        began = time.perf_counter()
        engine.transcribe(Path(clips["long-20s-overfit"]), prompt=QUESTIONS["long-20s-overfit"],
                          word_timestamps=config.word_timestamps)
        latency.append(time.perf_counter() - began)
    return {"load": load, "clips": results, "latency_20s": statistics.median(latency),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def filler_study(clips: dict[str, Path]) -> None:
    """Which prompt keeps fillers: recall of um/uh, and WER on the other words."""
    from voicecoach.speech.stt import FILLER_PROMPT, SttOptions, create_stt

    cues = {
        "none": "",
        "default cue": FILLER_PROMPT,
        "no ellipsis": "Umm, let me think, uh, so, um, I'd say, like,",
        "cue B": "Um, so, uh, I think, um, the answer is, uh,",
        "cue C": "So, um, you know, uh, I mean, um, like,",
    }
    print("\n## Fillers (faster-whisper tiny.en int8 beam 5; prompt = question + cue)")
    print("| cue | text | fillers kept | WER without fillers | WER on clean answers |")
    print("|---|---|---|---|---|")
    engine = create_stt(options=SttOptions(filler_prompt=False))
    for label, cue in cues.items():
        kept = total = 0
        wers, clean_wers = [], []
        for name, text in FILLERS.items():
            said = normalize(engine.transcribe(
                clips[name], prompt=f"{PROMPT_QUESTION} {cue}").text).split()
            ref = normalize(text).split()
            total += sum(w in FILLER_WORDS for w in ref)
            kept += min(sum(w in FILLER_WORDS for w in said), sum(w in FILLER_WORDS for w in ref))
            wers.append(wer(" ".join(w for w in ref if w not in FILLER_WORDS),
                            " ".join(w for w in said if w not in FILLER_WORDS)))
        for name, text in {**SHORT, **LONG}.items():
            said_text = engine.transcribe(clips[name], prompt=f"{QUESTIONS[name]} {cue}").text
            clean_wers.append(wer(text, said_text))
        print(f"| {label} | {cue!r} | {kept}/{total} | {statistics.mean(wers):.3f} | "
              f"{statistics.mean(clean_wers):.3f} |", flush=True)


def report(runs: dict[str, dict[str, Any]]) -> None:
    texts = {**SHORT, **LONG}

    def med(run: dict[str, Any], names: dict[str, str], key: str) -> float:
        values = []
        for name in names:
            item = run["clips"][name]
            values.append(item["seconds"] / item["duration"] if key == "rtf"
                          else wer(texts[name], item["text"]))
        return statistics.median(values)

    print("\n## STT engines (medians; short = 3 clips of 3–6 s, long = 20, 40, 60 s)")
    print("| configuration | load s | peak RSS MiB | RTF short | RTF long | WER short | WER long "
          "| 20 s answer → transcript s |")
    print("|---|---|---|---|---|---|---|---|")
    for name, run in runs.items():
        print(f"| {name} | {run['load']:.2f} | {run['peak_rss_mib']:.0f} | "
              f"{med(run, SHORT, 'rtf'):.3f} | {med(run, LONG, 'rtf'):.3f} | "
              f"{med(run, SHORT, 'wer'):.3f} | {med(run, LONG, 'wer'):.3f} | "
              f"{run['latency_20s']:.2f} |")
    pairs = [("fw-tiny-int8-beam5 (default)", "ow-tiny-fp32-beam5"),
             ("fw-tiny-int8-greedy", "ow-tiny-fp32-greedy"),
             ("fw-tiny-fp32-greedy", "ow-tiny-fp32-greedy"),
             ("fw-tiny-int8-beam5-nowords", "ow-tiny-fp32-beam5-nowords")]
    print("\n| speed-up (openai-whisper time / faster-whisper time, per clip, median) "
          "| short | long |")
    print("|---|---|---|")
    for fast, slow in pairs:
        if fast in runs and slow in runs:
            ratios = {group: statistics.median(
                runs[slow]["clips"][n]["seconds"] / runs[fast]["clips"][n]["seconds"]
                for n in names) for group, names in (("short", SHORT), ("long", LONG))}
            print(f"| {fast} vs {slow} | {ratios['short']:.2f}x | {ratios['long']:.2f}x |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="configuration names to run (default: all)")
    parser.add_argument("--skip-fillers", action="store_true")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:  # child process: one configuration, JSON on stdout
        config, clips = json.loads(args.worker)
        print(json.dumps(worker(Config(**config), clips)))
        return
    clips = synthesize_clips()
    runs = {}
    for config in CONFIGS:
        if args.only and config.name not in args.only:
            continue
        payload = json.dumps([config.__dict__, {k: str(v) for k, v in clips.items()}])
        done = subprocess.run([sys.executable, __file__, "--worker", payload],
                              capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{config.name} failed:\n{done.stderr[-2000:]}", file=sys.stderr)
            continue
        runs[config.name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(f"done {config.name}: load {runs[config.name]['load']:.2f} s", file=sys.stderr,
              flush=True)
    report(runs)
    if not args.skip_fillers:
        filler_study(clips)


if __name__ == "__main__":
    main()
