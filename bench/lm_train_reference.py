#!/usr/bin/python3
"""PyTorch side of `ModelLoop.Bench lm-train`: nanoGPT's model and loop on the split the C# side exported.

Reads DIR/meta.json and the int32 token streams DIR/train.bin and DIR/val.bin written by the benchmark, trains the
same GPT-2-layout model (token + position embeddings, pre-LayerNorm blocks, causal attention written out explicitly
because Debian's torch 1.13 has no F.scaled_dot_product_attention, tanh-GELU MLP, tied head, GPT-2 initialisation)
with the same recipe (AdamW, linear warm-up + cosine decay as ModelLoop's LearningRateSchedule.Cosine, gradient
clipping, non-overlapping training windows reshuffled each pass, validation every eval_interval steps on eval_iters
batches; AdamW decays matrices and embeddings only, as nanoGPT's configure_optimizers), and prints one JSON line: the
loss over every non-overlapping validation window, tokens/s of the training loop (validations included, as on the C#
sides) and its seconds.

With --interleave it trains one interval (eval_interval steps and a validation) per line "interval" read from stdin
and answers {"seconds": ...} each time, then the final line on "finish": the benchmark interleaves it with its own
sides so that a shared machine's changing load falls on all three alike.

Debian's python3-torch is built with BLAS_INFO=generic: its matrix products go through libblas.so.3, the reference
BLAS unless an optimized one is installed (`apt-get install libopenblas0-pthread` switches the libblas.so.3
alternative to OpenBLAS, ~9x faster here). Run with OPENBLAS_NUM_THREADS=1 beside OMP_NUM_THREADS=1.

Usage: OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/lm_train_reference.py DIR [--interleave]
"""
import json
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class Attention(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.heads = heads
        self.c_attn = nn.Linear(width, 3 * width)
        self.c_proj = nn.Linear(width, width)

    def forward(self, x):
        b, t, c = x.shape
        q, k, v = self.c_attn(x).split(c, dim=2)
        # (B, heads, T, head_dim)
        q, k, v = (z.view(b, t, self.heads, c // self.heads).transpose(1, 2) for z in (q, k, v))
        scores = (q @ k.transpose(-2, -1)) / math.sqrt(k.shape[-1])  # (B, heads, T, T)
        mask = torch.ones(t, t, dtype=torch.bool, device=x.device).tril()
        scores = scores.masked_fill(~mask, float("-inf"))
        y = F.softmax(scores, dim=-1) @ v  # (B, heads, T, head_dim)
        return self.c_proj(y.transpose(1, 2).contiguous().view(b, t, c))


class Block(nn.Module):
    def __init__(self, width, heads):
        super().__init__()
        self.ln_1 = nn.LayerNorm(width)
        self.attn = Attention(width, heads)
        self.ln_2 = nn.LayerNorm(width)
        self.c_fc = nn.Linear(width, 4 * width)
        self.c_proj = nn.Linear(4 * width, width)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.c_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class Gpt(nn.Module):
    def __init__(self, vocab, block, layers, heads, width):
        super().__init__()
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(block, width)
        self.h = nn.ModuleList(Block(width, heads) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)
        for name, p in self.named_parameters():
            if name.endswith("bias"):
                nn.init.zeros_(p)
            elif p.dim() == 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, idx):
        t = idx.shape[1]
        x = self.wte(idx) + self.wpe(torch.arange(t, device=idx.device))
        for block in self.h:
            x = block(x)
        return self.ln_f(x) @ self.wte.weight.t()  # tied head: (B, T, vocab)


def windows(stream, block):
    count = (len(stream) - 1) // block
    return stream[: count * block].view(count, block), stream[1 : count * block + 1].view(count, block)


def mean_loss(model, x, y, batch=256):
    model.eval()
    total = 0.0
    with torch.no_grad():
        for s in range(0, x.shape[0], batch):
            logits = model(x[s : s + batch])
            total += F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y[s : s + batch].reshape(-1), reduction="sum").item()
    model.train()
    return total / y.numel()


def rate(base, minimum, warmup_fraction, step, total):
    warmup = int(warmup_fraction * total)
    if step < warmup:
        return base * (step + 1) / warmup
    progress = min(max((step - warmup) / max(1, total - warmup - 1), 0.0), 1.0)
    return minimum + (base - minimum) * (1 + math.cos(math.pi * progress)) / 2


def main(folder, interleave=False):
    meta = json.load(open(f"{folder}/meta.json"))
    torch.set_num_threads(1)
    torch.manual_seed(meta["seed"])
    train = torch.from_numpy(np.fromfile(f"{folder}/train.bin", dtype=np.int32).astype(np.int64))
    val = torch.from_numpy(np.fromfile(f"{folder}/val.bin", dtype=np.int32).astype(np.int64))
    block, batch = meta["block_size"], meta["batch_size"]
    model = Gpt(meta["vocab_size"], block, meta["layers"], meta["heads"], meta["width"])
    groups = [
        {"params": [p for p in model.parameters() if p.dim() >= 2], "weight_decay": meta["weight_decay"]},
        {"params": [p for p in model.parameters() if p.dim() < 2], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(groups, lr=meta["learning_rate"], betas=(0.9, meta["beta2"]), eps=1e-8)
    x_train, y_train = windows(train, block)
    offsets = torch.from_numpy(np.random.default_rng(meta["seed"]).integers(0, len(val) - block, size=meta["eval_iters"] * batch))
    index = offsets.unsqueeze(1) + torch.arange(block + 1)
    x_eval, y_eval = val[index][:, :block], val[index][:, 1:]

    total, interval = meta["max_iters"], min(meta["eval_interval"], meta["max_iters"])
    per_pass = (x_train.shape[0] + batch - 1) // batch
    generator = torch.Generator()
    state = {"order": None, "pass": -1}

    def train(step):
        if step // per_pass != state["pass"]:
            state["pass"] = step // per_pass
            generator.manual_seed(meta["seed"] * 1_000_003 + state["pass"])
            state["order"] = torch.randperm(x_train.shape[0], generator=generator)
        picked = state["order"][(step % per_pass) * batch : (step % per_pass + 1) * batch]
        for group in optimizer.param_groups:
            group["lr"] = rate(meta["learning_rate"], meta["min_rate"], meta["warmup_fraction"], step, total)
        logits = model(x_train[picked])
        loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y_train[picked].reshape(-1))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), meta["clip"])
        optimizer.step()
        loss.item()
        if (step + 1) % interval == 0:
            mean_loss(model, x_eval, y_eval)

    seconds, step = 0.0, 0
    if interleave:
        for line in sys.stdin:
            if line.strip() != "interval":
                break
            start = time.perf_counter()
            for _ in range(interval):
                train(step)
                step += 1
            elapsed = time.perf_counter() - start
            seconds += elapsed
            print(json.dumps({"seconds": elapsed}), flush=True)
    else:
        start = time.perf_counter()
        for step in range(total):
            train(step)
        seconds = time.perf_counter() - start
        step = total
    x_val, y_val = windows(val, block)
    print(json.dumps({"val_loss": mean_loss(model, x_val, y_val), "tokens_per_second": step * batch * block / seconds, "seconds": seconds, "steps": step}), flush=True)

if __name__ == "__main__":
    main(sys.argv[1], "--interleave" in sys.argv[2:])
