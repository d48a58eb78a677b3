"""Data for the book, one module per topic; every public name is also here.

- ``mnist``: MNIST found, checked and labelled (chapters 01, 02, 05, 06):
  ``load_mnist``, ``mnist_vectors``, ``mnist_rows``, ``flatten``, ``scale``,
  ``one_hot``; ``files``: the IDX and ``.npz`` readers (``read_idx``);
  ``cache``: the Keras cache and the download.
- ``text``: chapter 04's corpus, vocabulary, batches and sampling.
- ``recall``: the recall task of chapters 03, 09 and 10.
- ``sine``: sine waves cut into windows (chapter 07); ``co2``: the weekly
  Mauna Loa CO2 record (chapter 07).
- ``seq2seq``: digit strings to reverse or sort (chapter 08).
"""

from .co2 import Co2Record, load_co2
from .files import IDX_DTYPES, MAX_BYTES, read_idx, read_npz
from .mnist import (
    FULL_SIZES,
    IDX_FILES,
    MNIST_SHA256,
    MNIST_URL,
    MnistData,
    OfflineDataWarning,
    flatten,
    load_mnist,
    mnist_rows,
    mnist_vectors,
    offline_mnist,
    one_hot,
    scale,
)
from .recall import recall_batch
from .seq2seq import (
    DIGITS,
    TASKS,
    Seq2SeqArrays,
    TokenVocabulary,
    digit_pairs,
    seq2seq_arrays,
)
from .sine import make_windows, sine_data, sine_series
from .text import (
    CharVocabulary,
    Text,
    char_batches,
    load_text,
    next_char_probabilities,
    sample,
)

__all__ = [
    "Co2Record",
    "load_co2",
    "DIGITS",
    "TASKS",
    "Seq2SeqArrays",
    "TokenVocabulary",
    "digit_pairs",
    "seq2seq_arrays",
    "FULL_SIZES",
    "IDX_DTYPES",
    "IDX_FILES",
    "MAX_BYTES",
    "MNIST_SHA256",
    "MNIST_URL",
    "CharVocabulary",
    "MnistData",
    "OfflineDataWarning",
    "Text",
    "char_batches",
    "flatten",
    "load_mnist",
    "load_text",
    "make_windows",
    "mnist_rows",
    "mnist_vectors",
    "next_char_probabilities",
    "offline_mnist",
    "one_hot",
    "read_idx",
    "read_npz",
    "recall_batch",
    "sample",
    "scale",
    "sine_data",
    "sine_series",
]
