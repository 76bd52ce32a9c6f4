import json
import os
import socket

import pytest
import torch
import torch.multiprocessing as mp

import recog
from recog.recipe import DataConfig, train_from_manifests
from recog.train import TrainConfig, ctc_infeasible

TINY = {"hidden": 24, "lstm_layers": 1, "stem_channels": [8], "stem_strides": [[2, 1]], "dropout": 0.1}


def _data(manifest, **kw):
    return DataConfig(train=(str(manifest),), frontend="toy", dev_fraction=0.25, **kw)


def test_infeasible_targets_are_counted():
    targets = torch.tensor([[1, 1, 2], [1, 2, 3]])
    bad = ctc_infeasible(targets, torch.tensor([3, 3]), torch.tensor([3, 3]))
    assert bad.tolist() == [True, False]  # "aab" needs a blank between the a's: 4 frames


@pytest.mark.slow
def test_toy_model_learns_and_bundle_transcribes(toy_plugin, tmp_path):
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 160, seed=1)
    cfg = TrainConfig(epochs=25, batch_size=8, lr=3e-3, warmup_steps=20, patience=0, checkpoint_every=50)
    path, result = train_from_manifests(_data(manifest, name="toy"), TINY, cfg, tmp_path / "run")
    assert result.best_dev["cer"] < 0.05, result.best_dev
    log = [json.loads(line) for line in (tmp_path / "run" / "log.jsonl").read_text().splitlines()]
    steps = [r for r in log if "loss" in r]
    assert {"loss", "lr", "grad_norm", "inf"} <= set(steps[0])
    assert steps[-1]["loss"] < 0.3 * steps[0]["loss"]
    assert any("dev" in r for r in log)
    rec = recog.load(path)
    out = rec.transcribe("TOY:ab dc")
    assert out.text == "ab dc"
    assert [w.text for w in out.words] == ["ab", "dc"]
    assert out.tokens[0].start < out.tokens[1].start < out.tokens[-1].end <= out.extent + 1e-9
    head = recog.Bundle.read_header(path)
    assert head["training"]["dev_items"] == 40 and head["metrics"]["dev"]["cer"] == result.best_dev["cer"]


@pytest.mark.slow
def test_cpu_amp_runs_the_network_in_bfloat16_and_still_learns(toy_plugin, tmp_path, monkeypatch):
    from toyplugin import make_toy_corpus

    import recog.model as rm

    seen: list[torch.dtype] = []
    original = rm.BiLSTMEncoder.forward

    def forward(self, x, lengths):
        y = original(self, x, lengths)
        if self.training:
            seen.append(y.dtype)  # (B, T', 2H) of the LSTMs
        return y

    monkeypatch.setattr(rm.BiLSTMEncoder, "forward", forward)
    manifest = make_toy_corpus(tmp_path / "data", 160, seed=1)
    cfg = TrainConfig(epochs=25, batch_size=8, lr=3e-3, warmup_steps=20, patience=0, checkpoint_every=1000,
                      cpu_amp=True)
    _, result = train_from_manifests(_data(manifest), TINY, cfg, tmp_path / "amp")
    assert seen and set(seen) == {torch.bfloat16}  # the LSTMs ran in bfloat16 in every training step
    assert result.best_dev["cer"] < 0.05, result.best_dev  # and the float32 weights learned as without it
    seen.clear()
    train_from_manifests(_data(manifest), TINY, TrainConfig(epochs=1, batch_size=8, patience=0, max_steps=2),
                         tmp_path / "fp32")
    assert set(seen) == {torch.float32}


