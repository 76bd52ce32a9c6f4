"""ARPA n-gram LMs (modified Kneser-Ney), the word decoder, hotwords, n-best and the one decoder rule."""

import gzip
import json
import math
import random

import numpy as np
import pytest

import recog
from recog.arpa import UNK, build_arpa, read_arpa
from recog.beam import BeamCTCDecoder, BeamOptions, Hotword, WordCTCDecoder, aligned_hypothesis, parse_hotword
from recog.decode import ctc_greedy_decode
from recog.decoders import decoder_choice, resolve_decoder
from recog.lm import CharNgramLM
from recog.vocab import Alphabet
from recog.wordlm import WordLM, words_lm_path

AB = Alphabet(list(" abcdefghijklmnopqrstuvwxyz"))
WORDS = "the cat sat on a mat dog ran far away".split()


def _sentences(n=300, seed=0):
    rng = random.Random(seed)
    return [[rng.choice(WORDS) for _ in range(rng.randint(1, 7))] for _ in range(n)]


def _emissions(text, confusions=None, frames_per_char=2, floor=0.02):
    """(T', V) log-probabilities spelling ``text``: each character for a few frames, then a blank.

    ``confusions`` maps a position of ``text`` to a dict {char: probability} replacing its certain spelling.
    """
    v = len(AB.chars) + 1
    rows = []
    for i, c in enumerate(text):
        row = np.full(v, floor)
        dist = (confusions or {}).get(i, {c: 1.0})
        for ch, p in dist.items():
            row[AB.chars.index(ch) + 1] = p * 10
        rows += [row] * frames_per_char
        blank = np.full(v, floor)
        blank[0] = 10
        rows.append(blank)
    p = np.asarray(rows)
    return np.log(p / p.sum(axis=1, keepdims=True))


# --- the ARPA builder ------------------------------------------------------------------------------


@pytest.mark.parametrize("prune", [(), (0, 1, 1)])
def test_kneser_ney_distributions_sum_to_one_also_after_pruning(prune):
    m = build_arpa(_sentences(), order=3, prune=prune)
    vocab = [w for w in m.vocab if w != "<s>"]
    assert UNK in vocab and "</s>" in vocab
    for ctx in (["<s>"], ["<s>", "the"], ["cat", "sat"], ["mat", "never-seen"], ["far", "away"]):
        assert sum(math.exp(m.logp(ctx, w)) for w in vocab) == pytest.approx(1.0, abs=1e-9), ctx
    if prune:
        assert m.num_ngrams()[2] < build_arpa(_sentences(), order=3).num_ngrams()[2]


def test_kneser_ney_prefers_seen_word_orders_and_round_trips_through_arpa(tmp_path):
    m = build_arpa([s.split() for s in ["the cat sat", "the cat ran", "a dog sat"] * 20], order=3)
    assert m.score("the cat sat".split()) > m.score("sat cat the".split()) + 5
    again = read_arpa(m.write(tmp_path / "m.arpa"))
    for s in ("the cat sat", "a dog ran far", "zebra"):
        assert again.score(s.split()) == pytest.approx(m.score(s.split()), abs=1e-4)


def test_kenlm_reads_our_arpa_and_scores_as_we_do(tmp_path):
    from flashlight.lib.text.dictionary import Dictionary

    lm = WordLM.build([" ".join(s) for s in _sentences()], order=3, prune=(0, 0, 1))
    d = Dictionary()
    for w in lm.words + ["<unk>"]:
        d.add_entry(w)
    kenlm = lm.kenlm(d)
    state, total = kenlm.start(False), 0.0
    for w in "the cat sat on".split():
        state, s = kenlm.score(state, d.get_index(w))
        total += s
    total += kenlm.finish(state)[1]
    assert total * math.log(10) == pytest.approx(lm.model.score("the cat sat on".split()), abs=1e-3)


def test_bad_arpa_and_word_lm_files_are_one_line_errors_naming_the_file(tmp_path):
    with pytest.raises(recog.BundleError, match="no such ARPA"):
        read_arpa(tmp_path / "none.arpa")
    (tmp_path / "x.arpa").write_text("hello\n")
    with pytest.raises(recog.BundleError, match=r"x\.arpa.*no \\data\\"):
        read_arpa(tmp_path / "x.arpa")
    (tmp_path / "y.arpa").write_text("\\data\\\nngram 1=2\n\n\\1-grams:\n-1.0\ta\n\\end\\\n")
    with pytest.raises(recog.BundleError, match="do not match"):
        read_arpa(tmp_path / "y.arpa")
    with pytest.raises(recog.BundleError, match="no such word language model"):
        WordLM.load(tmp_path / "m.words.lm.gz")
    (tmp_path / "plain.words.lm.gz").write_text("plain text")
    with pytest.raises(recog.BundleError, match="plain.words.lm.gz.*not a recog word language model"):
        WordLM.load(tmp_path / "plain.words.lm.gz")
    with gzip.open(tmp_path / "cut.words.lm.gz", "wt") as f:
        f.write(json.dumps({"format": "recog-wordlm/1", "meta": {}}) + "\n\\data\\\nngram 1=5\n")
    with pytest.raises(recog.BundleError, match="cut.words.lm.gz.*do not match"):
        WordLM.load(tmp_path / "cut.words.lm.gz")
    with pytest.raises(recog.ConfigError, match="must end in .words.lm.gz"):
        WordLM.build(["a b"]).save(tmp_path / "m.arpa")
    with pytest.raises(recog.ConfigError, match="no text"):
        build_arpa([[], []])


