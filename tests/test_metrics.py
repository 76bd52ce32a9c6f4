import random

import jiwer
import pytest

from recog.metrics import cer, edit_distance, error_counts, wer


def test_edit_distance_known_cases():
    assert edit_distance("kitten", "sitting") == 3
    assert edit_distance("", "abc") == 3
    assert edit_distance(["a", "b"], ["a", "b"]) == 0
    assert edit_distance("abc", "") == 3


def test_matches_jiwer_on_random_pairs():
    rng = random.Random(7)
    vocab = ["yes", "no", "a", "b", "seven", "erase"]
    refs, hyps = [], []
    for _ in range(300):
        ref = " ".join(rng.choice(vocab) for _ in range(rng.randint(1, 8)))
        words = ref.split()
        for _ in range(rng.randint(0, 3)):
            op = rng.random()
            if op < 0.33 and words:
                words.pop(rng.randrange(len(words)))
            elif op < 0.66:
                words.insert(rng.randint(0, len(words)), rng.choice(vocab))
            elif words:
                words[rng.randrange(len(words))] = rng.choice(vocab)
        hyp = " ".join(words)
        refs.append(ref)
        hyps.append(hyp)
        assert wer([ref], [hyp]) == pytest.approx(jiwer.wer(ref, hyp) if hyp else 1.0)
        assert cer([ref], [hyp]) == pytest.approx(jiwer.cer(ref, hyp))
    assert wer(refs, hyps) == pytest.approx(jiwer.wer(refs, hyps))
    assert cer(refs, hyps) == pytest.approx(jiwer.cer(refs, hyps))


def test_counts_and_mismatched_lengths():
    c = error_counts(["a b", "c"], ["a c", "c"])
    assert (c.word_errors, c.words, c.char_errors, c.chars) == (1, 3, 1, 4)
    with pytest.raises(ValueError):
        error_counts(["a"], [])


def test_char_errors_split_the_edit_distance_by_kind():
    from recog.metrics import char_errors

    e = char_errors(["kitten", "abc", "ab"], ["sitting", "abc", "b"])
    # kitten -> sitting: k->s, e->i, +g; ab -> b: a left out
    assert (e.substitutions, e.deletions, e.insertions, e.chars, e.errors) == (2, 1, 1, 11, 4)
    assert set(e.confusions) == {("k", "s", 1), ("e", "i", 1), ("", "g", 1), ("a", "", 1)}
    many = char_errors(["aaa x", "aa"], ["bbb x", "b"])
    assert many.confusions[0] == ("a", "b", 4) and many.confusions[1] == ("a", "", 1)
    assert many.to_dict(top=1)["confusions"] == [{"ref": "a", "hyp": "b", "count": 4}]
    rng = random.Random(3)
    refs = ["".join(rng.choice("ab c") for _ in range(rng.randint(0, 9))) for _ in range(200)]
    hyps = ["".join(rng.choice("abd ") for _ in range(rng.randint(0, 9))) for _ in range(200)]
    e = char_errors(refs, hyps)
    assert e.errors == error_counts(refs, hyps).char_errors and e.chars == sum(map(len, refs))
    assert e.deletions == sum(n for r, h, n in e.confusions if h == "")
    assert e.insertions == sum(n for r, h, n in e.confusions if r == "")
    with pytest.raises(ValueError):
        char_errors(["a"], [])
