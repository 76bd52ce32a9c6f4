"""Planning pieces of long or silence-padded inputs: fixed windows and activity segments."""

import numpy as np
import pytest

from recog_audio.silence import MIN_SOUND_S, SegmentConfig, block_levels_db, plan_pieces, plan_segments

RATE, BLOCK = 1000, 10  # units per second, units per level block (tests use small numbers)


def _signal(parts):
    """Concatenate (seconds, amplitude) parts: amplitude 0 is digital silence, a small one quiet noise."""
    rng = np.random.default_rng(0)
    return np.concatenate([amp * rng.standard_normal(int(sec * RATE)) for sec, amp in parts]).astype(np.float32)


def _tiles(plan, n):
    assert plan[0][2] == 0 and plan[-1][3] == n
    for (s, e, os_, oe), nxt in zip(plan, plan[1:] + [None]):
        assert os_ < oe and s <= os_ or s < oe, (s, e, os_, oe)
        if nxt is not None:
            assert oe == nxt[2]


def test_levels_are_decibels_of_mean_square_per_block():
    x = np.concatenate([np.ones(10), np.zeros(10), 0.1 * np.ones(5)])
    lv = block_levels_db(x, 10)
    assert lv.shape == (3,) and lv[0] == pytest.approx(0.0, abs=1e-9) and lv[1] < -100
    assert lv[2] == pytest.approx(-20.0, abs=1e-6)  # the partial last block is averaged over what it holds


def test_short_recording_without_digital_silence_is_one_pass():
    x = _signal([(0.3, 1e-3), (1.0, 0.3), (0.4, 1e-3), (0.8, 0.3), (0.3, 1e-3)])  # quiet pauses, no zeros
    assert plan_segments(block_levels_db(x, BLOCK), BLOCK, len(x), 20 * RATE, 2 * RATE) is None


def test_short_input_loses_digital_padding_and_is_cut_at_long_digital_gaps():
    x = _signal([(0.5, 0), (1.0, 0.3), (0.5, 0), (0.8, 0.3), (0.1, 0), (0.6, 0.3), (0.6, 0)])
    plan = plan_segments(block_levels_db(x, BLOCK), BLOCK, len(x), 20 * RATE, 2 * RATE)
    pieces = [(s, e) for s, e, _, _ in plan]
    assert pieces == [(500, 1500), (2000, 3500)]  # the 0.1 s gap is kept, the 0.5 s one cuts
    _tiles(plan, len(x))


def test_long_input_is_cut_at_quiet_stretches_and_long_pieces_are_windowed():
    parts = [(1.0, 1e-4)]
    for k in range(6):
        parts += [(3.0 if k != 3 else 30.0, 0.3), (1.0, 1e-4)]  # one 30 s stretch of speech, then quiet noise
    x = _signal(parts)
    cfg = SegmentConfig()
    plan = plan_segments(block_levels_db(x, BLOCK), BLOCK, len(x), 20 * RATE, 2 * RATE, cfg)
    _tiles(plan, len(x))
    lengths = [e - s for s, e, _, _ in plan]
    assert len(plan) == 7  # five short pieces, and the 30 s one in two overlapping windows
    assert max(lengths) == 20 * RATE and all(e - s >= 3 * RATE for s, e, _, _ in plan)
    margin = cfg.margin * BLOCK
    assert plan[0][0] == 1000 - margin and plan[0][1] == 4000 + margin  # the margin of quiet context around speech


def test_garbage_levels_give_no_plan():
    x = np.full(3000, np.nan, np.float32)
    assert plan_segments(block_levels_db(x, BLOCK), BLOCK, len(x), 20 * RATE, 2 * RATE) is None


@pytest.mark.parametrize("seconds", [3, 40])
@pytest.mark.parametrize("db", [None, -80.0, -75.0])
def test_silence_and_faint_room_tone_give_no_pieces(seconds, db):
    """Nothing above the absolute floor: nothing to transcribe (a one-pass plan would invent words)."""
    n = seconds * RATE
    x = np.zeros(n, np.float32) if db is None else (np.random.default_rng(0).standard_normal(n) * 10 ** (db / 20)).astype(np.float32)
    assert plan_segments(block_levels_db(x, BLOCK), BLOCK, n, 20 * RATE, 2 * RATE) == []
    assert plan_pieces(block_levels_db(x, BLOCK), RATE, n, 20.0, 2.0) == []


def test_inputs_too_short_for_a_word_give_no_pieces():
    for n in (1, round(MIN_SOUND_S * RATE) // 2, round(MIN_SOUND_S * RATE) - 1):
        x = np.full(n, 0.3, np.float32)
        assert plan_pieces(block_levels_db(x, BLOCK), RATE, n, 20.0, 2.0) == []
    n = round(MIN_SOUND_S * RATE)
    assert plan_pieces(block_levels_db(np.full(n, 0.3, np.float32), BLOCK), RATE, n, 20.0, 2.0) is None  # one pass
