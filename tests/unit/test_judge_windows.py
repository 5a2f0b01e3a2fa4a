"""Answer windows: verbatim spans, pairs of neighbours, bounded run-ons, linear growth."""

from __future__ import annotations

from voicecoach.grading.judge.windows import WindowSettings, answer_windows


def test_windows_are_verbatim_spans_with_offsets() -> None:
    text = "Um, a deep tree keeps splitting. So every leaf ends up with one sample!  It overfits."
    windows = answer_windows(text)
    assert windows, "no windows"
    for window in windows:
        assert text[window.start:window.end] == window.text
    singles = [w.text for w in windows if w.pieces == 1]
    assert singles == [
        "Um, a deep tree keeps splitting.",
        "So every leaf ends up with one sample!",
        "It overfits.",
    ]
    pairs = [w.text for w in windows if w.pieces == 2]
    assert "Um, a deep tree keeps splitting. So every leaf ends up with one sample!" in pairs


def test_an_unpunctuated_run_on_is_cut_into_bounded_overlapping_chunks() -> None:
    words = [f"w{i}" for i in range(100)]
    text = " ".join(words)
    settings = WindowSettings(max_words=40, overlap_words=10, pair_max_words=60)
    singles = [w for w in answer_windows(text, settings) if w.pieces == 1]
    assert all(len(w.text.split()) <= 40 for w in singles)
    assert singles[0].text.split()[0] == "w0" and singles[-1].text.split()[-1] == "w99"
    # consecutive chunks overlap, so a claim straddling a cut is read whole by one of them
    assert singles[1].text.split()[0] == "w30"


def test_window_count_grows_linearly_with_length() -> None:
    short = answer_windows(" ".join(["word"] * 1_000))
    long = answer_windows(" ".join(["word"] * 10_000))
    assert 8 * len(short) <= len(long) <= 12 * len(short)


def test_no_windows_in_an_empty_answer() -> None:
    assert answer_windows("") == []
    assert answer_windows("   ") == []


def test_a_short_answer_of_three_sentences_is_also_read_whole_and_a_long_one_is_not() -> None:
    text = " Um, a deep tree keeps splitting. So every leaf ends up with one sample!  It overfits. "
    whole = [w for w in answer_windows(text) if w.pieces == 3]
    assert [w.text for w in whole] == [text.strip()]
    assert text[whole[0].start:whole[0].end] == whole[0].text  # verbatim, like every window
    two = "A deep tree keeps splitting. It overfits."
    assert max(w.pieces for w in answer_windows(two)) == 2  # the pair already is the whole
    long = " ".join(["The tree keeps splitting the data again."] * 20)  # 140 words
    assert max(w.pieces for w in answer_windows(long)) == 2
    assert max(w.pieces for w in answer_windows(long, WindowSettings(whole_max_words=200))) == 20
