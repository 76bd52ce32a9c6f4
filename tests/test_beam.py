"""Character n-gram LM, CTC prefix beam search, forced alignment, and the beam decoder end to end."""

import gzip
import itertools
import math

import numpy as np
import pytest

import recog
from recog.beam import BeamOptions, BeamCTCDecoder, ctc_beam_decode, ctc_force_align
from recog.decode import ctc_greedy_decode
from recog.lm import EOS, CharNgramLM
from recog.vocab import Alphabet
from recog.wordlm import WordLM

AB = Alphabet(list(" abckt"))


def _lp(rows):
    """(T', V) probabilities -> (1, T', V) log-probabilities."""
    p = np.asarray(rows, dtype=np.float64)
    return np.log(p / p.sum(axis=1, keepdims=True))[None]


# --- the language model --------------------------------------------------------------------------


def test_lm_probabilities_sum_to_one_in_every_context():
    lm = CharNgramLM.train(["the cat", "a cat", "that hat"], order=4, vocab=list(" acht"))
    for ctx in (lm.start(), lm.start() + "t", "cat", "xyz", " ha"):
        total = sum(math.exp(lm.logp(ctx, c)) for c in lm.vocab + [EOS])
        assert total == pytest.approx(1.0, abs=1e-9), ctx


def test_lm_distributions_follow_the_witten_bell_recursion():
    lm = CharNgramLM.train(["the cat", "a cat", "that hat", "tack"], order=4, vocab=list(" acehkt"))

    def p(c, h):  # the docstring's formula, by hand
        lower = 1 / (len(lm.vocab) + 1) if not h else p(c, h[1:])
        if h not in lm.counts:
            return lower
        seen = lm.counts[h]
        n, t = sum(seen.values()), len(seen)
        return (seen.get(c, 0) + t * lower) / (n + t)

    for ctx in (lm.start(), lm.start() + "t", "cat", " ha", "zzz"):
        h = ctx[-3:]
        while h and h not in lm.counts:
            h = h[1:]
        for c in [*lm.vocab, EOS, "q"]:  # "q": outside the vocabulary
            assert lm.logp(ctx, c) == pytest.approx(math.log(p(c, h)), abs=1e-12)


def test_lm_prefers_seen_spellings_and_round_trips_through_a_file(tmp_path):
    lm = CharNgramLM.train(["cat", "cat sat", "a cat"] * 5, order=5, vocab=list(" acktsa"))
    assert lm.score("cat") > lm.score("kat") + 2
    assert lm.perplexity(["cat"]) < lm.perplexity(["tka"])
    lm.meta["decode"] = {"lm_weight": 0.3}
    again = CharNgramLM.load(lm.save(tmp_path / "x.lm.json.gz"))
    assert again.score("a cat sat") == pytest.approx(lm.score("a cat sat"), abs=1e-12)
    assert again.meta["decode"] == {"lm_weight": 0.3} and again.order == 5


def test_lm_characters_outside_the_vocabulary_split_texts():
    lm = CharNgramLM.train(["ab#ab"], order=3, vocab=list("ab"))
    assert "#" not in lm.vocab and "b#" not in lm.counts and lm.counts[""]["a"] == 2


def test_lm_bad_files_and_settings_are_clear_errors(tmp_path):
    with pytest.raises(recog.BundleError, match="no such language model"):
        CharNgramLM.load(tmp_path / "missing.lm.json.gz")
    (tmp_path / "plain.lm.json.gz").write_text("not gzip")
    with pytest.raises(recog.BundleError, match="plain.lm.json.gz.*not a gzip"):
        CharNgramLM.load(tmp_path / "plain.lm.json.gz")
    with gzip.open(tmp_path / "other.lm.json.gz", "wt") as f:
        f.write('{"format": "something-else"}')
    with pytest.raises(recog.BundleError, match="not a recog character language model"):
        CharNgramLM.load(tmp_path / "other.lm.json.gz")
    with pytest.raises(recog.ConfigError, match="no text"):
        CharNgramLM.train(["", "   "])
    with pytest.raises(recog.ConfigError, match="order"):
        CharNgramLM.train(["a"], order=0)


# --- beam search --------------------------------------------------------------------------------


def test_beam_sums_alignments_where_greedy_takes_one_path():
    # two frames, each 0.6 blank / 0.4 "a": the best path is blank-blank (0.36) but the text "a"
    # has probability 0.4*0.6 + 0.6*0.4 + 0.4*0.4 = 0.64
    lp = _lp([[0.6, 1e-9, 0.4, 1e-9, 1e-9, 1e-9, 1e-9]] * 2)
    assert ctc_greedy_decode(lp, [2], AB)[0].text == ""
    assert ctc_beam_decode(lp, [2], AB, BeamOptions(beam=4))[0].text == "a"


