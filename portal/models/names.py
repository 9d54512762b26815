"""A client's name as the professionals' searches read it: folded, in both orders."""

from __future__ import annotations

import unicodedata


def folded(text: str) -> str:
    """Lower case without accents: "Šalin", "SALIN" and "salin" all read "salin", "Björkqvist" reads
    "bjorkqvist"; a professional types a name as their keyboard allows."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def search_name(given_name: str, family_name: str) -> str:
    """Given and family name in both orders, so "Šalin Veeti" finds Veeti Šalin too."""
    given, family = folded(given_name.strip()), folded(family_name.strip())
    return f"{given} {family} | {family} {given}".strip(" |")
