"""Topic tagging: taxonomy keywords matched as token sequences in the article's language, and the records of
the combined assignment (keywords + embedding prototypes, models/topic_model.py)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from pipeline.taxonomy import Taxonomy
from pipeline.tokenize import SUPPORTED, tokens


@dataclass(frozen=True)
class TopicMatch:
    topics: tuple[str, ...]  # most-evidenced first
    terms: dict[str, tuple[str, ...]]  # topic id -> the keywords found


class KeywordTopicTagger:
    """Finds each topic whose keywords occur in a text, tokenised the same way as the keywords."""

    CONTEXT = "\0context"  # marks a context word in the index (not a keyword: never reported)

    def __init__(self, taxonomy: Taxonomy):
        self.version = taxonomy.version
        self._taxonomy = taxonomy
        self._index: dict[str, dict[str, list[tuple[tuple[str, ...], str, str]]]] = {}
        self._weak: dict[str, set[tuple[str, str]]] = {}  # lang -> {(topic, keyword) needing context}

    def prepare(self, langs: Sequence[str] = SUPPORTED) -> None:
        """Index the keywords of `langs` now rather than at each language's first text (tokenising them loads
        that language's tokenizer: Sudachi, Kiwi)."""
        for lang in langs:
            self._indexed(lang)

    def _indexed(self, lang: str) -> dict[str, list[tuple[tuple[str, ...], str, str]]] | None:
        if lang not in SUPPORTED:
            return None
        if lang not in self._index:
            by_first: dict[str, list[tuple[tuple[str, ...], str, str]]] = defaultdict(list)
            for topic in self._taxonomy.topics:
                words = [(k, k) for k in topic.keywords.get(lang, ())]
                words += [(c, self.CONTEXT + c) for c in topic.context.get(lang, ())]
                for surface, keyword in words:
                    seq = tuple(tokens(surface, lang))
                    if seq:
                        by_first[seq[0]].append((seq, topic.id, keyword))
            self._weak[lang] = {(t.id, k) for t in self._taxonomy.topics for k in t.needs_context.get(lang, ())}
            self._index[lang] = dict(by_first)
        return self._index[lang]

    def tag(self, text: str, lang: str) -> TopicMatch:
        index = self._indexed(lang)
        if index is None:
            return TopicMatch((), {})
        words = tokens(text, lang)
        hits: dict[str, list[str]] = defaultdict(list)
        for i, word in enumerate(words):
            for seq, topic, keyword in index.get(word, ()):
                if tuple(words[i : i + len(seq)]) == seq:
                    hits[topic].append(keyword)
        weak = self._weak[lang]
        found: dict[str, list[str]] = {}
        for topic, keywords in hits.items():
            strong = [k for k in keywords if not k.startswith(self.CONTEXT) and (topic, k) not in weak]
            context = strong or any(k.startswith(self.CONTEXT) for k in keywords)
            kept = [k for k in keywords if not k.startswith(self.CONTEXT) and (context or (topic, k) not in weak)]
            if kept:
                found[topic] = kept
        ranked = sorted(found, key=lambda t: (-len(found[t]), t))
        return TopicMatch(tuple(ranked), {t: tuple(sorted(set(found[t]))) for t in ranked})


@lru_cache(maxsize=2)
def tagger_for(taxonomy: Taxonomy) -> KeywordTopicTagger:
    """One tagger per taxonomy per process (it tokenises each language's keywords at that language's first text)."""
    return KeywordTopicTagger(taxonomy)


@dataclass(frozen=True)
class TopicEvidence:
    """Why a topic was assigned: the combined confidence, the keywords found, the prototype cosine."""

    confidence: float
    keywords: tuple[str, ...]
    similarity: float | None  # None when assigned by keywords alone (no topic model)


@dataclass(frozen=True)
class TopicAssignment:
    topics: tuple[str, ...]  # most confident first
    evidence: dict[str, TopicEvidence]

    @property
    def terms(self) -> dict[str, tuple[str, ...]]:
        return {t: self.evidence[t].keywords for t in self.topics}


def keyword_counts(matches: Sequence[TopicMatch], topic_ids: Sequence[str]) -> np.ndarray:
    """(texts, topics) number of distinct keywords of each topic found in each text."""
    column = {t: j for j, t in enumerate(topic_ids)}
    counts = np.zeros((len(matches), len(topic_ids)))
    for i, match in enumerate(matches):
        for topic, found in match.terms.items():
            if topic in column:
                counts[i, column[topic]] = len(found)
    return counts


def assign(matches: Sequence[TopicMatch], confidences: np.ndarray, similarities: np.ndarray,
           topic_ids: Sequence[str], threshold: float) -> list[TopicAssignment]:
    """Each text's topics: those whose confidence reaches `threshold`, with their evidence."""
    out = []
    for i, match in enumerate(matches):
        chosen = [j for j in np.argsort(-confidences[i], kind="stable") if confidences[i, j] >= threshold]
        out.append(TopicAssignment(
            topics=tuple(topic_ids[j] for j in chosen),
            evidence={topic_ids[j]: TopicEvidence(round(float(confidences[i, j]), 4), match.terms.get(topic_ids[j], ()),
                                                  round(float(similarities[i, j]), 4)) for j in chosen}))
    return out


def keyword_only(match: TopicMatch) -> TopicAssignment:
    """The keyword tagger's topics as an assignment (confidence 1: no topic model involved)."""
    return TopicAssignment(match.topics, {t: TopicEvidence(1.0, match.terms[t], None) for t in match.topics})