def test_beam_without_lm_matches_greedy_on_peaked_posteriors():
    rng = np.random.default_rng(0)
    for _ in range(20):
        ids = rng.integers(0, 7, size=30)
        p = np.full((30, 7), 0.002)
        p[np.arange(30), ids] = 1.0
        lp = _lp(p)
        g, b = ctc_greedy_decode(lp, [30], AB)[0], ctc_beam_decode(lp, [30], AB, BeamOptions(beam=8))[0]
        assert b.text == g.text and b.spans == g.spans and b.tokens == g.tokens
        assert b.confidence == pytest.approx(g.confidence, rel=1e-6)


def test_language_model_resolves_acoustic_ambiguity():
    # "?at" where the first letter is a coin toss between c and k, slightly favouring k
    c, k, a, t = (AB.encode(x)[0] for x in "ckat")
    rows = np.full((5, 7), 1e-4)
    rows[0, k], rows[0, c] = 0.52, 0.48
    rows[1, 0] = rows[3, 0] = 1.0
    rows[2, a] = rows[4, t] = 1.0
    lp = _lp(rows)
    lm = CharNgramLM.train(["cat", "a cat", "the cat sat"] * 3, order=4, vocab=AB.chars)
    assert ctc_beam_decode(lp, [5], AB, BeamOptions(lm_weight=0.0))[0].text == "kat"
    hyp = ctc_beam_decode(lp, [5], AB, BeamOptions(lm_weight=0.5), lm)[0]
    assert hyp.text == "cat"
    assert hyp.spans == ((0, 0), (2, 2), (4, 4)) and hyp.token_scores[0] == pytest.approx(0.48, abs=1e-3)


def test_padded_batch_items_decode_as_alone():
    rng = np.random.default_rng(1)
    a = rng.dirichlet(np.ones(7) * 0.3, size=12)
    b = rng.dirichlet(np.ones(7) * 0.3, size=7)
    batch = np.zeros((2, 12, 7))
    batch[0], batch[1, :7] = np.log(a), np.log(b)
    both = ctc_beam_decode(batch, [12, 7], AB)
    assert both[0] == ctc_beam_decode(np.log(a)[None], [12], AB)[0]
    assert both[1] == ctc_beam_decode(np.log(b)[None], [7], AB)[0]
    assert ctc_beam_decode(np.zeros((1, 0, 7)), [0], AB)[0].text == ""


def _paths(t_len: int, v: int):
    """Every CTC path of ``t_len`` frames over ``v`` tokens, with its collapsed label sequence."""
    for path in itertools.product(range(v), repeat=t_len):
        label = tuple(k for i, k in enumerate(path) if k and (i == 0 or path[i - 1] != k))
        yield path, label


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_beam_scores_are_exact_ctc_sums_plus_lm_and_bonus_by_brute_force(seed):
    """With a beam wide enough to keep everything, each kept prefix scores log P_ctc (every path that
    collapses to it, summed) + lm_weight * log P_lm (end of text included) + char_bonus * length."""
    ab = Alphabet(list("ab"))
    rng = np.random.default_rng(seed)
    lp = np.log(rng.dirichlet(np.ones(3), size=6))  # (T'=6, V=3)
    lm = CharNgramLM.train(["ab", "aab", "ba", "abba"], order=3, vocab=ab.chars)
    opts = BeamOptions(beam=10_000, beam_token=3, threshold=1e9, prune=-1e9, lm_weight=0.7, char_bonus=0.3, nbest=10_000)
    found = dict(BeamCTCDecoder(ab, opts, lm)._search(lp))
    ctc: dict[tuple, float] = {}
    for path, label in _paths(*lp.shape):
        ctc[label] = np.logaddexp(ctc.get(label, -np.inf), lp[np.arange(len(path)), path].sum())
    assert set(found) == set(ctc)
    for label, score in found.items():
        text = ab.decode(label)
        assert score == pytest.approx(ctc[label] + 0.7 * lm.score(text) + 0.3 * len(label), abs=1e-9)


def test_forced_alignment_is_the_best_path_by_brute_force():
    rng = np.random.default_rng(3)
    lp = np.log(rng.dirichlet(np.ones(3) * 0.5, size=7))
    for tokens in [(1,), (1, 2), (1, 1), (2, 1, 2)]:
        best = max((lp[np.arange(7), path].sum(), path) for path, label in _paths(7, 3) if label == tokens)
        path = ctc_force_align(lp, tokens)
        assert lp[np.arange(7), path].sum() == pytest.approx(best[0], abs=1e-12)


