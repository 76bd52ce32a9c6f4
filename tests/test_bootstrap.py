"""The paired bootstrap tells a real CER difference from the luck of the test items, resampling pages, not lines."""

import json

import pytest

from recog.bootstrap import paired_bootstrap
from recog.errors import DataError
from recog.evaluation import EvalReport, ItemScore


def _report(errors: list[int], pages: list[str | None], writers: list[str | None] | None = None,
            chars: int = 10) -> EvalReport:
    items = tuple(ItemScore(f"line{i}", (writers or [None] * len(errors))[i], "x" * chars, "y" * e, e, chars, 0, 1,
                            {} if p is None else {"page": p}) for i, (e, p) in enumerate(zip(errors, pages)))
    total = sum(errors) / (chars * len(errors)) if chars else 0.0
    return EvalReport(total, 0.0, len(items), None, 1.0, None, 1.0, items)


def test_identical_reports_differ_by_nothing():
    a = _report([1, 2, 0, 3] * 5, [f"p{i % 4}" for i in range(20)])
    c = paired_bootstrap(a, a)
    assert (c.delta, c.low, c.high, c.b_better) == (0, 0, 0, 0)
    assert not c.significant and c.clusters == 4 and c.a == c.b == pytest.approx(30 / 200) and c.metric == "cer"


def test_better_on_every_page_is_significant():
    pages = [f"p{i // 10}" for i in range(100)]
    a = _report([2] * 100, pages)
    b = _report([1] * 100, pages)
    c = paired_bootstrap(a, b, resamples=500)
    assert c.delta == pytest.approx(-0.1) and c.low == c.high == pytest.approx(-0.1)
    assert c.significant and c.b_better == 1.0 and c.clusters == 10
    assert "-10.00 points" in c.describe("old", "new") and "new vs old" in c.describe("old", "new")
    worse = paired_bootstrap(b, a, resamples=500)
    assert worse.significant and worse.delta == pytest.approx(0.1) and worse.b_better == 0.0


def test_a_gain_on_one_page_is_not_significant_when_pages_are_resampled():
    # 10 pages of 10 lines; B is better only on page 0, by one error a line. Resampled line by line, ten improved
    # lines out of 100 look like a sure gain; resampled page by page, a resample misses page 0 about a third of the
    # time (0.9 ** 10), so the gain is not established.
    pages = [f"p{i // 10}" for i in range(100)]
    a = _report([1] * 100, pages)
    b = _report([0] * 10 + [1] * 90, pages)
    by_page = paired_bootstrap(a, b)
    by_line = paired_bootstrap(a, b, by="item")
    assert by_page.delta == by_line.delta == pytest.approx(-0.01)
    assert by_page.clusters == 10 and by_line.clusters == 100
    assert by_line.significant and by_line.high < 0
    assert not by_page.significant and by_page.high == 0
    assert 0.55 < by_page.b_better < 0.75  # 1 - 0.9 ** 10 = 0.65


def test_clusters_fall_back_to_writers_then_items():
    writers = ["w1", "w1", "w2", "w2", "w3", None]
    pages = [None, None, "pA", "pA", None, None]
    r = _report([1, 0, 2, 1, 0, 3], pages, writers)
    assert paired_bootstrap(r, r).clusters == 4  # w1, page pA, w3, the lone item
    assert paired_bootstrap(r, r, by="speaker/writer").clusters == 4  # w1, w2, w3, the lone item
    assert paired_bootstrap(r, r, by="item").clusters == 6
    assert paired_bootstrap(r, r, by="page").clusters == 5  # pA and four lone items


def test_seeded_and_checked():
    pages = [f"p{i % 7}" for i in range(70)]
    a = _report([i % 3 for i in range(70)], pages)
    b = _report([(i * 5) % 4 for i in range(70)], pages)
    assert paired_bootstrap(a, b, seed=3) == paired_bootstrap(a, b, seed=3)
    c = paired_bootstrap(a, b, level=0.5)
    wide = paired_bootstrap(a, b, level=0.99)
    assert wide.low <= c.low <= c.delta + 0.05 and c.high <= wide.high and wide.high - wide.low > c.high - c.low
    assert json.loads(json.dumps(c.to_dict()))["clusters"] == 7
    with pytest.raises(DataError, match="metric must be 'cer' or 'wer'"):
        paired_bootstrap(a, b, metric="ser")
    with pytest.raises(DataError, match="100 and 70 items"):
        paired_bootstrap(_report([0] * 100, [None] * 100), a)
    shuffled = _report([0] * 70, pages)
    shuffled = EvalReport(0, 0, 70, None, 1, None, 1, (shuffled.items[1], shuffled.items[0], *shuffled.items[2:]))
    with pytest.raises(DataError, match="item 1 differs between the reports: 'line0' .reference 'x+'. vs 'line1'"):
        paired_bootstrap(a, shuffled)
    with pytest.raises(DataError, match="at least 100"):
        paired_bootstrap(a, b, resamples=10)
    with pytest.raises(DataError, match="level"):
        paired_bootstrap(a, b, level=1.0)
    with pytest.raises(DataError, match="no reference characters"):
        paired_bootstrap(_report([0], [None], chars=0), _report([0], [None], chars=0))


def test_word_error_rate_counts_words():
    # two items of 4 words on two pages: A misses one word on each, B on one of them
    def items(errs):
        return tuple(ItemScore(f"l{i}", None, "a b c d", "a b c", 0, 7, e, 4, {"page": f"p{i}"})
                     for i, e in enumerate(errs))
    a = EvalReport(0, 2 / 8, 2, None, 1, None, 1, items([1, 1]))
    b = EvalReport(0, 1 / 8, 2, None, 1, None, 1, items([1, 0]))
    c = paired_bootstrap(a, b, metric="wer")
    assert c.metric == "wer" and (c.a, c.b, c.delta) == (0.25, 0.125, -0.125) and c.clusters == 2
    assert c.high == 0 and c.low == -0.25 and "WER 12.50% vs 25.00%, -12.50 points" in c.describe()
    assert paired_bootstrap(a, b).delta == 0  # no character errors in either
