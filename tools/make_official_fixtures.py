"""Make compact MoViNet fixtures with the OFFICIAL TensorFlow Model Garden code.

Dev-only tool: never imported by the movicore package. It needs a side
virtualenv (outside the repo) with tensorflow-cpu 2.20, tf-models-official
2.20.0 and tf_keras 2.20:

    python3 -m venv /work/tfvenv
    /work/tfvenv/bin/pip install 'tensorflow-cpu==2.20.*' \
        'tf-models-official==2.20.0' 'tf_keras==2.20.*'

Run from the repo root:

    TF_USE_LEGACY_KERAS=1 /work/tfvenv/bin/python \
        tools/make_official_fixtures.py tests/data/official

Writes one subdirectory per fixture (see FIXTURES below) with:
  checkpoint, ckpt-1.index, ckpt-1.data-00000-of-00001
      tf.train.Checkpoint(model=model) (or model=..., backbone=... for the
      'model+backbone' layout written by the official convert_3d_2plus1d.py)
  variables.txt        tf.train.list_variables(ckpt) as name<TAB>shape
  input_clip.npy       float32 [1, T, H, W, 3] in [0, 1)
  clip_logits.npy      float32 [1, classes], one call on the whole clip with
                       zero initial states
  stream_logits.npy    (causal only) float32 [T, classes], frame by frame with
                       the states of the previous call passed back in
  endpoints.npz        backbone endpoints (stem, block{i}_layer{j}, head) of
                       the whole-clip call, float32
  states_after_clip.npz (causal only) the states returned by the whole-clip
                       call, official names
  config.json          constructor arguments, seeds, versions, checks

Deterministic: weights come from tf_keras.utils.set_random_seed, then BN
statistics / gamma / beta, ReZero scales (incl. the positional-encoding ReZero
scale, which is an nn_layers.Scale too) and biases are overwritten from a
numpy Generator, in sorted variable-name order (same recipe as
shared/fixtures/make_fixtures.py).

Logits are those of the official eager Keras model, whose nn_layers.Conv3D
runs every conv through tf.function(jit_compile=True) (XLA; grouped/depthwise
3D convs have no plain CPU kernel). As an independent check, every model is
also run with nn_layers.Conv3D replaced by a float64 shift-and-add reference
conv (no XLA) and the difference is recorded in config.json ("checks").
"""
import importlib.metadata
import io
import json
import os
import platform
import sys
import zipfile

os.environ.setdefault('TF_USE_LEGACY_KERAS', '1')
os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2')

import numpy as np  # pylint: disable=g-import-not-at-top
import tensorflow as tf  # pylint: disable=g-import-not-at-top
import tf_keras  # pylint: disable=g-import-not-at-top
from official.projects.movinet.modeling import movinet  # pylint: disable=g-import-not-at-top
from official.projects.movinet.modeling import movinet_model  # pylint: disable=g-import-not-at-top
from official.vision.modeling.layers import nn_layers  # pylint: disable=g-import-not-at-top

FIXTURES = {
    'a0_stream_pe': dict(
        backbone=dict(model_id='a0', causal=True, conv_type='2plus1d',
                      se_type='2plus3d', activation='hard_swish',
                      gating_activation='hard_sigmoid',
                      use_positional_encoding=True, use_external_states=True),
        classifier_activation='swish', num_classes=10,
        clip_shape=(1, 6, 80, 80, 3), layout='model',
        weight_seed=101, rng_seed=111, clip_seed=121),
    'a0_base': dict(
        backbone=dict(model_id='a0', causal=False, conv_type='3d',
                      se_type='3d', activation='swish',
                      gating_activation='sigmoid',
                      use_positional_encoding=False,
                      use_external_states=False),
        classifier_activation='swish', num_classes=10,
        clip_shape=(1, 5, 64, 64, 3), layout='model',
        weight_seed=102, rng_seed=112, clip_seed=122),
    't0_stream_3d2plus1d': dict(
        backbone=dict(model_id='t0', causal=True, conv_type='3d_2plus1d',
                      se_type='2plus3d', activation='hard_swish',
                      gating_activation='hard_sigmoid',
                      use_positional_encoding=False, use_external_states=True),
        classifier_activation='hard_swish', num_classes=10,
        clip_shape=(1, 5, 64, 64, 3), layout='model+backbone',
        weight_seed=103, rng_seed=113, clip_seed=123),
    'a0_causal_3d': dict(
        backbone=dict(model_id='a0', causal=True, conv_type='3d',
                      se_type='3d', activation='swish',
                      gating_activation='sigmoid',
                      use_positional_encoding=False, use_external_states=True),
        classifier_activation='swish', num_classes=10,
        clip_shape=(1, 5, 64, 64, 3), layout='model',
        weight_seed=104, rng_seed=114, clip_seed=124),
}


