"""Exception types raised by movicore."""

from __future__ import annotations


class MovicoreError(Exception):
    """Base class of every movicore-specific error."""


class ModelFormatError(MovicoreError, ValueError):
    """A model file is malformed, truncated, inconsistent or of an unsupported version."""


class VideoSourceError(MovicoreError, ValueError):
    """A video source cannot be opened or decoded, or a live source stopped or timed out."""
