"""Model location (offline first) and the CTranslate2 -> openai-whisper name/layout mapping."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest

from voicecoach.errors import ConfigError
from voicecoach.speech.convert_openai import read_variables, state_dict_from_ct2
from voicecoach.speech.models import (
    ModelSource,
    cache_dir,
    doctor_checks,
    locate_model,
    openai_checkpoint_path,
)


def _string(text: str) -> bytes:
    raw = text.encode()
    return struct.pack("<H", len(raw) + 1) + raw + b"\0"


def write_model_bin(variables: dict[str, np.ndarray], aliases: dict[str, str]) -> bytes:
    """A model.bin in CTranslate2's layout (the format the converter reads)."""
    codes = {np.dtype(np.float32): 0, np.dtype(np.int8): 1, np.dtype(np.int16): 2,
             np.dtype(np.int32): 3, np.dtype(np.float16): 4}
    out = struct.pack("<I", 6) + _string("WhisperSpec") + struct.pack("<II", 3, len(variables))
    for name, value in variables.items():
        out += _string(name) + struct.pack("<B", value.ndim)
        out += b"".join(struct.pack("<I", d) for d in value.shape)
        out += struct.pack("<BI", codes[value.dtype], value.nbytes) + value.tobytes()
    out += struct.pack("<I", len(aliases))
    for alias, target in aliases.items():
        out += _string(alias) + _string(target)
    return out


def tiny_spec(state: int = 4, vocab: int = 7) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(1)

    def r(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float16)

    v: dict[str, np.ndarray] = {
        "encoder/conv1/weight": r(state, 3, 3), "encoder/conv1/bias": r(state),
        "encoder/conv2/weight": r(state, state, 3), "encoder/conv2/bias": r(state),
        "encoder/position_encodings/encodings": r(5, state),
        "encoder/layer_norm/gamma": r(state), "encoder/layer_norm/beta": r(state),
        "encoder/num_heads": np.array(2, dtype=np.int16),
        "decoder/embeddings/weight": r(vocab, state),
        "decoder/position_encodings/encodings": r(6, state),
        "decoder/layer_norm/gamma": r(state), "decoder/layer_norm/beta": r(state),
        "decoder/num_heads": np.array(2, dtype=np.int16),
    }
    for side in ("encoder", "decoder"):
        p = f"{side}/layer_0"
        v |= {f"{p}/self_attention/linear_0/weight": r(3 * state, state),
              f"{p}/self_attention/linear_0/bias": r(3 * state),
              f"{p}/self_attention/linear_1/weight": r(state, state),
              f"{p}/self_attention/linear_1/bias": r(state),
              f"{p}/self_attention/layer_norm/gamma": r(state),
              f"{p}/self_attention/layer_norm/beta": r(state),
              f"{p}/ffn/linear_0/weight": r(4 * state, state),
              f"{p}/ffn/linear_0/bias": r(4 * state),
              f"{p}/ffn/linear_1/weight": r(state, 4 * state), f"{p}/ffn/linear_1/bias": r(state),
              f"{p}/ffn/layer_norm/gamma": r(state), f"{p}/ffn/layer_norm/beta": r(state)}
    p = "decoder/layer_0/attention"
    v |= {f"{p}/linear_0/weight": r(state, state), f"{p}/linear_0/bias": r(state),
          f"{p}/linear_1/weight": r(2 * state, state), f"{p}/linear_1/bias": r(2 * state),
          f"{p}/linear_2/weight": r(state, state), f"{p}/linear_2/bias": r(state),
          f"{p}/layer_norm/gamma": r(state), f"{p}/layer_norm/beta": r(state)}
    return v


def test_reader_round_trips_variables_and_aliases() -> None:
    spec = tiny_spec()
    data = write_model_bin(spec, {"decoder/projection/weight": "decoder/embeddings/weight"})
    variables = read_variables(data)
    np.testing.assert_array_equal(variables["encoder/conv2/weight"], spec["encoder/conv2/weight"])
    assert variables["decoder/projection/weight"] is variables["decoder/embeddings/weight"]
    assert int(variables["decoder/num_heads"]) == 2


def test_fused_attention_is_split_and_the_key_has_no_bias() -> None:
    spec = tiny_spec()
    dims, state = state_dict_from_ct2(read_variables(write_model_bin(spec, {})))
    assert dims == {"n_mels": 3, "n_audio_ctx": 5, "n_audio_state": 4, "n_audio_head": 2,
                    "n_audio_layer": 1, "n_vocab": 7, "n_text_ctx": 6, "n_text_state": 4,
                    "n_text_head": 2, "n_text_layer": 1}
    fused = spec["decoder/layer_0/self_attention/linear_0/weight"]
    np.testing.assert_array_equal(state["decoder.blocks.0.attn.key.weight"], fused[4:8])
    np.testing.assert_array_equal(state["decoder.blocks.0.attn.value.weight"], fused[8:])
    kv = spec["decoder/layer_0/attention/linear_1/bias"]
    np.testing.assert_array_equal(state["decoder.blocks.0.cross_attn.value.bias"], kv[4:])
    assert "decoder.blocks.0.attn.key.bias" not in state
    assert "decoder.blocks.0.cross_attn.key.bias" not in state
    assert "encoder.blocks.0.mlp.2.weight" in state and "decoder.ln.bias" in state


def test_state_dict_matches_openai_whisper_module_names() -> None:
    torch = pytest.importorskip("torch")
    whisper_model = pytest.importorskip("whisper.model")
    dims, state = state_dict_from_ct2(read_variables(write_model_bin(tiny_spec(), {})))
    model = whisper_model.Whisper(whisper_model.ModelDimensions(**dims))
    tensors = {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in state.items()}
    model.load_state_dict(tensors)  # strict: every name and shape must match


def test_a_non_whisper_file_is_refused() -> None:
    data = struct.pack("<I", 6) + _string("TransformerSpec") + struct.pack("<II", 1, 0)
    with pytest.raises(ConfigError, match="not a CTranslate2 Whisper model"):
        read_variables(data)


def test_bundled_models_are_found_offline() -> None:
    tiny = locate_model("tiny.en")
    assert tiny.bundled and (Path(tiny.location) / "model.bin").is_file()
    assert tiny.config()["alignment_heads"]


def test_bundled_base_is_joined_in_memory_not_on_disk() -> None:
    base = locate_model("base")
    assert base.files is not None and base.bundled
    assert len(base.files["model.bin"]) > 140_000_000
    assert base.model_bin().startswith(struct.pack("<I", 6))
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= set(base.files)


def test_a_folder_is_passed_through(tmp_path: Path) -> None:
    assert locate_model(str(tmp_path)) == ModelSource(str(tmp_path), str(tmp_path))


def test_unknown_names_do_not_download_without_permission(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ConfigError, match="--allow-download"):
        locate_model("small.en")
    with pytest.raises(ConfigError, match="not found"):
        locate_model(str(tmp_path / "no-such-model"))


def test_cache_dir_honours_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VOICECOACH_CACHE", str(tmp_path))
    assert cache_dir() == tmp_path
    assert openai_checkpoint_path("base") == tmp_path / "openai-whisper" / "base.pt"


def test_doctor_rows_have_the_doctor_fields() -> None:
    rows = doctor_checks()
    assert {r["name"] for r in rows} >= {"STT model tiny.en", "STT model base (optional)"}
    assert all(set(r) == {"name", "ok", "detail", "fix", "required"} for r in rows)
