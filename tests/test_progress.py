"""Progress: the CLI bar draws on a terminal only; the library reports progress through callbacks."""

import io

import recog
from recog.progress import ProgressBar


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_bar_draws_on_a_terminal_and_is_silent_otherwise():
    tty, pipe = _Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = ProgressBar("eval", stream=stream)
        for k in range(1, 5):
            bar(k, 4, {"loss": 0.5})
    assert tty.getvalue().count("\r") == 4 and "eval [" in tty.getvalue() and tty.getvalue().endswith("\n")
    assert "4/4" in tty.getvalue() and "loss=0.5" in tty.getvalue()
    assert pipe.getvalue() == ""


def test_transcribe_batch_and_evaluate_report_progress(tmp_path):
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "samples" / "speech"
    wavs = sorted(root.glob("*.wav"))
    seen = []
    out = recog.load("speech", decoder="greedy").transcribe_batch(wavs + ["missing.wav"], batch_size=2, errors="return",
                                                                  progress=lambda d, t, i: seen.append((d, t)))
    assert len(out) == len(wavs) + 1 and seen[-1] == (len(wavs) + 1, len(wavs) + 1)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    m = tmp_path / "m.jsonl"
    m.write_text("".join(json.dumps({"path": str(w), "text": "x"}) + "\n" for w in wavs))
    calls = []
    recog.evaluate(m, "speech", progress=lambda d, t, i: calls.append(d))
    assert calls[-1] == len(wavs)