@pytest.mark.slow
def test_resume_gives_the_same_weights_as_an_uninterrupted_run(toy_plugin, tmp_path):
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 48, seed=2)
    base = dict(epochs=3, batch_size=4, lr=2e-3, warmup_steps=5, checkpoint_every=1000, patience=0, seed=3)
    _, full = train_from_manifests(_data(manifest), TINY, TrainConfig(**base), tmp_path / "full")
    # stop part-way through an epoch, then resume in a fresh call
    _, part = train_from_manifests(_data(manifest), TINY, TrainConfig(**base, max_steps=13), tmp_path / "cut")
    assert part.steps == 13
    _, resumed = train_from_manifests(_data(manifest), TINY, TrainConfig(**base), tmp_path / "cut", resume=True)
    assert resumed.steps == full.steps
    a = torch.load(tmp_path / "full" / "checkpoint.pt", weights_only=False)["model"]
    b = torch.load(tmp_path / "cut" / "checkpoint.pt", weights_only=False)["model"]
    for k in a:
        assert torch.equal(a[k], b[k]), k


def test_resume_without_checkpoint_is_an_error(toy_plugin, tmp_path):
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 8, seed=2)
    with pytest.raises(recog.ConfigError, match="nothing to resume"):
        train_from_manifests(_data(manifest), TINY, TrainConfig(epochs=1), tmp_path / "none", resume=True)




@pytest.mark.slow
def test_distributed_ranks_keep_identical_weights(toy_plugin, tmp_path):
    """Two gloo processes train for a few steps; every rank ends with rank 0's weights."""
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 64, seed=4)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_ddp_worker_dump, args=(r, 2, port, str(manifest), str(tmp_path / "run"))) for r in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=240)
        assert p.exitcode == 0
    w0 = torch.load(tmp_path / "run" / "weights-0.pt")
    w1 = torch.load(tmp_path / "run" / "weights-1.pt")
    assert w0.keys() == w1.keys()
    for k in w0:
        assert torch.equal(w0[k], w1[k]), k
    ckpt = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)
    assert ckpt["step"] == 6  # rank 0 wrote the checkpoint
    init = torch.load(tmp_path / "run" / "init.pt")
    assert any(not torch.equal(init[k], w0[k]) for k in w0)  # training moved the weights


def _ddp_worker_dump(rank, world, port, manifest, out):
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from toyplugin import ToyPlugin

    import recog.train as rt

    os.environ.update(WORLD_SIZE=str(world), RANK=str(rank), LOCAL_RANK=str(rank), MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    torch.set_num_threads(1)
    recog.plugins.get_host().register(ToyPlugin(), name="toy-test")
    original_fit = rt.Trainer.fit

    def fit(self, **kw):
        if rank == 0:
            os.makedirs(out, exist_ok=True)
            torch.save({k: p.detach().clone() for k, p in self.model.named_parameters()}, os.path.join(out, "init.pt"))
        result = original_fit(self, **kw)
        # parameters must agree; BatchNorm running stats are per-rank and broadcast from rank 0 each forward
        params = {k: p.detach().clone() for k, p in self.model.named_parameters()}
        torch.save(params, os.path.join(out, f"weights-{rank}.pt"))
        return result

    rt.Trainer.fit = fit
    cfg = TrainConfig(epochs=1, batch_size=4, lr=2e-3, warmup_steps=2, max_steps=6, patience=0, seed=5)
    train_from_manifests(_data(manifest), TINY, cfg, out)


@pytest.mark.slow
def test_fine_tune_starts_from_the_bundle_and_keeps_its_alphabet(toy_plugin, tmp_path):
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 160, seed=1)
    cfg = TrainConfig(epochs=20, batch_size=8, lr=3e-3, warmup_steps=20, patience=0, checkpoint_every=1000)
    base_path, base = train_from_manifests(_data(manifest, name="toy"), TINY, cfg, tmp_path / "base")
    assert base.best_dev["cer"] < 0.1, base.best_dev
    one = TrainConfig(epochs=1, batch_size=8, lr=3e-4, warmup_steps=5, patience=0, checkpoint_every=1000)
    # from scratch, one epoch is nowhere near; from the bundle it is where the base run ended
    _, scratch = train_from_manifests(_data(manifest), TINY, one, tmp_path / "scratch")
    assert scratch.best_dev["cer"] > 0.5, scratch.best_dev
    ft_path, ft = train_from_manifests(_data(manifest), {"dropout": 0.0}, one, tmp_path / "ft", init_from=base_path)
    assert ft.best_dev["cer"] < base.best_dev["cer"] + 0.05, (ft.best_dev, base.best_dev)
    head = recog.Bundle.read_header(ft_path)
    assert head["alphabet"] == recog.Bundle.read_header(base_path)["alphabet"]
    assert head["model"]["dropout"] == 0.0 and head["model"]["hidden"] == TINY["hidden"]
    parent = head["training"]["init_from"]
    assert parent["model"] == str(base_path) and parent["training"]["steps"] == base.steps
    # a fine-tune may add residual stem blocks: they start as the identity, so it too starts where the base ended
    grown_path, grown = train_from_manifests(_data(manifest), {"stem_blocks": 2}, one, tmp_path / "grown",
                                             init_from=base_path)
    assert grown.best_dev["cer"] < base.best_dev["cer"] + 0.05, (grown.best_dev, base.best_dev)
    assert recog.Bundle.read_header(grown_path)["model"]["stem_blocks"] == 2
    # ... or widen its LSTM: the new units start muted, so it too starts where the base ended
    wide_path, wide = train_from_manifests(_data(manifest), {"hidden": 40}, one, tmp_path / "wide", init_from=base_path)
    assert wide.best_dev["cer"] < base.best_dev["cer"] + 0.05, (wide.best_dev, base.best_dev)
    assert recog.Bundle.read_header(wide_path)["model"]["hidden"] == 40
    # ... or widen its conv stem: the new channels start muted too
    broad_path, broad = train_from_manifests(_data(manifest), {"stem_channels": [12]}, one, tmp_path / "broad",
                                             init_from=base_path)
    assert broad.best_dev["cer"] < base.best_dev["cer"] + 0.05, (broad.best_dev, base.best_dev)
    assert recog.Bundle.read_header(broad_path)["model"]["stem_channels"] == [12]


