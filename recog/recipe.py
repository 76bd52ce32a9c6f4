"""Training from manifests: the glue between data, a frontend, the trainer and a bundle.

``recog train`` is one call to :func:`train_from_manifests`.
"""

from __future__ import annotations

import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import torch
import torch.distributed as dist

from .atomic import atomic_write
from .bundle import Bundle
from .corpus import read_corpus
from .data import FeatureDataset, Utterance, split_by_group
from .errors import ConfigError, DataError
from .model import CTCModel, ModelConfig, grow_network
from .plugins import get_host
from .train import TrainConfig, Trainer, TrainResult, cpu_has_bf16_units
from .vocab import Alphabet, TextNormalizer

__all__ = ["DataConfig", "train_from_manifests", "BUNDLE_NAME"]

BUNDLE_NAME = "model.safetensors"


@dataclass(frozen=True)
class DataConfig:
    """Which data a run trains and selects checkpoints on."""

    train: tuple[str, ...]  # training manifests (JSONL)
    dev: str | None = None  # dev manifest; None to hold out speakers/writers of the training data
    dev_fraction: float = 0.1  # share of speakers/writers held out for dev when ``dev`` is None
    frontend: str = "audio"  # registry name of the frontend
    frontend_config: dict = field(default_factory=dict)  # overrides of the frontend's config
    alphabet: str | None = None  # fixed alphabet; None builds it from the training text
    normalizer: TextNormalizer = TextNormalizer()  # belongs to the model
    augment: bool = True  # frontend augmentation on training items
    name: str = "model"  # name stored in the bundle
    # fine-tune only: add the training text's characters that the model lacks (new output rows), and
    # take this run's normaliser; characters seen fewer than ``extend_min_count`` times are still skipped
    extend_alphabet: bool = False
    extend_min_count: int = 3


def _load_utts(paths: Sequence[str]) -> list[Utterance]:
    utts: list[Utterance] = []
    for p in paths:
        utts.extend(read_corpus(p))
    return utts


def _rank() -> int:
    return dist.get_rank() if dist.is_initialized() else 0


def _init_distributed() -> bool:
    if int(os.environ.get("WORLD_SIZE", "1")) > 1 and not dist.is_initialized():
        backend = "nccl" if torch.cuda.is_available() else "gloo"
        dist.init_process_group(backend)
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", 0)))
        return True
    return False


_SHAPE_FREE_MODEL_FIELDS = {"dropout"}  # model settings a fine-tune may change
_GROWABLE_MODEL_FIELDS = {"stem_blocks", "hidden", "stem_channels"}  # ... and ones it may raise (new blocks, units
# and channels start muted)


def _grows(old, new) -> bool:
    """Whether ``new`` raises the growable setting ``old``: a larger int, or as many channels each at least as wide."""
    if isinstance(old, int) and isinstance(new, int):
        return new > old
    if isinstance(old, (list, tuple)) and isinstance(new, (list, tuple)) and len(old) == len(new):
        try:
            return all(int(n) >= int(o) for o, n in zip(old, new))
        except (TypeError, ValueError):
            return False
    return False


def _init_bundle(init_from: str | os.PathLike, data: DataConfig, model_overrides: dict) -> Bundle:
    """The bundle a fine-tune starts from, checked against the run's frontend and model settings."""
    from .api import resolve_model  # api imports the recogniser stack; only needed here

    path = resolve_model(init_from)
    bundle = Bundle.load(path)
    if bundle.frontend != data.frontend:
        raise ConfigError(f"{path}: model reads {bundle.frontend!r} input, this run trains on {data.frontend!r}")
    current = bundle.model_config.to_dict()
    changed = sorted(k for k, v in model_overrides.items()
                     if k not in _SHAPE_FREE_MODEL_FIELDS and k in current and _norm(current[k]) != _norm(v)
                     and not (k in _GROWABLE_MODEL_FIELDS and _grows(current[k], v)))
    unknown = sorted(k for k in model_overrides if k not in current)
    if changed or unknown:
        raise ConfigError(f"{path}: a fine-tune keeps the network's shape (it may only add stem_blocks "
                          f"or widen hidden or stem_channels); cannot change {', '.join(changed + unknown)}")
    if data.alphabet is not None and list(dict.fromkeys(data.alphabet)) != list(bundle.alphabet.chars):
        raise ConfigError(f"{path}: a fine-tune keeps the model's alphabet; drop --alphabet")
    return bundle


