"""Which fetched articles concern Japan–Korea relations and the alliance: the rest are counted, not stored."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Protocol

from pipeline.records import Article, IrrelevantItem
from pipeline.topics import KeywordTopicTagger


class Relevance(Protocol):
    """A swappable relevance test."""

    def is_relevant(self, article: Article) -> bool: ...


@dataclass(frozen=True)
class CountryTerms:
    patterns: dict[str, dict[str, re.Pattern]]  # country -> lang -> one pattern of its terms

    def named(self, text: str, lang: str) -> set[str]:
        """The countries a text names."""
        return {country for country, by_lang in self.patterns.items()
                if lang in by_lang and by_lang[lang].search(text)}


def load_country_terms(path: Path | None = None) -> CountryTerms:
    """Read pipeline/countries.toml (or `path`) into one compiled pattern per country and language."""
    raw = path.read_bytes() if path else files("pipeline").joinpath("countries.toml").read_bytes()
    table = tomllib.loads(raw.decode())["countries"]
    return CountryTerms({country: {lang: _pattern(terms, lang) for lang, terms in by_lang.items()}
                         for country, by_lang in table.items()})


def _pattern(terms: list[str], lang: str) -> re.Pattern:
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    if lang == "en":
        return re.compile(rf"(?<![\w.])(?:{alternatives})(?![\w])", re.IGNORECASE)
    return re.compile(alternatives)


class KeywordRelevance:
    """Relevant: a taxonomy topic matches, or the text names a country other than the outlet's own.
    Country terms are checked first (a regex); the tokenising topic tagger only when they say no."""

    def __init__(self, tagger: KeywordTopicTagger, terms: CountryTerms):
        self.tagger, self.terms = tagger, terms

    def is_relevant(self, article: Article) -> bool:
        text = f"{article.title}\n{article.text}"
        if self.terms.named(text, article.lang) - {article.source_country}:
            return True
        return article.lang in ("en", "ja", "ko") and bool(self.tagger.tag(text, article.lang).topics)


def split_relevant(articles: Iterable[Article], relevance: Relevance) -> tuple[list[Article], list[IrrelevantItem]]:
    """The relevant articles, and a count-only record of each of the others."""
    kept: list[Article] = []
    dropped: list[IrrelevantItem] = []
    for article in articles:
        if relevance.is_relevant(article):
            kept.append(article)
        else:
            dropped.append(IrrelevantItem(article.id, article.source, article.day))
    return kept, dropped