def test_fine_tune_refuses_to_change_the_network_or_alphabet(toy_plugin, tmp_path):
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 16, seed=2)
    one = TrainConfig(epochs=1, batch_size=8, patience=0, max_steps=1)
    base_path, _ = train_from_manifests(_data(manifest), TINY, one, tmp_path / "base")
    with pytest.raises(recog.ConfigError, match="cannot change hidden"):  # the LSTM only widens
        train_from_manifests(_data(manifest), {**TINY, "hidden": 16}, one, tmp_path / "a", init_from=base_path)
    with pytest.raises(recog.ConfigError, match="cannot change stem_channels"):  # the stem only widens
        train_from_manifests(_data(manifest), {**TINY, "stem_channels": [4]}, one, tmp_path / "a", init_from=base_path)
    with pytest.raises(recog.ConfigError, match="cannot change lstm_layers"):
        train_from_manifests(_data(manifest), {**TINY, "lstm_layers": 2}, one, tmp_path / "a", init_from=base_path)
    grown_path, _ = train_from_manifests(_data(manifest), {"stem_blocks": 1}, one, tmp_path / "g", init_from=base_path)
    with pytest.raises(recog.ConfigError, match="cannot change stem_blocks"):  # blocks are only added
        train_from_manifests(_data(manifest), {"stem_blocks": 0}, one, tmp_path / "s", init_from=grown_path)
    with pytest.raises(recog.ConfigError, match="keeps the model's alphabet"):
        train_from_manifests(_data(manifest, alphabet="ab "), {}, one, tmp_path / "b", init_from=base_path)
    with pytest.raises(recog.ModelNotFoundError):
        train_from_manifests(_data(manifest), {}, one, tmp_path / "c", init_from="no-such-model")


