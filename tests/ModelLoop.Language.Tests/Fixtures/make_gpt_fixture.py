#!/usr/bin/python3
"""Writes gpt-reference.safetensors: a tiny GPT-2-layout model with fixed weights, an input and PyTorch's logits.

The C# test loads the weights into ModelLoop's Gpt layer and must reproduce the logits to 1e-4. The model here is
written independently from the C# one, from GPT-2's definition: token + position embeddings, pre-LayerNorm blocks
(causal scaled-dot-product attention, as an explicit masked softmax, with a fused [Q|K|V] projection, GELU with the tanh approximation), a final
LayerNorm and an output head tied to the token embedding. Weights use torch.nn.Linear's (out, in) layout and
Hugging Face's GPT-2 names. Run with Debian's python3-torch: /usr/bin/python3 make_gpt_fixture.py
"""
import json
import math
import struct

import torch
import torch.nn.functional as F

VOCAB, BLOCK, LAYERS, HEADS, WIDTH = 37, 12, 2, 2, 16
BATCH, TIME = 2, 10  # shorter than the block size, so the C# model must slice its position embedding

torch.manual_seed(20261201)


def rand(*shape, scale=0.3, offset=0.0):
    # Larger than GPT-2's 0.02 init so every part of the network moves the logits measurably.
    return (offset + scale * torch.randn(*shape)).float()


weights = {"wte.weight": rand(VOCAB, WIDTH), "wpe.weight": rand(BLOCK, WIDTH)}
for n in range(LAYERS):
    p = f"h.{n}."
    weights[p + "ln_1.weight"] = rand(WIDTH, scale=0.1, offset=1.0)
    weights[p + "ln_1.bias"] = rand(WIDTH, scale=0.1)
    weights[p + "attn.c_attn.weight"] = rand(3 * WIDTH, WIDTH)
    weights[p + "attn.c_attn.bias"] = rand(3 * WIDTH, scale=0.1)
    weights[p + "attn.c_proj.weight"] = rand(WIDTH, WIDTH)
    weights[p + "attn.c_proj.bias"] = rand(WIDTH, scale=0.1)
    weights[p + "ln_2.weight"] = rand(WIDTH, scale=0.1, offset=1.0)
    weights[p + "ln_2.bias"] = rand(WIDTH, scale=0.1)
    weights[p + "mlp.c_fc.weight"] = rand(4 * WIDTH, WIDTH)
    weights[p + "mlp.c_fc.bias"] = rand(4 * WIDTH, scale=0.1)
    weights[p + "mlp.c_proj.weight"] = rand(WIDTH, 4 * WIDTH)
    weights[p + "mlp.c_proj.bias"] = rand(WIDTH, scale=0.1)
weights["ln_f.weight"] = rand(WIDTH, scale=0.1, offset=1.0)
weights["ln_f.bias"] = rand(WIDTH, scale=0.1)


def forward(ids):
    w = weights
    b, t = ids.shape
    x = w["wte.weight"][ids] + w["wpe.weight"][:t]  # (B, T, D)
    head_dim = WIDTH // HEADS
    for n in range(LAYERS):
        p = f"h.{n}."
        h = F.layer_norm(x, (WIDTH,), w[p + "ln_1.weight"], w[p + "ln_1.bias"], eps=1e-5)
        qkv = F.linear(h, w[p + "attn.c_attn.weight"], w[p + "attn.c_attn.bias"])  # (B, T, 3D)
        q, k, v = qkv.split(WIDTH, dim=2)
        q, k, v = (z.view(b, t, HEADS, head_dim).transpose(1, 2) for z in (q, k, v))  # (B, H, T, hd)
        # Debian's torch 1.13 has no scaled_dot_product_attention, so the reference spells it out: an independent check.
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(head_dim)  # (B, H, T, T)
        future = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        y = scores.masked_fill(future, float("-inf")).softmax(dim=-1) @ v  # (B, H, T, hd)
        y = y.transpose(1, 2).reshape(b, t, WIDTH)
        x = x + F.linear(y, w[p + "attn.c_proj.weight"], w[p + "attn.c_proj.bias"])
        h = F.layer_norm(x, (WIDTH,), w[p + "ln_2.weight"], w[p + "ln_2.bias"], eps=1e-5)
        h = F.gelu(F.linear(h, w[p + "mlp.c_fc.weight"], w[p + "mlp.c_fc.bias"]), approximate="tanh")
        x = x + F.linear(h, w[p + "mlp.c_proj.weight"], w[p + "mlp.c_proj.bias"])
    x = F.layer_norm(x, (WIDTH,), w["ln_f.weight"], w["ln_f.bias"], eps=1e-5)
    return F.linear(x, w["wte.weight"])  # tied head: (B, T, V)


ids = torch.randint(0, VOCAB, (BATCH, TIME), dtype=torch.int64)
with torch.no_grad():
    logits = forward(ids)

tensors = dict(weights)
tensors["input"] = ids
tensors["logits"] = logits.contiguous()

# safetensors, written directly (the format is an 8-byte header length, a JSON header, then raw little-endian data).
header, blobs, offset = {}, [], 0
for name, tensor in tensors.items():
    code = "f" if tensor.dtype == torch.float32 else "q"
    data = struct.pack(f"<{tensor.numel()}{code}", *tensor.flatten().tolist())
    header[name] = {"dtype": "F32" if tensor.dtype == torch.float32 else "I64", "shape": list(tensor.shape), "data_offsets": [offset, offset + len(data)]}
    blobs.append(data)
    offset += len(data)
header["__metadata__"] = {"vocabulary_size": str(VOCAB), "block_size": str(BLOCK), "layers": str(LAYERS), "heads": str(HEADS),
                          "width": str(WIDTH), "torch": torch.__version__}
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)
with open("gpt-reference.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))
print(f"wrote gpt-reference.safetensors: {offset:,} bytes of tensors, logits {tuple(logits.shape)}, max |logit| {logits.abs().max():.3f}")
