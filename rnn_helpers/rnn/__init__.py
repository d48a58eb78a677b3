"""Recurrent layers in NumPy: forward passes and their gradients (chapters 03-10).

Everything follows Keras's layout: sequences are ``(batch, num_steps,
features)``, rows are examples, and

    h_t = f(x_t @ U + h_{t-1} @ W + b)

with ``U`` of shape ``(input, state)`` and ``W`` of shape ``(state, state)``,
exactly ``keras.layers.SimpleRNN``'s ``kernel`` and ``recurrent_kernel``.

- ``layers``: ``RecurrentLayer`` (BPTT, chapter 03) and ``Readout``, the
  layers the book trains by hand (chapters 03-04);
- ``gated``: ``lstm_forward`` and ``gru_forward``, Keras's gated layers
  recomputed from Keras's weights (chapters 05-06);
- ``scan``: the linear recurrence ``h_t = a_t * h_{t-1} + b_t`` by a loop,
  a parallel scan, a closed form and in log space, its gradient, and
  minGRU and minLSTM (chapter 10).

Every public name is used as ``rh.rnn.NAME``.
"""

from .gated import gru_forward, lstm_forward
from .layers import Layer, Readout, RecurrentLayer
from .scan import (
    combine,
    g,
    hillis_steele,
    linear_recurrence,
    linear_recurrence_backward,
    linear_recurrence_log,
    log_g,
    min_gru_forward,
    min_lstm_forward,
    min_rnn_parameters,
    scan_rounds,
    sequential_depth,
)

__all__ = [
    "Layer",
    "Readout",
    "RecurrentLayer",
    "combine",
    "g",
    "gru_forward",
    "hillis_steele",
    "linear_recurrence",
    "linear_recurrence_backward",
    "linear_recurrence_log",
    "log_g",
    "lstm_forward",
    "min_gru_forward",
    "min_lstm_forward",
    "min_rnn_parameters",
    "scan_rounds",
    "sequential_depth",
]