def test_grow_output_rows_keeps_old_rows_and_starts_new_ones_quiet():
    from recog.recipe import grow_output_rows

    old = {"output.weight": torch.randn(4, 6), "output.bias": torch.tensor([0.5, -1.0, 2.0, 0.0]), "x": torch.ones(1)}
    fresh = {"output.weight": torch.zeros(6, 6), "output.bias": torch.zeros(6), "x": torch.zeros(1)}
    grown = grow_output_rows(old, fresh, 4)
    assert torch.equal(grown["output.weight"][:4], old["output.weight"]) and grown["x"] is old["x"]
    assert grown["output.bias"].tolist() == [0.5, -1.0, 2.0, 0.0, -1.0, -1.0]  # new rows: the lowest character bias


def test_extend_alphabet_appends_new_characters_seen_often_enough():
    from recog.recipe import extend_alphabet

    base = recog.Alphabet(list(" ab"))
    norm = recog.TextNormalizer(drop_punctuation=True)
    ext, added = extend_alphabet(base, norm, ["A B C", "c, d's", "cc d's", "é"], min_count=2)
    assert added == ["'", "c", "d", "s"] and ext.chars[:3] == [" ", "a", "b"] and ext.normalizer == norm
    assert ext.encode("ab") == base.encode("ab")  # old ids unchanged


@pytest.mark.slow
def test_fine_tune_can_grow_the_alphabet_and_learns_the_new_character(toy_plugin, tmp_path):
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 200, seed=3)
    rows = [json.loads(x) for x in manifest.read_text().splitlines()]
    no_d = tmp_path / "data" / "no_d.jsonl"
    no_d.write_text("\n".join(json.dumps(r) for r in rows if "D" not in r["text"]) + "\n")
    cfg = TrainConfig(epochs=20, batch_size=8, lr=3e-3, warmup_steps=20, patience=0, checkpoint_every=1000)
    base_path, _ = train_from_manifests(_data(no_d), TINY, cfg, tmp_path / "base")
    assert "d" not in recog.Bundle.read_header(base_path)["alphabet"]["chars"]
    # without --extend-alphabet the items with the new character are skipped (and counted)
    one = TrainConfig(epochs=1, batch_size=8, patience=0, max_steps=1)
    kept, _ = train_from_manifests(_data(manifest), {}, one, tmp_path / "kept", init_from=base_path)
    assert recog.Bundle.read_header(kept)["training"]["skipped_out_of_alphabet"] > 0
    more = TrainConfig(epochs=8, batch_size=8, lr=3e-3, warmup_steps=10, patience=0, checkpoint_every=1000)
    path, result = train_from_manifests(_data(manifest, extend_alphabet=True), {}, more, tmp_path / "ft",
                                        init_from=base_path)
    head = recog.Bundle.read_header(path)
    assert head["alphabet"]["chars"] == recog.Bundle.read_header(base_path)["alphabet"]["chars"] + "d"
    assert head["model"]["vocab_size"] == len(head["alphabet"]["chars"]) + 1
    assert head["training"]["init_from"]["alphabet_added"] == "d" and head["training"]["skipped_out_of_alphabet"] == 0
    assert result.best_dev["cer"] < 0.1, result.best_dev
    assert recog.load(path).transcribe("TOY:dad cd").text == "dad cd"


def test_a_checkpoint_holding_objects_is_refused_without_running_them(toy_plugin, tmp_path):
    """Checkpoints load with weights_only: a pickled object (which could run code) is a DataError, never executed."""
    from toyplugin import make_toy_corpus

    class Evil:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    manifest = make_toy_corpus(tmp_path / "data", 16, seed=2)
    one = TrainConfig(epochs=1, batch_size=8, patience=0, max_steps=1)
    out = tmp_path / "run"
    train_from_manifests(_data(manifest), TINY, one, out)
    state = torch.load(out / "checkpoint.pt", weights_only=True)
    state["wall"] = Evil()
    torch.save(state, out / "checkpoint.pt")
    two = TrainConfig(epochs=1, batch_size=8, patience=0, max_steps=2)
    with pytest.raises(recog.DataError, match="not a recog checkpoint"):
        train_from_manifests(_data(manifest), TINY, two, out, resume=True)
    assert not (tmp_path / "pwned").exists()


