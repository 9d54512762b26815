"""Versioned Finnish and Swedish content kept as data files beside the code."""

from pathlib import Path

CONTENT_DIR = Path(__file__).parent


class ContentError(ValueError):
    """A content file that must not be served: a missing language, a bad reference."""