def _unalignable_note(unalignable: dict[str, int]) -> str:
    """The warning for training items whose transcripts outgrew the network's output frames (zero CTC loss)."""
    worst = sorted(unalignable.items(), key=lambda kv: -kv[1])
    shown = ", ".join(f"{name} ({n}x)" for name, n in worst[:3]) + (f" and {len(worst) - 3} more" if len(worst) > 3 else "")
    return (f"warning: {len(worst)} training item(s) had more labels than the network's output frames on "
            f"{sum(unalignable.values())} step(s), so CTC could not align them and they taught nothing there "
            f"(a transcript too long for its input, a bad crop, a cut recording; augmentation that shortens inputs "
            f"makes tight items fail on some steps): {shown}")


def extend_alphabet(alphabet: Alphabet, normalizer: TextNormalizer, texts, min_count: int) -> tuple[Alphabet, list[str]]:
    """``alphabet`` plus the characters of ``texts`` (normalised) it lacks, seen at least ``min_count`` times.

    Existing characters keep their ids; new ones get the next ids in sorted order. Returns the new
    alphabet (with ``normalizer``) and the added characters.
    """
    counts: Counter = Counter()
    for t in texts:
        counts.update(normalizer(t))
    added = sorted(c for c, n in counts.items() if n >= min_count and c not in alphabet.chars)
    return Alphabet([*alphabet.chars, *added], normalizer), added


def grow_output_rows(init_state: dict, fresh_state: dict, old_vocab: int) -> dict:
    """``init_state`` with the output layer grown to the fresh model's vocabulary.

    Rows ``0..old_vocab-1`` (blank and the old characters) keep their weights; new rows keep the fresh
    model's random weights and start with the lowest old character bias, so a new character is not
    emitted before it is learnt.
    """
    w, b = init_state["output.weight"], init_state["output.bias"]  # (V_old, 2H), (V_old,)
    new_w, new_b = fresh_state["output.weight"], fresh_state["output.bias"]  # (V, 2H), (V,)
    if new_w.shape[0] == w.shape[0]:
        return init_state
    assert new_w.shape[0] > w.shape[0] == old_vocab, "the output layer only grows"
    grown_w, grown_b = new_w.clone(), new_b.clone()
    grown_w[:old_vocab] = w
    grown_b[:old_vocab] = b
    grown_b[old_vocab:] = b[1:].min()
    return {**init_state, "output.weight": grown_w, "output.bias": grown_b}


def _carry_parent_lm(init_from, same_alphabet: bool, bundle_path: Path, say: Callable[[str], None]) -> None:
    """A fine-tune keeps decoding with its parent's language models when the alphabet is unchanged (they are
    copied beside the new bundle); otherwise it says how to build them, instead of silently decoding greedy."""
    from .api import resolve_model
    from .decoders import CHAR_SUFFIX, WORDS_SUFFIX, own_lms

    stem = bundle_path.name.split(".")[0]
    for kind, parent in own_lms(resolve_model(init_from)).items():
        suffix, flag = (WORDS_SUFFIX, " --words") if kind == "words" else (CHAR_SUFFIX, "")
        target = bundle_path.with_name(stem + suffix)
        if same_alphabet:
            data = parent.read_bytes()
            atomic_write(target, lambda tmp, data=data: tmp.write_bytes(data))
            say(f"language model: the parent's, copied to {target} (retune it with recog lm --tune)")
        else:
            say(f"language model: the parent's ({parent}) does not fit the grown alphabet; build one with "
                f"recog lm --model {bundle_path}{flag} --text ... --tune DEV -o {target}")


def _norm(v):
    """JSON-ish value with tuples as lists, for comparing recipe values with config values."""
    if isinstance(v, (list, tuple)):
        return [_norm(x) for x in v]
    return v