def test_word_lm_file_keeps_its_model_and_metadata(tmp_path):
    lm = WordLM.build([" ".join(s) for s in _sentences()], order=3)
    lm.meta["decode"] = {"lm_weight": 1.5, "word_score": -1.0}
    path = lm.save(tmp_path / "m.words.lm.gz")
    again = WordLM.load(path)
    assert again.meta["decode"] == {"lm_weight": 1.5, "word_score": -1.0} and sorted(again.words) == sorted(WORDS)
    assert again.perplexity(["the cat sat"]) == pytest.approx(lm.perplexity(["the cat sat"]), rel=1e-5)
    assert words_lm_path(tmp_path / "speech.int8.onnx") == tmp_path / "speech.words.lm.gz"


# --- the word decoder -------------------------------------------------------------------------------


def _word_lm():
    return WordLM.build(["the cat sat on a mat", "a cat ran far away", "the dog sat"] * 30, order=3)


def test_word_decoder_spells_only_lexicon_words_and_lets_the_lm_choose():
    # "cat" vs "kat" is an acoustic toss-up (k slightly ahead); greedy writes the non-word, the lexicon cannot
    lp = _emissions("the cat sat", {4: {"k": 0.55, "c": 0.45}})
    assert ctc_greedy_decode(lp[None], [len(lp)], AB)[0].text == "the kat sat"
    dec = WordCTCDecoder(AB, _word_lm(), BeamOptions(lm_weight=1.0))
    hyp = dec.decode_one(lp)
    assert hyp.text == "the cat sat"
    assert len(hyp.spans) == len(hyp.tokens) == len(hyp.text) and 0 < hyp.confidence <= 1


def test_word_decoder_reads_words_that_run_together_without_a_space_frame():
    # no space frames at all between the words: the alignment gives each space an empty span
    lp = _emissions("thecat")
    hyp = WordCTCDecoder(AB, _word_lm(), BeamOptions(lm_weight=1.0)).decode_one(lp)
    assert hyp.text == "the cat"
    space = hyp.spans[3]
    assert space[1] == space[0] - 1 and hyp.spans[4][0] == space[0]  # empty, at the next word's first frame
    with pytest.raises(ValueError, match="do not fit"):  # the plain aligner still insists on a frame per token
        aligned_hypothesis(lp[:3], tuple(AB.encode("the cat")), AB)


def test_hotword_brings_a_name_the_lm_never_saw_and_is_missed_without_it():
    # "stella" is in no LM; the acoustics lean to "sdella"
    lp = _emissions("call stella", {6: {"d": 0.9, "t": 0.1}})
    lm = CharNgramLM.train(["call the cat", "call a dog", "tell a cat"] * 10, order=4, vocab=AB.chars)
    plain = BeamCTCDecoder(AB, BeamOptions(lm_weight=0.5), lm).decode_one(lp)
    assert plain.text == "call sdella"
    hot = BeamCTCDecoder(AB, BeamOptions(lm_weight=0.5, hotwords=("stella:6",)), lm).decode_one(lp)
    assert hot.text == "call stella"
    # a phrase that breaks off gives its credit back: an unrelated input is read as without hotwords
    other = _emissions("the cat")
    assert BeamCTCDecoder(AB, BeamOptions(hotwords=("stella:6", "the dog:6")), lm).decode_one(other).text == "the cat"
    # the word decoder: a word outside its lexicon only appears as a hotword
    wlm = _word_lm()
    assert "stella" not in wlm.words
    lp2 = _emissions("the stella")
    assert WordCTCDecoder(AB, wlm, BeamOptions(lm_weight=1.0)).decode_one(lp2).text != "the stella"
    assert WordCTCDecoder(AB, wlm, BeamOptions(lm_weight=1.0, hotwords=(Hotword("stella", 8.0),))).decode_one(lp2).text \
        == "the stella"


def test_hotword_specs_parse_and_bad_ones_are_clear():
    assert parse_hotword("Stella Tanaka:4") == Hotword("Stella Tanaka", 4.0)
    assert parse_hotword("Stella") == Hotword("Stella", 5.0)
    assert parse_hotword("at 10:30") == Hotword("at 10:30", 5.0)  # a colon that is not a score
    with pytest.raises(recog.ConfigError, match="empty hotword"):
        parse_hotword("  ")