def test_lm_contexts_kept_across_items_are_bounded_and_change_nothing(monkeypatch):
    lm = CharNgramLM.train(["the cat", "a cat", "that hat", "a bat"], order=4, vocab=AB.chars)
    rng = np.random.default_rng(4)
    items = [np.log(rng.dirichlet(np.ones(7) * 0.2, size=30)) for _ in range(6)]
    fresh = [BeamCTCDecoder(AB, BeamOptions(lm_weight=0.5), lm).decode_one(x) for x in items]
    dec = BeamCTCDecoder(AB, BeamOptions(lm_weight=0.5), lm)
    assert [dec.decode_one(x) for x in items] == fresh  # contexts carried from item to item
    monkeypatch.setattr("recog.beam._MAX_CONTEXTS", 3)
    dec = BeamCTCDecoder(AB, BeamOptions(lm_weight=0.5), lm)
    assert [dec.decode_one(x) for x in items] == fresh
    assert len(dec._ctxs.ctxs) < 200  # forgotten between items once over the bound


def test_an_unbuilt_c_search_is_a_clear_error(monkeypatch):
    import sys

    from recog import native

    native.ctcbeam.cache_clear()  # looked up afresh (a failed lookup is not cached)
    monkeypatch.setitem(sys.modules, "recog._ctcbeam", None)  # as in a checkout never installed
    monkeypatch.delattr(recog, "_ctcbeam", raising=False)
    with pytest.raises(recog.RecogError, match="C beam search is not built.*pip install"):
        BeamCTCDecoder(AB, BeamOptions()).decode_one(np.log(np.full((3, 7), 1 / 7)))


def test_forced_alignment_places_each_token_and_rejects_impossible_ones():
    a, b = AB.encode("a")[0], AB.encode("b")[0]
    p = np.full((6, 7), 0.01)
    for t, k in enumerate([0, a, a, 0, b, 0]):
        p[t, k] = 1.0
    path = ctc_force_align(_lp(p)[0], (a, b))
    assert path.tolist() == [0, a, a, 0, b, 0]
    assert ctc_force_align(_lp(p)[0], (a, a))[1:4].tolist().count(0) >= 1  # repeats keep a blank between
    with pytest.raises(ValueError, match="do not fit"):
        ctc_force_align(_lp(p[:2])[0], (a, a))


def test_decoder_options_come_from_the_lm_file_then_the_caller(tmp_path):
    lm = CharNgramLM.train(["cat"], order=3, vocab=AB.chars)
    lm.meta["decode"] = {"lm_weight": 0.25, "char_bonus": 1.5, "beam": 4}
    path = lm.save(tmp_path / "m.lm.json.gz")
    dec = BeamCTCDecoder.from_options(AB, {"lm": str(path), "beam": 8})
    assert (dec.options.lm_weight, dec.options.char_bonus, dec.options.beam) == (0.25, 1.5, 8)
    with pytest.raises(recog.ConfigError, match="unknown beam decoder option.*beem"):
        BeamCTCDecoder.from_options(AB, {"beem": 3})
    with pytest.raises(recog.ConfigError, match="beam, beam_token and nbest must be"):
        BeamCTCDecoder.from_options(AB, {"beam": 0})


# --- end to end ----------------------------------------------------------------------------------