def test_an_existing_run_is_never_silently_replaced(toy_plugin, tmp_path):
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 16, seed=2)
    one = TrainConfig(epochs=1, batch_size=8, patience=0, max_steps=1)
    out = tmp_path / "run"
    train_from_manifests(_data(manifest), TINY, one, out)
    before = (out / "model.safetensors").read_bytes()
    with pytest.raises(recog.ConfigError, match=r"holds a run \(checkpoint.pt, model.safetensors, log.jsonl\).*--resume.*--overwrite"):
        train_from_manifests(_data(manifest), TINY, one, out)
    assert (out / "model.safetensors").read_bytes() == before
    train_from_manifests(_data(manifest), TINY, TrainConfig(epochs=1, batch_size=8, patience=0, max_steps=2), out,
                         overwrite=True)
    steps = [json.loads(x)["step"] for x in (out / "log.jsonl").read_text().splitlines()]
    assert steps == sorted(set(steps)) and steps[0] == 1  # a fresh log, not the old one appended to


def test_sigterm_writes_a_checkpoint_and_resume_finishes_with_a_clean_log(toy_plugin, tmp_path):
    import signal

    from recog.train import TrainingInterrupted
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 64, seed=4)
    cfg = TrainConfig(epochs=2, batch_size=8, patience=0, checkpoint_every=1000)
    out = tmp_path / "run"

    def kill_at_3(step, total, info):
        if step == 3:
            os.kill(os.getpid(), signal.SIGTERM)

    with pytest.raises(TrainingInterrupted, match=r"stopped by SIGTERM after step 3; checkpoint .*checkpoint.pt; continue with --resume"):
        train_from_manifests(_data(manifest), TINY, cfg, out, progress=kill_at_3)
    assert torch.load(out / "checkpoint.pt", weights_only=True)["step"] == 3
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is put back
    _, result = train_from_manifests(_data(manifest), TINY, cfg, out, resume=True)
    full_dir = tmp_path / "full"
    _, full = train_from_manifests(_data(manifest), TINY, cfg, full_dir)
    assert result.steps == full.steps
    log = [json.loads(x) for x in (out / "log.jsonl").read_text().splitlines()]
    steps = [r["step"] for r in log if "loss" in r]
    assert steps == sorted(set(steps))  # no step logged twice


def test_a_fine_tune_keeps_its_parents_language_model_when_the_alphabet_is_kept(toy_plugin, tmp_path):
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 16, seed=2)
    one = TrainConfig(epochs=1, batch_size=8, patience=0, max_steps=1)
    base, _ = train_from_manifests(_data(manifest), TINY, one, tmp_path / "base")
    recog.model_lm_path(base).write_bytes(b"parent-lm")
    said = []
    ft, _ = train_from_manifests(_data(manifest), {}, one, tmp_path / "ft", init_from=base, notes=said.append)
    assert recog.model_lm_path(ft).read_bytes() == b"parent-lm" and any("the parent's, copied" in s for s in said)


@pytest.mark.slow
def test_loader_workers_give_the_same_weights_as_the_training_thread(toy_plugin, tmp_path):
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 40, seed=5)
    runs = {}
    for workers in (0, 1):
        cfg = TrainConfig(epochs=2, batch_size=8, patience=0, checkpoint_every=1000, workers=workers)
        path, _ = train_from_manifests(_data(manifest), TINY, cfg, tmp_path / f"w{workers}")
        runs[workers] = recog.Bundle.load(path).state_dict
    assert all(torch.equal(runs[0][k], runs[1][k]) for k in runs[0])


def test_cpu_bf16_units_are_read_from_the_cpu_flags(tmp_path):
    from recog.train import cpu_has_bf16_units

    flags = "processor\t: 0\nflags\t\t: fpu sse2 avx2 {}\n"
    (tmp_path / "amx").write_text(flags.format("amx_bf16 amx_tile"))
    (tmp_path / "zen4").write_text(flags.format("avx512f avx512_bf16"))
    (tmp_path / "old").write_text(flags.format("avx512f"))
    (tmp_path / "arm").write_text("processor\t: 0\nFeatures\t: fp asimd\n")
    assert [cpu_has_bf16_units(tmp_path / n) for n in ("amx", "zen4", "old", "arm", "missing")] == [
        True, True, False, None, None]


