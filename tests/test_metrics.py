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
