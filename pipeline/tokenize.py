"""Word tokens per language: spaCy for English, Sudachi (short units) for Japanese, Kiwi for Korean."""

from __future__ import annotations

import re
from functools import lru_cache

SUPPORTED = ("en", "ja", "ko")
_SUDACHI_MAX_CHARS = 12_000  # Sudachi refuses inputs over ~49 kB; cut long texts at line ends
_CUT = re.compile(r"(?<=[。！？!?\n])")


class UnsupportedLanguage(ValueError):
    """No tokenizer for this language."""


def tokens(text: str, lang: str) -> list[str]:
    """Lower-cased surface tokens of `text` in language `lang`."""
    if lang == "en":
        return [t.lower_ for t in _spacy_en()(text) if not t.is_space]
    if lang == "ja":
        sudachi = _sudachi()
        return [m.surface().lower() for chunk in chunks(text) for m in sudachi.tokenize(chunk) if m.surface().strip()]
    if lang == "ko":
        return [t.form.lower() for t in kiwi().tokenize(text)]
    raise UnsupportedLanguage(f"no tokenizer for language {lang!r}; supported: {', '.join(SUPPORTED)}")


def chunks(text: str) -> list[str]:
    """`text` cut at sentence or line ends into pieces Sudachi accepts; the pieces join back to `text`."""
    if len(text) <= _SUDACHI_MAX_CHARS:
        return [text]
    pieces, current = [], ""
    for part in _CUT.split(text):
        while len(part) > _SUDACHI_MAX_CHARS:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(part[:_SUDACHI_MAX_CHARS])
            part = part[_SUDACHI_MAX_CHARS:]
        if len(current) + len(part) > _SUDACHI_MAX_CHARS and current:
            pieces.append(current)
            current = ""
        current += part
    return pieces + [current] if current else pieces


@lru_cache(maxsize=1)
def _spacy_en():
    import spacy

    return spacy.blank("en").tokenizer


@lru_cache(maxsize=1)
def _sudachi():
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").create(SplitMode.A)


@lru_cache(maxsize=1)
def kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()
