#!/usr/bin/python3
"""Writes GPT-2-layout safetensors files as Hugging Face's GPT-2 checkpoints lay them out, for Gpt2SafeTensors' tests.

- gpt2-tiny.safetensors: GPT2Model's names (wte, wpe, h.N.…, ln_f, no prefix), float32, Conv1D weights stored
  [in, out] as GPT-2's Conv1D keeps them, and the h.N.attn.bias causal-mask buffers older checkpoints carry.
- gpt2-tiny-lmhead-f16.safetensors: GPT2LMHeadModel's names ("transformer." prefix, plus lm_head.weight, which
  is wte again), float16.
- gpt2-tiny-bf16.safetensors: GPT2Model's names in bfloat16.
- gpt2-tiny.config.json: Hugging Face's config.json for these sizes.
- gpt2-tiny-expected.safetensors: token ids "input" and the logits of each file's weights ("logits_f32",
  "logits_f16", "logits_bf16"), computed here by a forward pass written from GPT-2's definition with Conv1D's
  y = x · W + b, independently of the C# model (which uses linear layers and so must transpose on load).

python3-safetensors is not packaged in Debian, so the format (8-byte little-endian header length, JSON header,
raw little-endian bytes) is written directly. Run with Debian's python3-torch: /usr/bin/python3 make_gpt2_safetensors.py
"""
import json
import math
import struct

import torch
import torch.nn.functional as F

VOCAB, BLOCK, LAYERS, HEADS, WIDTH = 41, 16, 2, 2, 16
BATCH, TIME = 2, 11

torch.manual_seed(20261202)


def rand(*shape, scale=0.3, offset=0.0):
    return (offset + scale * torch.randn(*shape)).float()


# Hugging Face's GPT2Model names; Conv1D weights are (in, out).
weights = {"wte.weight": rand(VOCAB, WIDTH), "wpe.weight": rand(BLOCK, WIDTH)}
for n in range(LAYERS):
    p = f"h.{n}."
    weights[p + "ln_1.weight"] = rand(WIDTH, scale=0.1, offset=1.0)
    weights[p + "ln_1.bias"] = rand(WIDTH, scale=0.1)
    weights[p + "attn.c_attn.weight"] = rand(WIDTH, 3 * WIDTH)
    weights[p + "attn.c_attn.bias"] = rand(3 * WIDTH, scale=0.1)
    weights[p + "attn.c_proj.weight"] = rand(WIDTH, WIDTH)
    weights[p + "attn.c_proj.bias"] = rand(WIDTH, scale=0.1)
    weights[p + "ln_2.weight"] = rand(WIDTH, scale=0.1, offset=1.0)
    weights[p + "ln_2.bias"] = rand(WIDTH, scale=0.1)
    weights[p + "mlp.c_fc.weight"] = rand(WIDTH, 4 * WIDTH)
    weights[p + "mlp.c_fc.bias"] = rand(4 * WIDTH, scale=0.1)
    weights[p + "mlp.c_proj.weight"] = rand(4 * WIDTH, WIDTH)
    weights[p + "mlp.c_proj.bias"] = rand(WIDTH, scale=0.1)
weights["ln_f.weight"] = rand(WIDTH, scale=0.1, offset=1.0)
weights["ln_f.bias"] = rand(WIDTH, scale=0.1)


def conv1d(x, w, b):
    return x @ w + b  # GPT-2's Conv1D: weight (in, out)


def forward(w, ids):
    b, t = ids.shape
    x = w["wte.weight"][ids] + w["wpe.weight"][:t]  # (B, T, D)
    head_dim = WIDTH // HEADS
    for n in range(LAYERS):
        p = f"h.{n}."
        h = F.layer_norm(x, (WIDTH,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps=1e-5)
        q, k, v = conv1d(h, w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"]).split(WIDTH, dim=2)
        q, k, v = (z.view(b, t, HEADS, head_dim).transpose(1, 2) for z in (q, k, v))  # (B, H, T, hd)
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(head_dim)
        future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        y = (scores.masked_fill(future, float("-inf")).softmax(dim=-1) @ v).transpose(1, 2).reshape(b, t, WIDTH)
        x = x + conv1d(y, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"])
        h = F.layer_norm(x, (WIDTH,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps=1e-5)
        h = F.gelu(conv1d(h, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"]), approximate="tanh")
        x = x + conv1d(h, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])
    x = F.layer_norm(x, (WIDTH,), w["ln_f.weight"], w["ln_f.bias"], eps=1e-5)
    return x @ w["wte.weight"].T  # tied head: (B, T, V)


DTYPES = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.int64: "I64"}


def write(path, tensors, metadata):
    header, blobs, offset = {}, [], 0
    for name, tensor in tensors.items():
        tensor = tensor.contiguous()
        if tensor.dtype == torch.bfloat16:
            data = tensor.view(torch.int16).numpy().tobytes()  # numpy has no bfloat16; the bits are the same
        else:
            data = tensor.numpy().astype(tensor.numpy().dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": DTYPES[tensor.dtype], "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
    print(f"wrote {path}: {len(tensors)} tensors, {offset:,} bytes")


masks = {f"h.{n}.attn.bias": torch.tril(torch.ones(BLOCK, BLOCK)).view(1, 1, BLOCK, BLOCK) for n in range(LAYERS)}
write("gpt2-tiny.safetensors", {**weights, **masks}, {"format": "pt"})

half = {k: v.half() for k, v in weights.items()}
lm_head = {"transformer." + k: v for k, v in half.items()}
lm_head["lm_head.weight"] = half["wte.weight"]
write("gpt2-tiny-lmhead-f16.safetensors", lm_head, {"format": "pt"})

bf16 = {k: v.bfloat16() for k, v in weights.items()}
write("gpt2-tiny-bf16.safetensors", bf16, {"format": "pt"})

ids = torch.randint(0, VOCAB, (BATCH, TIME), dtype=torch.int64)
with torch.no_grad():
    expected = {
        "input": ids,
        "logits_f32": forward(weights, ids),
        "logits_f16": forward({k: v.float() for k, v in half.items()}, ids),
        "logits_bf16": forward({k: v.float() for k, v in bf16.items()}, ids),
    }
write("gpt2-tiny-expected.safetensors", expected, {"torch": torch.__version__})

with open("gpt2-tiny.config.json", "w") as f:
    json.dump({"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "vocab_size": VOCAB, "n_positions": BLOCK,
               "n_ctx": BLOCK, "n_layer": LAYERS, "n_head": HEADS, "n_embd": WIDTH, "n_inner": None,
               "activation_function": "gelu_new", "layer_norm_epsilon": 1e-05}, f, indent=2)
    f.write("\n")
print("wrote gpt2-tiny.config.json")