def train_from_manifests(
    data: DataConfig,
    model_overrides: dict,
    train: TrainConfig,
    out_dir: str | Path,
    *,
    resume: bool = False,
    overwrite: bool = False,
    init_from: str | os.PathLike | None = None,
    progress: Callable[[int, int, dict], None] | None = None,
    notes: Callable[[str], None] | None = None,
) -> tuple[Path | None, TrainResult]:
    """Train a model on manifests and write ``out_dir/model.safetensors`` (the best dev checkpoint).

    Args:
        data: manifests, frontend and alphabet.
        model_overrides: :class:`ModelConfig` fields to change (``vocab_size``, ``in_features``
            and ``in_channels`` come from the alphabet and frontend).
        train: optimisation settings.
        out_dir: checkpoint, log and bundle folder.
        resume: continue from ``out_dir/checkpoint.pt``.
        overwrite: start over in an ``out_dir`` that holds a run (its checkpoint, bundle and log are deleted);
            without it (or ``resume``) such a folder is refused, so a finished run is never silently replaced.
        init_from: fine-tune: start from this bundle's weights (a path or registered model name).
            Its alphabet, normaliser, network shape and frontend settings are kept; ``data.frontend_config``
            and ``model_overrides`` may change only what leaves the weights' shapes alone (augmentation,
            dropout). Training items with characters outside its alphabet are skipped.
        progress: per-step callback for a progress bar.
        notes: receives one-line reports (data sizes, out-of-alphabet counts).

    Returns:
        The bundle path (None on non-zero ranks) and the :class:`TrainResult`.
    """
    say = notes or (lambda s: None)
    started_dist = _init_distributed()
    try:
        out_dir = Path(out_dir)
        host = get_host()
        fe_cls = host.frontend(data.frontend)
        init = _init_bundle(init_from, data, model_overrides) if init_from is not None else None
        base_fe = init.frontend_config if init is not None else fe_cls.config_class().to_dict()
        frontend = fe_cls.from_config_dict({**base_fe, **data.frontend_config})
        train_utts = _load_utts(data.train)
        if data.dev:
            dev_utts = read_corpus(data.dev)
        elif data.dev_fraction > 0:
            train_utts, dev_utts = split_by_group(train_utts, data.dev_fraction, seed=train.seed)
        else:
            dev_utts = []
        added: list[str] = []
        if init is not None and data.extend_alphabet:
            alphabet, added = extend_alphabet(init.alphabet, data.normalizer, (u.text for u in train_utts),
                                              data.extend_min_count)
            say(f"alphabet extended with {''.join(added)!r}" if added else "alphabet: nothing to add")
        elif init is not None:
            alphabet = init.alphabet
        elif data.alphabet is not None:
            alphabet = Alphabet(list(dict.fromkeys(data.alphabet)), data.normalizer)
        else:
            alphabet = Alphabet.from_texts((u.text for u in train_utts), data.normalizer)
        train_set = FeatureDataset(train_utts, frontend, alphabet, augment=data.augment, seed=train.seed, skip_unknown=True)
        say(f"train: {len(train_set)} items from {len(data.train)} manifest(s); {train_set.out_of_alphabet}"
            + (f"; {train_set.skipped} skipped" if train_set.skipped else ""))
        dev_set = None
        if dev_utts:
            dev_set = FeatureDataset(dev_utts, frontend, alphabet, augment=False, skip_unknown=True)
            say(f"dev: {len(dev_set)} items; {dev_set.out_of_alphabet}" + (f"; {dev_set.skipped} skipped" if dev_set.skipped else ""))
        if len(train_set) == 0:
            raise DataError("no training items left")
        try:
            if init is not None:
                mcfg = ModelConfig.from_dict({**init.model_config.to_dict(), **model_overrides,
                                              "vocab_size": len(alphabet)})
            else:
                mcfg = ModelConfig(
                    **{**model_overrides, "vocab_size": len(alphabet), "in_features": frontend.in_features,
                       "in_channels": fe_cls.in_channels}
                )
        except TypeError as e:
            raise ConfigError(f"bad model setting: {e}") from None
        if resume and not (out_dir / "checkpoint.pt").exists():
            raise ConfigError(f"{out_dir / 'checkpoint.pt'}: nothing to resume")
        run_files = [out_dir / n for n in ("checkpoint.pt", BUNDLE_NAME, "log.jsonl")]
        if not resume and any(f.exists() for f in run_files):
            if not overwrite:
                held = ", ".join(f.name for f in run_files if f.exists())
                raise ConfigError(f"{out_dir}: holds a run ({held}); continue it with --resume, or start over "
                                  "with --overwrite")
            if _rank() == 0:
                for f in run_files:
                    f.unlink(missing_ok=True)
        torch.manual_seed(train.seed)
        model = CTCModel(mcfg)
        if init is not None:
            fresh = model.state_dict()
            # a wider stem and LSTM, more blocks, new channels, units and blocks muted (checked in _init_bundle)
            state = grow_network(init.state_dict, fresh)
            model.load_state_dict(grow_output_rows(state, fresh, len(init.alphabet)))
            grown = mcfg.stem_blocks - init.model_config.stem_blocks
            wider = mcfg.hidden - init.model_config.hidden
            channels = init.model_config.stem_channels, mcfg.stem_channels
            say(f"fine-tuning from {init_from}" + (f"; {grown} residual stem block(s) added" if grown else "")
                + (f"; stem widened {list(channels[0])} -> {list(channels[1])} channels"
                   if channels[0] != channels[1] else "")
                + (f"; LSTM widened {init.model_config.hidden} -> {mcfg.hidden} units" if wider else ""))
        say(f"model: {model.num_parameters():,} parameters, alphabet {''.join(alphabet.chars)!r}")
        groups = sorted({u.group for u in train_set.utts if u.group})
        command = " ".join(["recog", *sys.argv[1:]]) if sys.argv and sys.argv[0].endswith("recog") else None

        def bundle_of(state: dict, steps: int, epochs: int, best_epoch: int | None, best_dev: dict | None,
                      wall: float, inf_losses: int) -> Bundle:
            return Bundle(
                model_config=mcfg,
                alphabet=alphabet,
                frontend=data.frontend,
                frontend_config=frontend.config_dict(),
                state_dict=state,
                name=data.name,
                training={
                    "train_manifests": list(data.train),
                    "dev": data.dev or f"{data.dev_fraction:.0%} of training speakers/writers held out (seed {train.seed})",
                    "train_items": len(train_set),
                    "train_groups": len(groups),
                    "dev_items": len(dev_set) if dev_set else 0,
                    "dev_groups": sorted({u.group for u in dev_utts if u.group}),
                    "skipped_out_of_alphabet": train_set.skipped,
                    "config": asdict(train),
                    # a fine-tune records where its weights came from, and how those were made
                    "init_from": None if init is None else {
                        "model": str(init_from), "training": init.training, "metrics": init.metrics,
                        "alphabet_added": "".join(added)},
                    "steps": steps,
                    "epochs": epochs,
                    "best_epoch": best_epoch,
                    "wall_seconds": round(wall, 1),
                    "inf_losses": inf_losses,
                    "command": command,
                },
                metrics={"dev": best_dev} if best_dev else {},
            )

        def save_best(t: Trainer) -> None:  # the bundle always holds the best dev checkpoint so far
            bundle_of(t.best_state, t.step, t.epoch, t.best_epoch, t.best_dev, t.wall, t.inf_losses).save(
                out_dir / BUNDLE_NAME)

        trainer = Trainer(model, train_set, dev_set, train, out_dir, progress=progress, on_best=save_best)
        if train.cpu_amp and trainer.device.type == "cpu" and cpu_has_bf16_units() is False:
            say("warning: --cpu-amp on a CPU without bfloat16 units (no amx_bf16 or avx512_bf16 in /proc/cpuinfo): "
                "steps are likely slower than float32; measure with python bench/train_rate.py --cpu-amp")
        result = trainer.fit(resume=resume)
        if trainer.rank != 0:
            return None, result
        if result.unalignable:
            say(_unalignable_note(result.unalignable))
        bundle = bundle_of(result.best_state, result.steps, result.epochs, result.best_epoch, result.best_dev,
                           result.wall_seconds, trainer.inf_losses)
        path = bundle.save(out_dir / BUNDLE_NAME)
        if init is not None:
            _carry_parent_lm(init_from, init.alphabet == alphabet, path, say)
        return path, result
    finally:
        if started_dist:
            dist.destroy_process_group()