def test_cpu_amp_warns_on_a_cpu_without_bf16_units(toy_plugin, tmp_path, monkeypatch, capsys):
    from toyplugin import make_toy_corpus

    import recog.recipe
    from recog.cli import main

    manifest = make_toy_corpus(tmp_path / "data", 16, seed=2)
    common = ["train", "--train", str(manifest), "--frontend", "toy", "--hidden", "16", "--lstm-layers", "1",
              "--max-steps", "1", "--epochs", "1", "--cpu-amp"]
    for units, out in ((False, "a"), (True, "b")):
        monkeypatch.setattr(recog.recipe, "cpu_has_bf16_units", lambda units=units: units)
        assert main([*common, "--out", str(tmp_path / out)]) == 0
        warned = "without bfloat16 units" in capsys.readouterr().err
        assert warned == (not units)


def test_cli_cpu_amp_flag_reaches_the_run_and_its_bundle(toy_plugin, tmp_path):
    from toyplugin import make_toy_corpus

    from recog.cli import main

    manifest = make_toy_corpus(tmp_path / "data", 16, seed=2)
    common = ["train", "--train", str(manifest), "--frontend", "toy", "--hidden", "16", "--lstm-layers", "1",
              "--max-steps", "1", "--epochs", "1", "--quiet"]
    assert main([*common, "--out", str(tmp_path / "amp"), "--cpu-amp"]) == 0
    assert main([*common, "--out", str(tmp_path / "fp32")]) == 0
    amp = recog.Bundle.read_header(tmp_path / "amp" / "model.safetensors")["training"]["config"]
    fp32 = recog.Bundle.read_header(tmp_path / "fp32" / "model.safetensors")["training"]["config"]
    assert (amp["cpu_amp"], fp32["cpu_amp"]) == (True, False)


def test_items_ctc_cannot_align_are_named_after_training(toy_plugin, tmp_path, capsys):
    from toyplugin import make_toy_corpus

    from recog.cli import main

    manifest = make_toy_corpus(tmp_path / "data", 16, seed=3)
    dev = make_toy_corpus(tmp_path / "dev", 4, seed=4)
    (tmp_path / "data" / "short.toy").write_text("TOY:ab")  # 8 frames at stride 1
    with open(manifest, "a") as f:  # a transcript far longer than its input: 15 labels for 8 frames
        f.write(json.dumps({"path": "short.toy", "text": "ABABABAB ABABAB", "speaker": "s0"}) + "\n")
    # the manifest twice, as the shipped recipes weight data: the bad item is still one item, failing 2x per epoch
    args = ["train", "--train", str(manifest), "--train", str(manifest), "--dev", str(dev), "--frontend", "toy",
            "--hidden", "16", "--lstm-layers", "1", "--epochs", "2", "--batch-size", "4", "--out", str(tmp_path / "run")]
    assert main(args) == 0
    captured = capsys.readouterr()
    result = json.loads(captured.out.strip().splitlines()[-1])
    assert result["unalignable_items"] == 1  # the 16 good items are never flagged
    warning = [line for line in captured.err.splitlines() if "CTC could not align" in line]
    assert len(warning) == 1 and "short.toy (4x)" in warning[0] and "1 training item(s)" in warning[0]


