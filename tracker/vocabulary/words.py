"""How a code becomes words: the rule every vocabulary table uses for the codes it does
not spell out ("care_home": "Care home"), and the ordered, read-only tables built with it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType


def as_words(code: str) -> str:
    """A code read as words (``care_home``: "Care home"): the label of every code whose words
    say what it means, so only the codes the product words differently are spelled out."""
    return code.replace("_", " ").capitalize()


def labelled(
    codes: type[StrEnum] | Iterable[str],
    labels: Mapping[str, str] | Callable[[str], str] = as_words,
) -> Mapping[str, str]:
    """Codes in order (an enumeration's values in its own order), each with its label: made
    from the code (``as_words`` unless told otherwise), except the codes ``labels`` words
    differently (each of them must be one of the codes)."""
    values = [c.value for c in codes] if isinstance(codes, type) else list(codes)
    if callable(labels):
        return MappingProxyType({code: labels(code) for code in values})
    unknown = set(labels) - set(values)
    if unknown:
        raise ValueError(f"labels for codes that do not exist: {sorted(unknown)}")
    return MappingProxyType({code: labels.get(code, as_words(code)) for code in values})
