"""Dev-only: LiteRT (TF Lite) int8 exports of the SAME weights as the shared official A0-stream
fixture, for `tools/litert_int8_accuracy.py` (accuracy beside `movicore quantize`).

Runs in a side virtualenv (never in CI; docs/quantization.md has the recipe):
    python -m venv /work/tfvenv_int8
    /work/tfvenv_int8/bin/pip install "tensorflow-cpu==2.20.*" "tf-models-official==2.20.0" \
        "tf_keras==2.20.*"
    TF_USE_LEGACY_KERAS=1 /work/tfvenv_int8/bin/python tools/export_litert_int8.py \
        FIXTURE_DIR CALIB_FRAMES.npy OUT_DIR

Builds the official stream model (the fixture's config: a0, causal, 2plus1d, 2plus3d SE,
hard_swish, hard_sigmoid, 600 classes, external states), restores FIXTURE_DIR's checkpoint,
exports a SavedModel (one frame [1, 1, 172, 172, 3] + 43 states per call) and converts it three
ways: float32, dynamic-range (int8 weights, float activations: Optimize.DEFAULT) and full int8
(Optimize.DEFAULT + a representative dataset: the calibration frames, float in [0, 1], each
with the real states the float SavedModel produced before it; int8 builtin ops where they
exist, float I/O). CALIB_FRAMES.npy: uint8 [N, 172, 172, 3], consecutive frames of one stream.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
import tensorflow as tf
from official.projects.movinet.modeling import movinet, movinet_model
from official.projects.movinet.tools import export_saved_model


def main() -> int:
    fixture, calib_path = sys.argv[1:3]
    out_dir = Path(sys.argv[3])
    out_dir.mkdir(parents=True, exist_ok=True)
    backbone = movinet.Movinet(model_id="a0", causal=True, conv_type="2plus1d",
                               se_type="2plus3d", activation="hard_swish",
                               gating_activation="hard_sigmoid", use_positional_encoding=False,
                               use_external_states=True)
    model = movinet_model.MovinetClassifier(backbone, num_classes=600, output_states=True)
    model.build([1, 1, 172, 172, 3])
    status = tf.train.Checkpoint(model=model).restore(tf.train.latest_checkpoint(fixture))
    status.assert_existing_objects_matched()
    saved = str(out_dir / "a0_stream_saved_model")
    export_saved_model.export_saved_model(model=model, input_shape=[1, 1, 172, 172, 3],
                                          export_path=saved, causal=True,
                                          bundle_input_init_states_fn=False)
    frames = np.load(calib_path)
    sig = tf.saved_model.load(saved).signatures["serving_default"]
    specs = sig.structured_input_signature[1]
    state = {n: tf.zeros(s.shape, s.dtype) for n, s in specs.items() if n != "image"}
    samples = []
    for f in frames:
        image = tf.constant(f[None, None].astype(np.float32) / 255.0)
        samples.append({"image": image.numpy(), **{n: v.numpy() for n, v in state.items()}})
        out = sig(image=image, **state)
        state = {n: out[n] for n in state}

    def representative():
        yield from samples

    def convert(name, **opts):
        conv = tf.lite.TFLiteConverter.from_saved_model(saved)
        for k, v in opts.items():
            setattr(conv, k, v)
        path = out_dir / f"a0_stream_{name}.tflite"
        path.write_bytes(conv.convert())
        print("wrote", path, path.stat().st_size, "bytes", flush=True)

    convert("float32")
    convert("dynamic_range", optimizations=[tf.lite.Optimize.DEFAULT])
    convert("full_int8", optimizations=[tf.lite.Optimize.DEFAULT],
            representative_dataset=representative)
    return 0


if __name__ == "__main__":
    sys.exit(main())
