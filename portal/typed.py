"""What people type, in the plain characters it is read in.

A phone's keyboard, a word processor or a copied document puts full-width digits or another dash
where the reader sees 0-9 and a hyphen: an identity code or a phone number typed so is the same code
or number, and is read as one.
"""

from __future__ import annotations

import unicodedata

_DASHES = str.maketrans(dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63", "-"))


def plain(value: str) -> str:
    """Full-width and other compatibility forms as their plain forms (NFKC), any dash as a hyphen."""
    return unicodedata.normalize("NFKC", value).translate(_DASHES)
