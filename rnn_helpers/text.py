"""Sampling from a character model now lives in ``rh.data`` (chapter 04)."""

from .data.text import next_char_probabilities, sample

__all__ = ["next_char_probabilities", "sample"]
