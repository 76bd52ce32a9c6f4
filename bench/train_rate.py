"""Training speed against the machine's matmul rate, per CPU-second (one thread, one run).

    python bench/train_rate.py                                   # the English speech recipe on speechocean762 train
    python bench/train_rate.py --recipe plugins/recog_image/models/handwriting_lines.recipe.json \
        --manifest runs/splits/dhsd_train.jsonl

Measured in one run, in interleaved rounds (medians), with the load average printed beside it:

* **matmul rate**: ``torch.mm`` of two N x N matrices (N = 1024) at one thread, GFLOP per CPU-second (``time.process_time``: what this process got, so a busy
  machine does not count against it);
* **training step** (forward, CTC loss, backward, AdamW step) of the recipe's network on real batches of
  the manifest (featurized and augmented beforehand): GFLOP per CPU-second, and as a share of the
  matmul rate;
* **whole loop**: the same steps with featurization and augmentation done per step on the training
  thread (``workers=0``), as ``recog train`` does by default on one core;
* with ``--cpu-amp``, the training step again under bfloat16 autocast (``recog train --cpu-amp``) on the same
  batches, and its speed-up over float32 (CPU seconds per step).

FLOPs are counted from each batch's padded shape (what the kernels compute): 2 per multiply-add of the
conv stem, the LSTM gates (input and recurrent matmuls, both directions) and the output layer; the
backward pass counts twice the forward (gradients of inputs and of weights), the usual 3x rule.
Element-wise work (gates' sigmoids, GELU, BatchNorm, CTC) is not counted: it is the gap to the rate.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from dataclasses import replace

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

from recog.data import BucketBatchSampler, FeatureDataset, collate  # noqa: E402
from recog.manifest import read_manifest  # noqa: E402
from recog.model import CTCModel, ModelConfig  # noqa: E402
from recog.plugins import get_host  # noqa: E402
from recog.train import TrainConfig, Trainer  # noqa: E402
from recog.vocab import Alphabet, TextNormalizer  # noqa: E402


def forward_flops(cfg: ModelConfig, b: int, t: int) -> float:
    """Multiply-add FLOPs (x2) of one forward pass over a padded batch (B, C, F, T)."""
    flops = 0.0
    c_in, f = cfg.in_channels, cfg.in_features
    for c_out, (sf, st) in zip(cfg.stem_channels, cfg.stem_strides):
        f = (f - 1) // sf + 1
        t = (t - 1) // st + 1
        flops += 2 * c_in * 9 * c_out * f * t * b
        c_in = c_out
    flops += cfg.stem_blocks * 2 * 2 * c_in * 9 * c_in * f * t * b  # residual blocks: two convs each
    d = c_in * f
    for layer in range(cfg.lstm_layers):
        i = d if layer == 0 else 2 * cfg.hidden
        flops += 2 * 2 * 4 * cfg.hidden * (i + cfg.hidden) * t * b  # two directions, input + recurrent matmuls
    flops += 2 * 2 * cfg.hidden * cfg.vocab_size * t * b
    return flops


def matmul_rate(m: int, k: int, n: int, seconds: float = 3.0) -> float:
    """GFLOP per CPU-second of (m x k) @ (k x n) at the current thread setting."""
    a, w = torch.randn(m, k), torch.randn(k, n)
    for _ in range(3):
        torch.mm(a, w)
    reps, c0 = 0, time.process_time()
    while time.process_time() - c0 < seconds:
        torch.mm(a, w)
        reps += 1
    return 2 * m * k * n * reps / (time.process_time() - c0) / 1e9


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--recipe", default="plugins/recog_audio/models/speech_english.recipe.json")
    ap.add_argument("--manifest", default="runs/splits/so762_train.jsonl")
    ap.add_argument("--steps", type=int, default=6, help="training steps timed per round (after 2 warm-up steps)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds of matmul, step and loop (medians)")
    ap.add_argument("--matmul-size", type=int, default=1024, help="the reference GEMM is N x N x N")
    ap.add_argument("--cpu-amp", action="store_true", help="also time the step under bfloat16 autocast")
    args = ap.parse_args()
    torch.set_num_threads(1)
    recipe = json.load(open(args.recipe, encoding="utf-8"))
    data, mdl, tr = recipe["data"], recipe.get("model", {}), recipe.get("train", {})
    frontend = get_host().frontend(data["frontend"])
    fe_cfg = dict(data.get("frontend_config", {}))
    if "noise_manifest" in fe_cfg and not os.path.exists(fe_cfg["noise_manifest"]):
        del fe_cfg["noise_manifest"]  # ../shared absent: synthetic noise only
    fe = frontend.from_config_dict({**frontend.config_class().to_dict(), **fe_cfg})
    utts = read_manifest(args.manifest)[: 40 * tr.get("batch_size", 16)]
    alphabet = Alphabet.from_texts((u.text for u in utts), TextNormalizer(**data.get("normalizer", {})))
    ds = FeatureDataset(utts, fe, alphabet, augment=True, seed=0, skip_unknown=True)
    cfg = ModelConfig(**{**mdl, "vocab_size": len(alphabet), "in_features": fe.in_features,
                         "in_channels": frontend.in_channels})
    torch.manual_seed(0)
    model = CTCModel(cfg)
    tcfg = TrainConfig(epochs=1, batch_size=tr.get("batch_size", 16), max_frames=tr.get("max_frames"),
                       lr=1e-4, warmup_steps=0, checkpoint_every=10**9, patience=0)
    trainer = Trainer(model, ds, None, tcfg, "/tmp/recog_train_rate", device="cpu")
    if args.cpu_amp:
        amp_trainer = Trainer(model, ds, None, replace(tcfg, cpu_amp=True), "/tmp/recog_train_rate", device="cpu")
    batch_ids = list(BucketBatchSampler(ds.lengths, tcfg.batch_size, max_frames=tcfg.max_frames, seed=0))
    n = min(args.steps + 2, len(batch_ids))
    batches = [collate(ds[i] for i in ids) for ids in batch_ids[:n]]
    bt = sum(b.features.shape[0] * b.features.shape[-1] for b in batches[2:]) / max(1, n - 2)

    def timed(make, trainer: Trainer = trainer) -> tuple[float, float, float]:
        """FLOPs, CPU seconds and wall seconds of the steps after two warm-up steps."""
        flops, cpu, wall = 0.0, 0.0, 0.0
        for k in range(n):
            c0, w0 = time.process_time(), time.perf_counter()
            b = make(k)
            trainer._train_step(b)
            if k >= 2:
                cpu += time.process_time() - c0
                wall += time.perf_counter() - w0
                flops += 3 * forward_flops(cfg, b.features.shape[0], b.features.shape[-1])
        return flops, cpu, wall

    rates, ready, loop, amp = [], [], [], []
    for _ in range(args.rounds):  # interleaved, so that both see the same machine
        rates.append(matmul_rate(args.matmul_size, args.matmul_size, args.matmul_size))
        ready.append(timed(lambda k: batches[k]))
        loop.append(timed(lambda k: collate(ds[i] for i in batch_ids[k])))
        if args.cpu_amp:
            amp.append(timed(lambda k: batches[k], amp_trainer))
    load = os.getloadavg()

    def median(xs: list[float]) -> float:
        return sorted(xs)[len(xs) // 2]

    rate = median(rates)
    step_rate = median([f / c / 1e9 for f, c, _ in ready])
    loop_rate = median([f / c / 1e9 for f, c, _ in loop])
    share = median([f / c / 1e9 / r for (f, c, _), r in zip(ready, rates)])
    loop_share = median([f / c / 1e9 / r for (f, c, _), r in zip(loop, rates)])
    rows = {
        "load_average_1m": round(load[0], 2),
        "model_parameters": model.num_parameters(),
        "mean_batch": f"{tcfg.batch_size} x {int(bt / tcfg.batch_size)} frames",
        f"matmul_{args.matmul_size}_gflops_per_cpu_s": round(rate, 2),
        "step_gflops_per_cpu_s": round(step_rate, 2),
        "step_share_of_matmul": round(share, 3),
        "loop_gflops_per_cpu_s": round(loop_rate, 2),
        "loop_share_of_matmul": round(loop_share, 3),
        "featurize_share_of_loop": round(1 - loop_rate / step_rate, 3),
        "step_cpu_s": round(median([c for _, c, _ in ready]) / (n - 2), 3),
        "step_wall_s": round(median([w for _, _, w in ready]) / (n - 2), 3),
    }
    if amp:
        amp_cpu = median([c for _, c, _ in amp]) / (n - 2)
        rows["amp_step_cpu_s"] = round(amp_cpu, 3)
        rows["amp_speedup"] = round(rows["step_cpu_s"] / amp_cpu, 2)
    print(json.dumps(rows))
    for k, v in rows.items():
        print(f"{k:28s} {v}")


if __name__ == "__main__":
    main()