@pytest.mark.slow
def test_beam_decoder_with_a_built_and_tuned_lm_on_a_trained_toy_model(toy_plugin, tmp_path, capsys):
    import json
    import subprocess
    import sys

    from toyplugin import make_toy_corpus

    from recog.recipe import DataConfig, train_from_manifests
    from recog.train import TrainConfig

    manifest = make_toy_corpus(tmp_path / "data", 120, seed=5)
    data = DataConfig(train=(str(manifest),), frontend="toy", dev_fraction=0.25, name="toy")
    model = {"hidden": 24, "lstm_layers": 1, "stem_channels": [8], "stem_strides": [[2, 1]], "dropout": 0.1}
    bundle, _ = train_from_manifests(data, model, TrainConfig(epochs=15, batch_size=8, lr=3e-3, warmup_steps=20,
                                                              patience=0), tmp_path / "run")
    from recog.lm_tools import build_model_lm, tune_beam

    greedy = recog.load(bundle)
    decoder = greedy.decoder
    lm = build_model_lm(greedy, ["ab dc", "abcd", "dd a"] * 10)
    tuned = tune_beam(greedy, lm, manifest, beam=4, lm_weights=(0.0, 0.3), char_bonuses=(0.0, 1.0))
    assert recog.load(bundle) is greedy and greedy.decoder is decoder  # tuning leaves the shared recogniser alone
    assert tuned["decode"]["beam"] == 4 and len(tuned["grid"]) == 3
    chosen = next(g for g in tuned["grid"] if (g["lm_weight"], g["char_bonus"]) == (tuned["decode"]["lm_weight"], tuned["decode"]["char_bonus"]))
    assert chosen["wer"] == min(g["wer"] for g in tuned["grid"]) and tuned["dev"] == chosen["sets"]
    assert set(tuned["greedy"]) == {str(manifest)} and tuned["greedy"][str(manifest)]["n"] == 120
    # several dev sets: the mean decides (the same set twice gives the same choice and scores)
    twice = tune_beam(greedy, lm, [manifest, manifest], beam=4, lm_weights=(0.0, 0.3), char_bonuses=(0.0, 1.0))
    assert twice["decode"] == tuned["decode"] and [g["wer"] for g in twice["grid"]] == [g["wer"] for g in tuned["grid"]]
    lm.meta["decode"] = tuned["decode"]
    lm.save(recog.model_lm_path(bundle))
    beam = recog.load(bundle, decoder="beam")
    assert beam.decoder.lm is not None and beam.decoder.options.beam == 4
    assert recog.load(bundle) is beam  # "auto": a model that ships an LM decodes with it by default
    assert recog.load(bundle, decoder="greedy").decoder.name == "greedy"
    assert recog.load(bundle, decoder="beam", decoder_options={"lm": None}).decoder.lm is None
    a, b = greedy.transcribe("TOY:ab dc"), beam.transcribe("TOY:ab dc")
    assert a.text == b.text == "ab dc" and [t.text for t in a.tokens] == [t.text for t in b.tokens]
    # the CLI: options need --decoder beam
    out = subprocess.run([sys.executable, "-m", "recog", "eval", str(manifest), "--model", str(bundle), "--decoder", "greedy",
                          "--lm-weight", "0.3"],
                         capture_output=True, text=True)
    assert out.returncode != 0 and "need a beam decoder" in out.stderr
    assert json.loads(json.dumps(tuned)) == tuned  # plain JSON, as stored in the LM file
    # a word LM built and tuned by the CLI becomes the model's default decoder; n-best and hotwords on the CLI
    from recog.cli import main

    texts = tmp_path / "words.txt"
    texts.write_text("ab dc\nabcd\ndd a\nab dc ab\n" * 5, encoding="utf-8")
    wpath = tmp_path / "run" / "model.words.lm.gz"
    assert bundle.parent == wpath.parent
    assert main(["lm", "--model", str(bundle), "--words", "--text", str(texts), "--tune", str(manifest),
                 "--lm-weights", "0.7", "1.3", "--bonuses", "-0.5", "-o", str(wpath)]) == 0
    decode = WordLM.load(wpath).meta["decode"]
    assert set(decode) == {"beam", "lm_weight", "word_score"}
    assert decode["lm_weight"] in (0.7, 1.3) and decode["word_score"] == -0.5  # the grid asked for
    recog.api._cache.clear()
    words = recog.load(bundle)
    assert words.decoder.name == "words" and words.transcribe("TOY:ab dc").text == "ab dc"
    capsys.readouterr()
    assert main(["transcribe", "TOY:ab dc", "--model", str(bundle), "--format", "json", "--nbest", "2",
                 "--hotword", "dd:2"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["text"] == "ab dc" and doc["alternatives"][0]["text"] == "ab dc" and len(doc["alternatives"]) == 2


def test_cli_builds_an_lm_for_a_model_and_names_bad_text_files(tmp_path):
    import json
    import subprocess
    import sys

    text = tmp_path / "texts.txt"
    text.write_text("THREE FIVE TWO\nJ O H N\n\nERASE C Q Q F SEVEN\n", encoding="utf-8")
    out = tmp_path / "my.lm.json.gz"
    done = subprocess.run([sys.executable, "-m", "recog", "lm", "--model", "speech", "--text", str(text), "--order", "4",
                           "-o", str(out)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["texts"] == 3 and report["order"] == 4
    lm = CharNgramLM.load(out)
    assert lm.vocab == sorted(recog.load("speech").alphabet.chars) and lm.score("three") > lm.score("thrxe")
    bad = subprocess.run([sys.executable, "-m", "recog", "lm", "--model", "speech", "--text", str(tmp_path / "nope.txt"),
                          "-o", str(out)], capture_output=True, text=True)
    assert bad.returncode != 0 and "nope.txt: no such text file" in bad.stderr and "Traceback" not in bad.stderr


def test_one_decoder_used_from_threads_gives_what_it_gives_alone():
    from concurrent.futures import ThreadPoolExecutor

    lm = CharNgramLM.train(["the cat", "a cat", "that hat", "a bat"], order=4, vocab=AB.chars)
    rng = np.random.default_rng(5)
    items = [np.log(rng.dirichlet(np.ones(7) * 0.2, size=40)) for _ in range(24)]
    alone = [BeamCTCDecoder(AB, BeamOptions(lm_weight=0.5), lm).decode_one(x) for x in items]
    shared = BeamCTCDecoder(AB, BeamOptions(lm_weight=0.5), lm)
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(shared.decode_one, items)) == alone