def build(cfg, seed):
  tf_keras.utils.set_random_seed(seed)
  backbone = movinet.Movinet(**cfg['backbone'])
  model = movinet_model.MovinetClassifier(
      backbone, num_classes=cfg['num_classes'],
      activation=cfg['classifier_activation'], output_states=True)
  model.build(cfg['clip_shape'])
  return model


def randomize(model, seed):
  """Non-trivial BN stats, ReZero scales U(0.5,1), biases N(0,0.1)."""
  rng = np.random.default_rng(seed)
  bns = [m for m in model.submodules
         if isinstance(m, tf_keras.layers.BatchNormalization)]
  bns = sorted(bns, key=lambda l: l.moving_mean.name)
  for l in bns:
    c = l.moving_mean.shape
    l.moving_mean.assign(rng.normal(0.0, 0.1, c).astype(np.float32))
    l.moving_variance.assign(rng.uniform(0.5, 1.5, c).astype(np.float32))
    if l.gamma is not None:
      l.gamma.assign(rng.uniform(0.5, 1.5, c).astype(np.float32))
    if l.beta is not None:
      l.beta.assign(rng.normal(0.0, 0.1, c).astype(np.float32))
  scales = {id(w): w for m in model.submodules
            if isinstance(m, nn_layers.Scale) for w in m.weights}
  pe_scales = {id(w) for m in model.submodules
               if isinstance(m, nn_layers.PositionalEncoding)
               for w in m.weights}
  assert pe_scales <= set(scales), 'PE rezero is not an nn_layers.Scale'
  n_scale = n_pe = n_bias = 0
  for v in sorted(model.weights, key=lambda v: v.name):
    if id(v) in scales:
      v.assign(rng.uniform(0.5, 1.0, v.shape).astype(np.float32))
      n_scale += 1
      n_pe += id(v) in pe_scales
    elif v.name.endswith('bias:0'):
      v.assign(rng.normal(0.0, 0.1, v.shape).astype(np.float32))
      n_bias += 1
  # No multi-element variable may stay constant, no Scale may stay zero.
  for v in model.weights:
    a = v.numpy()
    assert a.size == 1 or a.std() > 0, v.name
    assert id(v) not in scales or np.all(a >= 0.5), v.name
  return dict(bn_layers=len(bns), rezero_scales=n_scale,
              of_which_positional_encoding=n_pe, biases=n_bias)


def ckpt_obj(model, layout):
  if layout == 'model':
    return tf.train.Checkpoint(model=model)
  return tf.train.Checkpoint(model=model, backbone=model._backbone)  # pylint: disable=protected-access


def run_clip(model, clip, causal):
  if causal:
    init = model.init_states(tf.shape(clip))
    logits, states = model({**init, 'image': clip})
  else:
    out = model({'image': clip})
    logits, states = out if isinstance(out, (tuple, list)) else (out, {})
  return logits.numpy().astype(np.float32), states


def run_stream(model, clip):
  states = model.init_states(tf.shape(clip))
  rows = []
  for frame in tf.split(clip, clip.shape[1], axis=1):
    logits, states = model({**states, 'image': frame})
    rows.append(logits.numpy()[0])
  return np.stack(rows).astype(np.float32)


# ---- float64 reference for nn_layers.Conv3D (no XLA), used only as a check.
_OFFICIAL_CONV3D_CALL = nn_layers.Conv3D.call


_REF_CALLS = [0]


