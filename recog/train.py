"""The trainer: CTC loss, AdamW, clipping, warm-up + cosine decay, dev metrics, early stopping,
atomic checkpoints with exact resume, a JSONL log, and DistributedDataParallel when launched by torchrun.

It knows nothing about audio or images: it takes a :class:`CTCModel`, datasets that yield
``(features (C, F, T), target ids, text, index)`` and an :class:`Alphabet` to score the dev set.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import pickle
import random
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist
import torch.nn.functional as F

from .atomic import atomic_write
from .data import Batch, BucketBatchSampler, FeatureDataset, collate
from .decode import ctc_greedy_decode
from .errors import ConfigError, DataError, RecogError
from .metrics import ErrorCounts, error_counts
from .model import CTCModel

__all__ = ["TrainConfig", "TrainResult", "Trainer", "TrainingInterrupted", "cpu_has_bf16_units", "ctc_infeasible", "dev_errors"]

CHECKPOINT = "checkpoint.pt"
LOG = "log.jsonl"


@dataclass(frozen=True)
class TrainConfig:
    """Optimisation settings (run state such as the step lives in the checkpoint, not here)."""

    epochs: int = 30  # passes over the training set
    batch_size: int = 16  # items per batch (per process)
    max_frames: int | None = None  # cap on padded input frames per batch (None: no cap)
    lr: float = 1e-3  # peak AdamW learning rate
    weight_decay: float = 1e-2  # AdamW decoupled weight decay
    warmup_steps: int = 300  # linear warm-up from lr/100 to lr
    min_lr_ratio: float = 0.02  # cosine decay ends at lr * min_lr_ratio
    grad_clip: float = 5.0  # max global gradient norm; 0 disables clipping
    checkpoint_every: int = 200  # optimizer steps between checkpoints (and one at the end)
    patience: int = 8  # epochs without dev CER improvement before stopping; 0 disables
    eval_every: int = 1  # epochs between dev evaluations
    seed: int = 0  # seeds shuffling, augmentation, dropout and initialisation
    amp: bool = True  # bfloat16 autocast on CUDA (ignored on CPU)
    # bfloat16 autocast on the CPU too (weights, optimizer and CTC loss stay float32): 1.5-1.7x faster steps on CPUs
    # with AMX / AVX512-BF16 (python bench/train_rate.py --cpu-amp), slower where bf16 is emulated
    cpu_amp: bool = False
    max_steps: int | None = None  # stop after this many optimizer steps in total (resume continues)
    workers: int = 0  # processes that featurize and augment batches ahead of the step (0: on the training thread)
    # decay of an exponential moving average of the weights (0: off; 0.999 averages over ~1,000 steps). The average
    # is scored on dev beside the raw weights and the better of the two is kept as the best model
    ema: float = 0.0

    def __post_init__(self) -> None:
        if self.epochs < 1 or self.batch_size < 1:
            raise ConfigError("epochs and batch_size must be positive")
        if self.lr <= 0:
            raise ConfigError(f"lr must be positive, got {self.lr}")
        if not 0.0 <= self.ema < 1.0:
            raise ConfigError(f"ema is a decay in [0, 1) (0: off), got {self.ema}")


@dataclass
class TrainResult:
    """What a run ended with."""

    steps: int
    epochs: int
    best_epoch: int | None
    best_dev: dict | None
    stopped_early: bool
    wall_seconds: float
    best_state: dict[str, torch.Tensor] = field(repr=False, default_factory=dict)
    unalignable: dict[str, int] = field(default_factory=dict)  # training item name -> steps CTC could not align it


def ctc_infeasible(targets: torch.Tensor, target_lengths: torch.Tensor, input_lengths: torch.Tensor) -> torch.Tensor:
    """(B,) bool: items whose targets cannot be aligned in their frames (infinite CTC loss).

    CTC needs one frame per target plus one blank between each pair of equal neighbours.
    """
    t = targets.shape[1]
    valid = torch.arange(t, device=targets.device)[None, :] < target_lengths[:, None]  # (B, L)
    repeats = ((targets[:, 1:] == targets[:, :-1]) & valid[:, 1:]).sum(dim=1)  # (B,)
    return input_lengths < target_lengths + repeats


def _copy_state(state: dict[str, torch.Tensor], device: str | torch.device | None = None) -> dict[str, torch.Tensor]:
    """A detached copy of a state dict (on ``device``, or where its tensors are)."""
    return {k: v.detach().to(device or v.device, copy=True) for k, v in state.items()}


def _distributed() -> tuple[int, int]:
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def cpu_has_bf16_units(cpuinfo: str | Path = "/proc/cpuinfo") -> bool | None:
    """Whether the CPU lists bfloat16 units (``amx_bf16`` or ``avx512_bf16`` among its flags); None where
    ``cpuinfo`` cannot be read or holds no flags (not Linux)."""
    try:
        text = Path(cpuinfo).read_text(errors="replace")
    except OSError:
        return None
    flags = {f for line in text.splitlines() if line.startswith("flags") for f in line.partition(":")[2].split()}
    if not flags:
        return None
    return bool(flags & {"amx_bf16", "avx512_bf16"})


@torch.inference_mode()
def dev_errors(model: CTCModel, dataset: FeatureDataset, batch_size: int = 32, device: str | torch.device = "cpu") -> tuple[ErrorCounts, list[str]]:
    """Greedy-decode ``dataset`` (the dev set during training) and score it against its normalised transcripts
    (:func:`recog.evaluate` scores a corpus with a recogniser)."""
    was_training = model.training
    model.eval()
    sampler = BucketBatchSampler(dataset.lengths, batch_size, shuffle=False)
    refs, hyps = [""] * len(dataset), [""] * len(dataset)
    for idx in sampler:
        b = collate(dataset[i] for i in idx).to(device)
        lp, ol = model(b.features, b.lengths)
        for i, h in zip(b.indices, ctc_greedy_decode(lp, ol, dataset.alphabet)):
            hyps[i] = h.text
            refs[i] = dataset.alphabet.normalize(dataset.utts[i].text)
    model.train(was_training)
    return error_counts(refs, hyps), hyps


def _one_thread(_worker: int) -> None:
    torch.set_num_threads(1)  # a loader worker featurizes; it must not compete with the step's threads


class TrainingInterrupted(RecogError):
    """Training was stopped by SIGINT/SIGTERM; a checkpoint of the last finished step was written first."""


class _StopRequest:
    signal: str | None = None


@contextlib.contextmanager
def _stop_requests():
    """While training: the first SIGINT or SIGTERM asks to stop after the current step (a second SIGINT stops
    at once). Only in the main thread; elsewhere signals keep their handlers."""
    req = _StopRequest()
    if threading.current_thread() is not threading.main_thread():
        yield req
        return

    def ask(signum, frame):
        if req.signal is not None and signum == signal.SIGINT:
            raise KeyboardInterrupt
        req.signal = signal.Signals(signum).name

    old = {sig: signal.signal(sig, ask) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield req
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


class Trainer:
    """Trains a :class:`CTCModel` on a :class:`FeatureDataset`.

    Args:
        model: the network (randomly initialised or pretrained).
        train_set: training items (with augmentation switched on as wanted).
        dev_set: held-out items for CER/WER every ``eval_every`` epochs and early stopping.
        config: optimisation settings.
        out_dir: where ``checkpoint.pt`` and ``log.jsonl`` go.
        progress: called as ``progress(step, steps_total, info)`` after each step (rank 0 only).
        on_best: called with the trainer whenever the dev CER improves (rank 0 only), e.g. to write a bundle.
    """

    def __init__(
        self,
        model: CTCModel,
        train_set: FeatureDataset,
        dev_set: FeatureDataset | None,
        config: TrainConfig,
        out_dir: str | Path,
        *,
        progress: Callable[[int, int, dict], None] | None = None,
        on_best: Callable[[Trainer], None] | None = None,
        device: str | torch.device | None = None,
    ) -> None:
        self.cfg = config
        self.rank, self.world = _distributed()
        if device is None:
            if torch.cuda.is_available():
                device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
            else:
                device = torch.device("cpu")
        self.device = torch.device(device)
        self.model = model.to(self.device)
        self.net: torch.nn.Module = self.model
        if self.world > 1:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.net = torch.nn.parallel.DistributedDataParallel(self.model, device_ids=ids)
        self.train_set, self.dev_set = train_set, dev_set
        self.out_dir = Path(out_dir)
        self.progress = progress if self.rank == 0 else None
        self.on_best = on_best if self.rank == 0 else None
        self.sampler = BucketBatchSampler(
            train_set.lengths,
            config.batch_size,
            max_frames=config.max_frames,
            seed=config.seed,
            num_replicas=self.world,
            rank=self.rank,
        )
        self.steps_per_epoch = len(self.sampler)
        if self.steps_per_epoch == 0:
            raise ConfigError("the training set yields no batches")
        self.total_steps = config.epochs * self.steps_per_epoch
        decay, no_decay = [], []
        for n, p in self.model.named_parameters():
            (no_decay if p.ndim < 2 else decay).append(p)
        self.opt = torch.optim.AdamW(
            [{"params": decay, "weight_decay": config.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
            lr=config.lr,
        )
        self.sched = torch.optim.lr_scheduler.LambdaLR(self.opt, self._lr_factor)
        # run state
        self.step = 0
        self.epoch = 0
        self.batch_in_epoch = 0
        self.best_cer = math.inf
        self.best_epoch: int | None = None
        self.best_dev: dict | None = None
        self.best_state: dict[str, torch.Tensor] = {}
        self.bad_epochs = 0
        self.inf_losses = 0
        self.unalignable: dict[int, int] = {}  # train_set index -> steps on which its transcript outgrew its frames
        self.skipped_steps = 0
        self.wall = 0.0
        # the weight average: float tensors of the state dict (parameters and running statistics), updated in step
        self.ema_state: dict[str, torch.Tensor] | None = None
        self.ema_updates = 0
        if config.ema > 0:
            self.ema_state = _copy_state(self.model.state_dict())

    def _lr_factor(self, step: int) -> float:
        c = self.cfg
        if step < c.warmup_steps:
            return 0.01 + 0.99 * step / max(1, c.warmup_steps)
        progress = min(1.0, (step - c.warmup_steps) / max(1, self.total_steps - c.warmup_steps))
        return c.min_lr_ratio + (1 - c.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * progress))

    # --- checkpoints -----------------------------------------------------
    def state(self) -> dict:
        return {
            "model": self.model.state_dict(),
            "optimizer": self.opt.state_dict(),
            "scheduler": self.sched.state_dict(),
            "config": asdict(self.cfg),
            "step": self.step,
            "epoch": self.epoch,
            "batch_in_epoch": self.batch_in_epoch,
            "best_cer": self.best_cer,
            "best_epoch": self.best_epoch,
            "best_dev": self.best_dev,
            "best_state": self.best_state,
            "bad_epochs": self.bad_epochs,
            "inf_losses": self.inf_losses,
            "unalignable": self.unalignable,
            "skipped_steps": self.skipped_steps,
            "wall": self.wall,
            "ema": self.ema_state,
            "ema_updates": self.ema_updates,
            "rng": {"torch": torch.get_rng_state(), "python": random.getstate(),
                    "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None},
        }

    def save_checkpoint(self) -> Path | None:
        """Write ``checkpoint.pt`` atomically (rank 0 only)."""
        if self.rank != 0:
            return None
        self.out_dir.mkdir(parents=True, exist_ok=True)
        path = self.out_dir / CHECKPOINT
        state = self.state()
        return atomic_write(path, lambda tmp: torch.save(state, tmp), mode=None)

    def load_checkpoint(self, path: str | Path | None = None) -> None:
        """Restore everything needed to continue exactly where the checkpoint was written."""
        path = Path(path) if path else self.out_dir / CHECKPOINT
        try:  # tensors and plain containers only: a checkpoint never runs code when loaded (no pickle objects)
            s = torch.load(path, map_location=self.device, weights_only=True)
        except pickle.UnpicklingError as e:
            raise DataError(f"{path}: not a recog checkpoint (it holds objects beyond tensors and plain data: "
                            f"{str(e).splitlines()[0][:120]})") from None
        self.model.load_state_dict(s["model"])
        self.opt.load_state_dict(s["optimizer"])
        self.sched.load_state_dict(s["scheduler"])
        for k in ("step", "epoch", "batch_in_epoch", "best_cer", "best_epoch", "best_dev", "best_state",
                  "bad_epochs", "inf_losses", "skipped_steps", "wall"):
            setattr(self, k, s[k])
        self.unalignable = dict(s.get("unalignable", {}))  # checkpoints before 2026-12-06 lack it
        if self.ema_state is not None and s.get("ema") is not None:
            self.ema_state = {k: v.to(self.device) for k, v in s["ema"].items()}
            self.ema_updates = s["ema_updates"]
        elif self.ema_state is not None:  # --ema switched on when resuming a run without it: average from here on
            self.ema_state = _copy_state(self.model.state_dict())
        torch.set_rng_state(s["rng"]["torch"].cpu())
        random.setstate(s["rng"]["python"])
        if s["rng"]["cuda"] is not None and torch.cuda.is_available():
            torch.cuda.set_rng_state_all(s["rng"]["cuda"])

    def _log(self, record: dict) -> None:
        if self.rank != 0:
            return
        self.out_dir.mkdir(parents=True, exist_ok=True)
        with open(self.out_dir / LOG, "a", encoding="utf-8") as f:
            f.write(json.dumps(record) + "\n")

    # --- one step ------------------------------------------------------------
    def _train_step(self, batch: Batch) -> dict:
        b = batch.to(self.device)
        use_amp = {"cuda": self.cfg.amp, "cpu": self.cfg.cpu_amp}.get(self.device.type, False)
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=use_amp):
            log_probs, out_lengths = self.net(b.features, b.lengths)  # (B, T', V)
        log_probs = log_probs.float()
        bad = ctc_infeasible(b.targets, b.target_lengths, out_lengths)
        loss = F.ctc_loss(
            log_probs.transpose(0, 1),  # (T', B, V)
            b.targets,
            out_lengths,
            b.target_lengths,
            blank=0,
            reduction="sum",
            zero_infinity=True,
        ) / b.features.shape[0]
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if self.cfg.grad_clip > 0:
            norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), self.cfg.grad_clip)
        else:
            norm = torch.nn.utils.clip_grad_norm_(self.model.parameters(), float("inf"))
        n_bad = int(bad.sum())
        self.inf_losses += n_bad
        if n_bad:
            for i, is_bad in zip(b.indices, bad.tolist()):
                if is_bad:
                    self.unalignable[i] = self.unalignable.get(i, 0) + 1
        if torch.isfinite(norm):
            self.opt.step()
            self._update_ema()
        else:
            self.skipped_steps += 1
        self.sched.step()
        return {"loss": float(loss.detach()), "grad_norm": float(norm), "inf": n_bad}

    @torch.no_grad()
    def _update_ema(self) -> None:
        """ema <- d * ema + (1 - d) * weights, with d ramped up as (1 + n) / (10 + n) over the first updates so the
        average leaves the starting weights quickly."""
        if self.ema_state is None:
            return
        self.ema_updates += 1
        d = min(self.cfg.ema, (1 + self.ema_updates) / (10 + self.ema_updates))
        for k, v in self.model.state_dict().items():
            avg = self.ema_state[k]
            if avg.is_floating_point():
                avg.lerp_(v.detach(), 1.0 - d)
            else:
                avg.copy_(v)

    def _evaluate(self, state: dict[str, torch.Tensor] | None = None) -> dict:
        """Dev CER/WER of the model's weights, or of ``state`` (put in for the pass, then the weights put back)."""
        if state is None:
            counts, _ = dev_errors(self.model, self.dev_set, device=self.device)
        else:
            own = _copy_state(self.model.state_dict())
            self.model.load_state_dict(state)
            try:
                counts, _ = dev_errors(self.model, self.dev_set, device=self.device)
            finally:
                self.model.load_state_dict(own)
        return {"cer": counts.cer, "wer": counts.wer, "n": len(self.dev_set)}

    # --- the loop --------------------------------------------------------
    def fit(self, *, resume: bool = False) -> TrainResult:
        """Train until the epochs are done, early stopping triggers, or ``max_steps`` is reached."""
        if resume:
            self.load_checkpoint()
            self._trim_log()
        else:
            torch.manual_seed(self.cfg.seed)
            random.seed(self.cfg.seed)
        with _stop_requests() as stop:
            return self._fit(stop)

    def _batches(self, batches: list[list[int]]):
        """Collated batches in order: made on this thread, or by ``workers`` processes ahead of the step.

        Items are augmented from seeds of (seed, epoch, item), so the batches are the same either way.
        """
        if self.cfg.workers <= 0 or not batches:
            return (collate(self.train_set[i] for i in b) for b in batches)
        loader = torch.utils.data.DataLoader(
            self.train_set, batch_sampler=batches, collate_fn=collate, num_workers=self.cfg.workers,
            worker_init_fn=_one_thread, prefetch_factor=4, multiprocessing_context="fork",
            generator=torch.Generator().manual_seed(self.cfg.seed))  # workers' seeds must not draw on the global RNG
        return iter(loader)

    def _trim_log(self) -> None:
        """Drop log records past the checkpoint's step: those steps are trained again after a resume."""
        path = self.out_dir / LOG
        if self.rank != 0 or not path.is_file():
            return
        kept = [line for line in path.read_text(encoding="utf-8").splitlines()
                if line.strip() and json.loads(line).get("step", 0) <= self.step]
        atomic_write(path, lambda tmp: tmp.write_text("".join(k + "\n" for k in kept), encoding="utf-8"))

    def _fit(self, stop: _StopRequest) -> TrainResult:
        self.net.train()
        stopped_early = False
        t_start = time.perf_counter() - self.wall
        while self.epoch < self.cfg.epochs:
            self.sampler.set_epoch(self.epoch)
            self.train_set.set_epoch(self.epoch)
            batches = list(self.sampler)
            loaded = self._batches(batches[self.batch_in_epoch :])
            for bi in range(self.batch_in_epoch, len(batches)):
                if self.cfg.max_steps is not None and self.step >= self.cfg.max_steps:
                    self.wall = time.perf_counter() - t_start
                    self.save_checkpoint()
                    return self._result(stopped_early)
                batch = next(loaded)
                info = self._train_step(batch)
                self.step += 1
                self.batch_in_epoch = bi + 1
                lr = self.sched.get_last_lr()[0]
                if self.step % 10 == 0 or self.step == 1:
                    self._log({"step": self.step, "epoch": self.epoch, "lr": lr, **info,
                               "time": round(time.perf_counter() - t_start, 2)})
                if self.progress:
                    shown = min(self.total_steps, self.cfg.max_steps or self.total_steps)  # where this run stops
                    self.progress(self.step, shown, {"epoch": self.epoch, "loss": info["loss"], "lr": lr})
                if self.step % self.cfg.checkpoint_every == 0 or stop.signal:
                    self.wall = time.perf_counter() - t_start
                    path = self.save_checkpoint()
                    if stop.signal:
                        raise TrainingInterrupted(
                            f"training stopped by {stop.signal} after step {self.step}"
                            + (f"; checkpoint {path}; continue with --resume" if path else ""))
            self.epoch += 1
            self.batch_in_epoch = 0
            if self.dev_set is not None and self.epoch % self.cfg.eval_every == 0:
                dev = self._evaluate()
                record = {"dev": dev}
                best, best_weights = dev, self.model.state_dict()
                if self.ema_state is not None:
                    dev_ema = self._evaluate(self.ema_state)
                    record["dev_ema"] = dev_ema
                    if dev_ema["cer"] < dev["cer"]:
                        best, best_weights = {**dev_ema, "weights": "ema"}, self.ema_state
                improved = best["cer"] < self.best_cer
                if improved:
                    self.best_cer, self.best_epoch, self.best_dev = best["cer"], self.epoch, best
                    self.best_state = _copy_state(best_weights, "cpu")
                    self.bad_epochs = 0
                    if self.on_best:
                        self.on_best(self)
                else:
                    self.bad_epochs += 1
                self._log({"epoch": self.epoch, "step": self.step, **record, "best_cer": self.best_cer,
                           "inf_losses": self.inf_losses, "time": round(time.perf_counter() - t_start, 2)})
                if self.cfg.patience and self.bad_epochs >= self.cfg.patience:
                    stopped_early = True
                    self.wall = time.perf_counter() - t_start
                    self.save_checkpoint()
                    break
        self.wall = time.perf_counter() - t_start
        self.save_checkpoint()
        return self._result(stopped_early)

    def _result(self, stopped_early: bool) -> TrainResult:
        # no dev pass chose: the weight average where one is kept (what --ema asked for), else the last weights
        last = self.ema_state if self.ema_state is not None else self.model.state_dict()
        best = self.best_state or _copy_state(last, "cpu")
        unalignable: dict[str, int] = {}  # by name: a manifest given twice (--train X --train X) is one item
        for i, n in sorted(self.unalignable.items()):
            name = self.train_set.utts[i].name
            unalignable[name] = unalignable.get(name, 0) + n
        return TrainResult(self.step, self.epoch, self.best_epoch, self.best_dev, stopped_early, self.wall, best,
                           unalignable)
