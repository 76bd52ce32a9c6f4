"""The spectrum in an ONNX graph: ONNX Runtime's DFT operator against the windowed-DFT-basis MatMul recog exports.

    python bench/stft_onnx.py [--seconds 30] [--threads 1] [--repeats 5]

Frames of 400 samples (25 ms at 16 kHz, the speech frontend's n_fft) every 10 ms; the MatMul is what
`recog_audio.features.power_spectrogram` exports ((frames, 400) x (400, 402): real and imaginary parts of 201 bins);
the DFT rows are ONNX's DFT (opset 18, onesided) at n = 400 and at the next power of two, 512 (other features:
a model trained on 400 would need retraining). Prints milliseconds per call for each. This is why the export keeps
the MatMul: ORT's DFT is a scalar loop (radix-2 for powers of two, much slower otherwise) while the MatMul runs in
MLAS's vectorised GEMM.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper


def _session(graph, threads: int) -> ort.InferenceSession:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)])
    model.ir_version = 9  # what this onnxruntime reads
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    return ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def _time(sess: ort.InferenceSession, x: np.ndarray, repeats: int) -> float:
    sess.run(None, {"x": x})
    t0 = time.perf_counter()
    for _ in range(repeats):
        sess.run(None, {"x": x})
    return (time.perf_counter() - t0) / repeats * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=5)
    a = ap.parse_args()
    frames = int(a.seconds * 100) + 1
    rng = np.random.default_rng(0)
    out = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
    basis = rng.standard_normal((400, 402)).astype(np.float32)
    matmul = helper.make_graph([helper.make_node("MatMul", ["x", "basis"], ["y"])], "matmul",
                               [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, frames, 400])], [out],
                               [numpy_helper.from_array(basis, "basis")])
    rows = [("MatMul with the DFT basis, n=400", _time(_session(matmul, a.threads),
                                                       rng.standard_normal((1, frames, 400)).astype(np.float32), a.repeats))]
    for n in (400, 512):
        dft = helper.make_graph([helper.make_node("DFT", ["x"], ["y"], onesided=1, axis=2)], "dft",
                                [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, frames, n, 1])], [out])
        x = rng.standard_normal((1, frames, n, 1)).astype(np.float32)
        rows.append((f"ONNX DFT, n={n}", _time(_session(dft, a.threads), x, a.repeats)))
    base = rows[0][1]
    print(f"{frames} frames ({a.seconds:g} s of audio), {a.threads} thread(s), onnxruntime {ort.__version__}")
    for name, ms in rows:
        print(f"  {name:34s} {ms:8.2f} ms  ({ms / base:.1f}x the MatMul)")


if __name__ == "__main__":
    main()
