"""Recurrent layers in NumPy: forward passes and their gradients (chapters 03-06).

Everything follows Keras's layout: sequences are ``(batch, num_steps,
features)``, rows are examples, and

    h_t = f(x_t @ U + h_{t-1} @ W + b)

with ``U`` of shape ``(input, state)`` and ``W`` of shape ``(state, state)``,
exactly ``keras.layers.SimpleRNN``'s ``kernel`` and ``recurrent_kernel``.

- ``layers``: ``RecurrentLayer`` (BPTT, chapter 03) and ``Readout``, the
  layers the book trains by hand (chapters 03-04);
- ``gated``: ``lstm_forward`` and ``gru_forward``, Keras's gated layers
  recomputed from Keras's weights (chapters 05-06).

Every public name is used as ``rh.rnn.NAME``.
"""

from .gated import gru_forward, lstm_forward
from .layers import Layer, Readout, RecurrentLayer

__all__ = ["Layer", "Readout", "RecurrentLayer", "gru_forward", "lstm_forward"]
