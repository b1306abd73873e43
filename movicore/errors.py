"""Exception types raised by movicore."""

from __future__ import annotations


class MovicoreError(Exception):
    """Base class of every movicore-specific error."""


class ModelFormatError(MovicoreError, ValueError):
    """A model file is malformed, truncated, inconsistent or of an unsupported version."""


class StateError(MovicoreError, ValueError):
    """A stream state that does not fit the engine: another model or input size, a missing
    tensor, the wrong dtype or shape, NaN/inf values (``Engine.load_state_dict``)."""


class VideoSourceError(MovicoreError, ValueError):
    """A video source cannot be opened or decoded, or a live source stopped or timed out."""