def _same_pads(n, k, s):
  out = -(-n // s)
  total = max((out - 1) * s + k - n, 0)
  return total // 2, total - total // 2


def _ref_conv3d_call(self, inputs):
  """Conv3D in float64 by shifted multiply-adds (dense or depthwise)."""
  _REF_CALLS[0] += 1
  x = tf.cast(inputs, tf.float64)
  if self._is_causal:  # pylint: disable=protected-access
    x = tf.pad(x, self._compute_causal_padding(inputs))  # pylint: disable=protected-access
  elif self.padding == 'same':
    pads = [(0, 0)] + [
        _same_pads(int(x.shape[1 + i]),
                   (self.kernel_size[i] - 1) * self.dilation_rate[i] + 1,
                   self.strides[i]) for i in range(3)] + [(0, 0)]
    x = tf.pad(x, pads)
  else:
    assert self.padding == 'valid', self.padding
  k = tf.cast(self.kernel, tf.float64)  # [kt, kh, kw, cin/groups, cout]
  cin = int(x.shape[-1])
  kt, kh, kw = self.kernel_size
  st, sh, sw = self.strides
  dt, dh, dw = self.dilation_rate
  ot = (int(x.shape[1]) - (kt - 1) * dt - 1) // st + 1
  oh = (int(x.shape[2]) - (kh - 1) * dh - 1) // sh + 1
  ow = (int(x.shape[3]) - (kw - 1) * dw - 1) // sw + 1
  out = 0.
  for a in range(kt):
    for b in range(kh):
      for c in range(kw):
        patch = x[:, a * dt: a * dt + (ot - 1) * st + 1: st,
                  b * dh: b * dh + (oh - 1) * sh + 1: sh,
                  c * dw: c * dw + (ow - 1) * sw + 1: sw, :]
        if self.groups == 1:
          out += tf.einsum('nthwi,io->nthwo', patch, k[a, b, c])
        else:
          assert self.groups == cin == self.filters, (self.groups, cin)
          out += patch * k[a, b, c, 0]
  out = tf.cast(out, inputs.dtype)
  if self.use_bias:
    out = tf.nn.bias_add(out, self.bias)
  if self.activation is not None:
    out = self.activation(out)
  return out


class reference_conv3d:  # pylint: disable=invalid-name
  def __enter__(self):
    nn_layers.Conv3D.call = _ref_conv3d_call

  def __exit__(self, *exc):
    nn_layers.Conv3D.call = _OFFICIAL_CONV3D_CALL


def count_conv3d(model):
  convs = [m for m in model.submodules if isinstance(m, nn_layers.Conv3D)]
  return len(convs), sum(1 for m in convs if m.groups > 1)


def savez(path, arrays):
  """np.savez with fixed zip timestamps (byte-identical reruns)."""
  with zipfile.ZipFile(path, 'w', zipfile.ZIP_STORED) as z:
    for k in sorted(arrays):
      buf = io.BytesIO()
      np.lib.format.write_array(buf, np.asarray(arrays[k]),
                                allow_pickle=False)
      z.writestr(zipfile.ZipInfo(k + '.npy', date_time=(1980, 1, 1, 0, 0, 0)),
                 buf.getvalue())


def e(x):
  return float(f'{x:.2e}')


def make(name, cfg, out):
  d = os.path.join(out, name)
  os.makedirs(d, exist_ok=True)
  causal = cfg['backbone']['causal']
  clip = np.random.default_rng(cfg['clip_seed']).random(
      cfg['clip_shape'], dtype=np.float32)
  clip_t = tf.constant(clip)

  model = build(cfg, cfg['weight_seed'])
  rand = randomize(model, cfg['rng_seed'])
  n_conv3d, n_dw3d = count_conv3d(model)

  clip_logits, states = run_clip(model, clip_t, causal)
  stream = run_stream(model, clip_t) if causal else None
  backbone = model._backbone  # pylint: disable=protected-access
  if causal:
    bb_out = backbone({**model.init_states(tf.shape(clip_t)), 'image': clip_t})
  else:
    bb_out = backbone({'image': clip_t})
  endpoints = bb_out[0] if isinstance(bb_out, (tuple, list)) else bb_out
  endpoints = {k: v.numpy().astype(np.float32) for k, v in endpoints.items()}

  checks = {}
  # Independent float64 reference conv (no XLA) for every nn_layers.Conv3D.
  _REF_CALLS[0] = 0
  with reference_conv3d():
    ref_logits, _ = run_clip(model, clip_t, causal)
    checks['float64_ref_conv3d_calls_in_clip_call'] = _REF_CALLS[0]
    ref_ep = backbone({**model.init_states(tf.shape(clip_t)), 'image': clip_t}
                      if causal else {'image': clip_t})
    ref_ep = ref_ep[0] if isinstance(ref_ep, (tuple, list)) else ref_ep
    checks['endpoints_vs_float64_ref_conv3d_max_abs_over_max'] = e(max(
        np.abs(ref_ep[k].numpy() - v).max() / np.abs(v).max()
        for k, v in endpoints.items()))
    ref_stream = run_stream(model, clip_t) if causal else None
  checks['clip_logits_vs_float64_ref_conv3d_max_abs'] = e(
      np.abs(ref_logits - clip_logits).max())
  if causal:
    checks['stream_logits_vs_float64_ref_conv3d_max_abs'] = e(
        np.abs(ref_stream - stream).max())
    checks['stream_last_vs_clip_max_abs'] = e(
        np.abs(stream[-1] - clip_logits[0]).max())
    checks['stream_rows_vs_last_max_abs'] = e(
        np.abs(stream - stream[-1]).max())
  # Whole model under one XLA compilation.
  if causal:
    init = model.init_states(tf.shape(clip_t))
    jit = tf.function(lambda s, x: model({**s, 'image': x}),
                      jit_compile=True)(init, clip_t)[0]
  else:
    jit = tf.function(lambda x: model({'image': x}),
                      jit_compile=True)(clip_t)[0]
  checks['clip_logits_vs_whole_model_jit_max_abs'] = e(
      np.abs(jit.numpy() - clip_logits).max())

  # Positional encoding must matter: zero its ReZero scales temporarily.
  pe = [w for m in model.submodules
        if isinstance(m, nn_layers.PositionalEncoding) for w in m.weights]
  if pe:
    keep = [w.numpy() for w in pe]
    for w in pe:
      w.assign(tf.zeros_like(w))
    checks['clip_logits_change_if_pe_scales_zeroed_max_abs'] = e(
        np.abs(run_clip(model, clip_t, causal)[0] - clip_logits).max())
    for w, k in zip(pe, keep):
      w.assign(k)
    assert np.array_equal(run_clip(model, clip_t, causal)[0], clip_logits)

  # Save checkpoint + arrays.
  path = ckpt_obj(model, cfg['layout']).save(os.path.join(d, 'ckpt'))
  with open(os.path.join(d, 'variables.txt'), 'w') as f:
    for vname, shape in tf.train.list_variables(path):
      f.write(f'{vname}\t{shape}\n')
  np.save(os.path.join(d, 'input_clip.npy'), clip)
  np.save(os.path.join(d, 'clip_logits.npy'), clip_logits)
  if causal:
    np.save(os.path.join(d, 'stream_logits.npy'), stream)
    savez(os.path.join(d, 'states_after_clip.npz'),
          {k: v.numpy() for k, v in states.items()})
  savez(os.path.join(d, 'endpoints.npz'), endpoints)

  # Restore into a differently seeded model: must reproduce exactly.
  m2 = build(cfg, cfg['weight_seed'] + 1000)
  ckpt_obj(m2, cfg['layout']).restore(
      tf.train.latest_checkpoint(d)).assert_existing_objects_matched()
  checks['restore_into_fresh_model_max_abs'] = e(
      np.abs(run_clip(m2, clip_t, causal)[0] - clip_logits).max())

  config = {
      'fixture': name,
      'backbone': {**cfg['backbone'], 'norm_epsilon': 0.001,
                   'norm_momentum': 0.99, 'use_sync_bn': True,
                   'kernel_initializer': 'HeNormal', 'output_states': True,
                   'average_pooling_type': '3d',
                   'stochastic_depth_drop_rate': 0.0},
      'classifier': {'num_classes': cfg['num_classes'],
                     'activation': cfg['classifier_activation'],
                     'dropout_rate': 0.0, 'output_states': True},
      'checkpoint_layout': cfg['layout'],
      'checkpoint': ('tf.train.Checkpoint(model=model)'
                     if cfg['layout'] == 'model' else
                     'tf.train.Checkpoint(model=model, '
                     'backbone=model._backbone)'),
      'clip_shape': list(cfg['clip_shape']),
      'seeds': {'tf_keras.utils.set_random_seed': cfg['weight_seed'],
                'randomize np.random.default_rng': cfg['rng_seed'],
                'clip np.random.default_rng(seed).random': cfg['clip_seed']},
      'randomized': rand,
      'params': int(model.count_params()),
      'conv3d_layers': n_conv3d, 'of_which_grouped_depthwise': n_dw3d,
      'clip_logits_abs_max': e(np.abs(clip_logits).max()),
      'clip_logits_std': e(clip_logits.std()),
      'endpoints': {k: list(v.shape) for k, v in sorted(endpoints.items())},
      'states_after_clip': ({k: [list(v.shape), v.dtype.name]
                             for k, v in sorted(states.items())}
                            if causal else None),
      'checks': checks,
      'versions': {
          'python': platform.python_version(),
          'tensorflow': tf.__version__,
          'tf_keras': tf_keras.__version__,
          'tf-models-official': importlib.metadata.version(
              'tf-models-official'),
          'numpy': np.__version__,
      },
      'env': {'TF_USE_LEGACY_KERAS': os.environ.get('TF_USE_LEGACY_KERAS')},
  }
  with open(os.path.join(d, 'config.json'), 'w') as f:
    json.dump(config, f, indent=1, sort_keys=True)
    f.write('\n')
  print(name, json.dumps({k: config[k] for k in (
      'params', 'randomized', 'clip_logits_abs_max', 'checks',
      'conv3d_layers', 'of_which_grouped_depthwise')}), flush=True)


def main():
  out = sys.argv[1]
  names = sys.argv[2:] or list(FIXTURES)
  for name in names:
    make(name, FIXTURES[name], out)


if __name__ == '__main__':
  main()