@pytest.mark.slow
def test_weight_average_is_scored_on_dev_kept_when_better_and_resumed_exactly(toy_plugin, tmp_path):
    from toyplugin import make_toy_corpus

    manifest = make_toy_corpus(tmp_path / "data", 48, seed=2)
    base = dict(epochs=3, batch_size=4, lr=2e-3, warmup_steps=5, checkpoint_every=1000, patience=0, seed=3, ema=0.9)
    # the average after one step is d * initial + (1 - d) * stepped weights, d = min(0.9, 2 / 11)
    train_from_manifests(_data(manifest), TINY, TrainConfig(**base, max_steps=0), tmp_path / "w0")
    train_from_manifests(_data(manifest), TINY, TrainConfig(**base, max_steps=1), tmp_path / "w1")
    w0 = torch.load(tmp_path / "w0" / "checkpoint.pt", weights_only=True)["model"]
    s1 = torch.load(tmp_path / "w1" / "checkpoint.pt", weights_only=True)
    assert s1["ema_updates"] == 1
    d = 2 / 11
    moved = 0
    for k, v in s1["model"].items():
        if v.is_floating_point():
            assert torch.allclose(s1["ema"][k], d * w0[k] + (1 - d) * v, atol=1e-6), k
            moved += not torch.equal(v, w0[k])
    assert moved > 0
    # a whole run scores both on dev each epoch and keeps the better as the bundle
    path, full = train_from_manifests(_data(manifest), TINY, TrainConfig(**base), tmp_path / "full")
    log = [json.loads(line) for line in (tmp_path / "full" / "log.jsonl").read_text().splitlines()]
    evals = [r for r in log if "dev" in r]
    assert len(evals) == 3 and all("cer" in r["dev_ema"] for r in evals)
    best = min((min(r["dev"]["cer"], r["dev_ema"]["cer"]), r["epoch"]) for r in evals)
    assert (full.best_dev["cer"], full.best_epoch) == best
    won = [r for r in evals if r["epoch"] == full.best_epoch][0]
    assert (full.best_dev.get("weights") == "ema") == (won["dev_ema"]["cer"] < won["dev"]["cer"])
    assert recog.Bundle.read_header(path)["metrics"]["dev"] == full.best_dev
    # cut part-way through an epoch and resumed: the same average as the uninterrupted run
    train_from_manifests(_data(manifest), TINY, TrainConfig(**{**base, "max_steps": 13}), tmp_path / "cut")
    train_from_manifests(_data(manifest), TINY, TrainConfig(**base), tmp_path / "cut", resume=True)
    a = torch.load(tmp_path / "full" / "checkpoint.pt", weights_only=True)
    b = torch.load(tmp_path / "cut" / "checkpoint.pt", weights_only=True)
    assert a["ema_updates"] == b["ema_updates"] == full.steps
    for k in a["ema"]:
        assert torch.equal(a["ema"][k], b["ema"][k]), k


def test_cli_ema_flag_reaches_the_run_and_a_bad_decay_is_refused(toy_plugin, tmp_path, capsys):
    from toyplugin import make_toy_corpus

    from recog.cli import main

    manifest = make_toy_corpus(tmp_path / "data", 16, seed=2)
    common = ["train", "--train", str(manifest), "--frontend", "toy", "--hidden", "16", "--lstm-layers", "1",
              "--max-steps", "1", "--epochs", "1", "--quiet"]
    assert main([*common, "--out", str(tmp_path / "ema"), "--ema", "0.99", "--batch-size", "4"]) == 0
    assert recog.Bundle.read_header(tmp_path / "ema" / "model.safetensors")["training"]["config"]["ema"] == 0.99
    ckpt = torch.load(tmp_path / "ema" / "checkpoint.pt", weights_only=True)
    assert ckpt["ema_updates"] == 1
    # with no dev pass to choose (max_steps ends the run mid-epoch) the bundle holds the average, not the last weights
    bundle = recog.Bundle.load(tmp_path / "ema" / "model.safetensors")
    differs = 0
    for k, v in ckpt["ema"].items():
        if v.is_floating_point():
            assert torch.equal(bundle.state_dict[k], v), k
            differs += not torch.equal(v, ckpt["model"][k])
    assert differs > 0
    capsys.readouterr()
    assert main([*common, "--out", str(tmp_path / "bad"), "--ema", "1.5"]) != 0
    assert "ema is a decay in [0, 1) (0: off), got 1.5" in capsys.readouterr().err
