"""A client's name as the professionals' searches read it: folded, in both orders."""

from __future__ import annotations

import unicodedata


def folded(text: str) -> str:
    """Lower case without accents, a hyphen read as a space: "Šalin", "SALIN" and "salin" all read
    "salin", "Björkqvist" reads "bjorkqvist", "Anna-Lena" "anna lena"; a professional types a name
    as their keyboard allows."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("-", " "))
    return " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).split())


def search_name(given_name: str, family_name: str) -> str:
    """Given and family name in both orders, so "Šalin Veeti" finds Veeti Šalin too."""
    given, family = folded(given_name), folded(family_name)
    # A line break between the two orders: a search, its spaces made single, never spans it.
    return f"{given} {family}\n{family} {given}".strip()
