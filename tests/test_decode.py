import math

import torch

from recog import Alphabet, ctc_greedy_decode


def _lp(frames, v=4, p=0.9):
    """(1, T, V) log-probs whose argmax per frame is the given id."""
    x = torch.full((1, len(frames), v), (1 - p) / (v - 1))
    for t, k in enumerate(frames):
        x[0, t, k] = p
    return x.log()


ALPHA = Alphabet(list("ab "))  # a=1, b=2, space=3


def test_merges_repeats_and_drops_blanks():
    hyp = ctc_greedy_decode(_lp([1, 1, 0, 1, 2, 2, 0, 0, 3, 2]), torch.tensor([10]), ALPHA)[0]
    assert hyp.text == "aab b"
    assert hyp.tokens == (1, 1, 2, 3, 2)
    assert hyp.spans == ((0, 1), (3, 3), (4, 5), (8, 8), (9, 9))
    assert all(abs(s - 0.9) < 1e-6 for s in hyp.token_scores)
    assert abs(hyp.confidence - 0.9) < 1e-5


def test_respects_lengths_in_a_padded_batch():
    a = _lp([1, 0, 2, 2, 1, 1])
    b = _lp([2, 2, 0, 0, 0, 0])
    hyps = ctc_greedy_decode(torch.cat([a, b]), torch.tensor([3, 2]), ALPHA)
    assert [h.text for h in hyps] == ["ab", "b"]
    assert hyps[1].spans == ((0, 1),)


def test_all_blank_and_empty_inputs():
    hyps = ctc_greedy_decode(torch.cat([_lp([0, 0, 0]), _lp([1, 1, 1])]), torch.tensor([3, 0]), ALPHA)
    assert hyps[0].text == "" and hyps[0].tokens == () and math.isclose(hyps[0].confidence, 0.9, rel_tol=1e-5)
    assert hyps[1].text == "" and hyps[1].confidence == 0.0


def test_confidence_is_geometric_mean_of_best_path():
    x = torch.log(torch.tensor([[[0.5, 0.5, 0.0, 0.0], [0.1, 0.8, 0.1, 0.0]]]) + 1e-12)
    hyp = ctc_greedy_decode(x, torch.tensor([2]), ALPHA)[0]
    assert math.isclose(hyp.confidence, math.sqrt(0.5 * 0.8), rel_tol=1e-4)


def test_silent_items_are_the_all_zero_ones():
    import numpy as np

    from recog.decode import NOTHING, silent_items

    batch = np.zeros((3, 1, 4, 5), np.float32)
    batch[1, 0, 2, 3] = 0.5
    assert silent_items(batch) == [True, False, True]
    assert silent_items(torch.from_numpy(batch)) == [True, False, True]
    assert NOTHING.text == "" and NOTHING.tokens == ()
