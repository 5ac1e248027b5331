"""Keyword topic tagging: taxonomy keywords matched as token sequences in the article's language."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from pipeline.taxonomy import Taxonomy
from pipeline.tokenize import SUPPORTED, tokens


@dataclass(frozen=True)
class TopicMatch:
    topics: tuple[str, ...]  # most-evidenced first
    terms: dict[str, tuple[str, ...]]  # topic id -> the keywords found


class KeywordTopicTagger:
    """Finds each topic whose keywords occur in a text, tokenised the same way as the keywords."""

    def __init__(self, taxonomy: Taxonomy):
        self.version = taxonomy.version
        self._index: dict[str, dict[str, list[tuple[tuple[str, ...], str, str]]]] = {}
        for lang in SUPPORTED:
            by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = defaultdict(list)
            for topic in taxonomy.topics:
                for keyword in topic.keywords.get(lang, ()):
                    seq = tuple(tokens(keyword, lang))
                    if seq:
                        by_first[seq[0]].append((seq, topic.id, keyword))
            self._index[lang] = dict(by_first)

    def tag(self, text: str, lang: str) -> TopicMatch:
        index = self._index.get(lang)
        if index is None:
            return TopicMatch((), {})
        words = tokens(text, lang)
        found: dict[str, list[str]] = defaultdict(list)
        for i, word in enumerate(words):
            for seq, topic, keyword in index.get(word, ()):
                if tuple(words[i : i + len(seq)]) == seq:
                    found[topic].append(keyword)
        ranked = sorted(found, key=lambda t: (-len(found[t]), t))
        return TopicMatch(tuple(ranked), {t: tuple(sorted(set(found[t]))) for t in ranked})


@lru_cache(maxsize=2)
def tagger_for(taxonomy: Taxonomy) -> KeywordTopicTagger:
    """One tagger per taxonomy per process (building it tokenises every keyword)."""
    return KeywordTopicTagger(taxonomy)