def test_nbest_lists_distinct_texts_best_first():
    lp = _emissions("the cat", {4: {"c": 0.5, "k": 0.5}})
    hyp = BeamCTCDecoder(AB, BeamOptions(beam=8, nbest=3)).decode_one(lp)
    texts = [t for t, _ in hyp.alternatives]
    scores = [s for _, s in hyp.alternatives]
    assert texts[0] == hyp.text and len(set(texts)) == len(texts) == 3 and scores == sorted(scores, reverse=True)
    assert {"the cat", "the kat"} <= set(texts)
    words = WordCTCDecoder(AB, _word_lm(), BeamOptions(nbest=2)).decode_one(lp)
    assert len(words.alternatives) == 2 and words.alternatives[0][0] == words.text
    assert BeamCTCDecoder(AB).decode_one(lp).alternatives == ()  # only when asked for


# --- one decoder rule ------------------------------------------------------------------------------


def test_auto_picks_the_word_lm_then_the_character_lm_then_greedy(tmp_path):
    bundle = tmp_path / "m.safetensors"
    bundle.write_bytes(b"")
    assert decoder_choice("auto", {}, bundle) == ("greedy", {})
    assert decoder_choice("auto", {"hotwords": ("x",)}, bundle) == ("beam", {"hotwords": ("x",), "lm": None})
    CharNgramLM.train(["the cat"], order=3, vocab=AB.chars).save(tmp_path / "m.lm.json.gz")
    assert decoder_choice("auto", {}, bundle) == ("beam", {"lm": str(tmp_path / "m.lm.json.gz")})
    _word_lm().save(tmp_path / "m.words.lm.gz")
    assert decoder_choice("auto", {}, bundle) == ("words", {"lm": str(tmp_path / "m.words.lm.gz")})
    assert decoder_choice("beam", {}, bundle)[1]["lm"] == str(tmp_path / "m.lm.json.gz")
    assert decoder_choice("auto", {"lm": "x.lm.json.gz"}, bundle)[0] == "beam"
    assert type(resolve_decoder("auto", AB, {}, bundle)).__name__ == "WordCTCDecoder"
    with pytest.raises(recog.RecogError, match="no decoder named 'viterbi'"):
        resolve_decoder("viterbi", AB, {}, bundle)
    with pytest.raises(recog.ConfigError, match="need a beam decoder"):
        resolve_decoder("greedy", AB, {"beam": 3}, bundle)
    with pytest.raises(recog.ConfigError, match="unknown beam decoder option.*bean"):
        resolve_decoder("words", AB, {"bean": 3}, bundle)


def test_an_lm_for_another_alphabet_is_refused_naming_its_file(tmp_path):
    lm = CharNgramLM.train(["straße"], order=3, vocab=list("straße"))
    path = lm.save(tmp_path / "de.lm.json.gz")
    with pytest.raises(recog.ConfigError, match=r"de\.lm\.json\.gz.*'ß' are not in the model's alphabet"):
        BeamCTCDecoder.from_options(AB, {"lm": str(path)})
    WordLM.build(["über alles"]).save(tmp_path / "de.words.lm.gz")
    with pytest.raises(recog.ConfigError, match=r"de\.words\.lm\.gz.*not in the model's alphabet"):
        WordCTCDecoder.from_options(AB, {"lm": str(tmp_path / "de.words.lm.gz")})


# --- the seam for plugins --------------------------------------------------------------------------


def test_builtin_decoders_are_a_default_plugin_that_others_cannot_take_over():
    from recog import hookimpl
    from recog.plugins import PluginHost

    host = PluginHost(load_entry_points=False)
    assert {"greedy", "beam", "words"} <= set(host.decoders())
    assert {i.name: i for i in host.info()}["recog.decoders"].hooks == ["register_decoders"]

    class Squatter:
        @hookimpl
        def register_decoders(self, register):
            register("beam", lambda alphabet, options: None)
            register("first-letter", lambda alphabet, options: FirstLetter())

    class FirstLetter:
        def __call__(self, log_probs, lengths):
            return [ctc_greedy_decode(log_probs[i : i + 1, :1], [1], AB)[0] for i in range(len(log_probs))]

    host.register(Squatter(), name="squatter")
    assert type(resolve_decoder("beam", AB, {}, None, host)).__name__ == "BeamCTCDecoder"  # the built-in stays
    assert isinstance(resolve_decoder("first-letter", AB, {}, None, host), FirstLetter)
    info = {i.name: i for i in host.info()}["squatter"]
    assert any("decoder 'beam' already registered by 'recog.decoders'" in e for e in info.errors)


def test_a_plugin_character_lm_steers_the_beam_like_ours():
    class PreferK:
        """A toy LM of a plugin's own: 'k' is likely everywhere, every other character equally unlikely."""

        vocab = AB.chars
        meta: dict = {}

        def start(self):
            return 0

        def logp(self, state, char):
            return math.log(0.9) if char == "k" else math.log(0.1 / len(AB.chars))

        def advance(self, state, char):
            return state + 1

    lp = _emissions("the cat", {4: {"c": 0.55, "k": 0.45}})
    assert BeamCTCDecoder(AB, BeamOptions()).decode_one(lp).text == "the cat"
    assert BeamCTCDecoder.from_options(AB, {"lm": PreferK(), "lm_weight": 1.0}).decode_one(lp).text == "the kat"
    with pytest.raises(recog.ConfigError, match="not a character language model"):
        BeamCTCDecoder(AB, BeamOptions(), lm=object())
