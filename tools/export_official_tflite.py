"""Dev-only: export an official MoViNet stream model (random weights) to TF Lite, for
side-by-side LiteRT benchmarks (`movicore bench MODEL --against litert --tflite F`).

Same recipe as ../shared/anchors (official Model Garden code, 2plus1d, 2plus3d SE, hard_swish,
hard_sigmoid, positional encoding for a3-a5, 600 classes, batch 1, one frame per call). Needs
a side virtualenv with tensorflow-cpu 2.20 + tf-models-official 2.20; never run in CI:

    TF_USE_LEGACY_KERAS=1 /work/tfvenv/bin/python tools/export_official_tflite.py a1 172
"""
import os, sys
os.environ.setdefault('TF_USE_LEGACY_KERAS', '1'); os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')
import tensorflow as tf, tf_keras
from official.projects.movinet.modeling import movinet, movinet_model
from official.projects.movinet.tools import export_saved_model
mid, size = sys.argv[1], int(sys.argv[2])
tf_keras.utils.set_random_seed(0)
backbone = movinet.Movinet(model_id=mid, causal=True, conv_type='2plus1d', se_type='2plus3d',
    activation='hard_swish', gating_activation='hard_sigmoid',
    use_positional_encoding=mid in ('a3', 'a4', 'a5'), use_external_states=True)
model = movinet_model.MovinetClassifier(backbone, num_classes=600, output_states=True)
model.build([1, 1, size, size, 3])
out_dir = sys.argv[3] if len(sys.argv) > 3 else '.'
path = os.path.join(out_dir, f'{mid}_saved_model')
export_saved_model.export_saved_model(model=model, input_shape=[1, 1, size, size, 3], export_path=path,
                                      causal=True, bundle_input_init_states_fn=False)
conv = tf.lite.TFLiteConverter.from_saved_model(path)
open(os.path.join(out_dir, f'movinet_{mid}_stream.tflite'), 'wb').write(conv.convert())
print('ok', mid)
