"""Put a model's sentiment, the topic assignments and the country targets together into score rows."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from pipeline.records import Article, ArticleScore, ArticleTarget, SentenceScore
from pipeline.sentences import ArticleSentiment, Sentence, roll_up_groups
from pipeline.targets import Mention
from pipeline.topics import TopicAssignment


def article_text(article: Article) -> str:
    """What the models read: the headline, then the body."""
    return f"{article.title}\n{article.text}" if article.title else article.text


def combine(articles: Sequence[Article], sentiments: Sequence[ArticleSentiment],
            assignments: Sequence[TopicAssignment], model_name: str, model_version: str, taxonomy_version: str,
            topic_model: str | None = None,
            targets: dict[str, tuple[ArticleTarget, ...]] | None = None) -> list[ArticleScore]:
    """One ArticleScore per article, in order; the inputs must be aligned."""
    if not len(articles) == len(sentiments) == len(assignments):
        raise ValueError("articles, sentiments and topic assignments must be aligned")
    return [
        ArticleScore(
            article_id=article.id,
            day=article.day,
            sentiment_label=sentiment.label,
            sentiment_score=_rounded(sentiment.score) if sentiment.label is not None else None,
            topics=assigned.topics,
            topic_terms=assigned.terms,
            model_name=model_name,
            model_version=model_version,
            taxonomy_version=taxonomy_version,
            topic_model=topic_model,
            topic_evidence={t: {"confidence": e.confidence, "keywords": list(e.keywords), "similarity": e.similarity}
                            for t, e in assigned.evidence.items()},
            targets=(targets or {}).get(article.id, ()),
            probs=sentiment.probs,
        )
        for article, sentiment, assigned in zip(articles, sentiments, assignments, strict=True)
    ]


def sentence_scores(sentences: Sequence[Sentence], day_of: dict[str, object], labels: Sequence[str | None],
                    scores: Sequence[float], probs: np.ndarray | None, model_name: str,
                    model_version: str, targets: Sequence[tuple[str, ...]] | None = None) -> list[SentenceScore]:
    """One SentenceScore per sentence, in order; `day_of` maps article id -> day; `targets` the countries
    each sentence is about."""
    return [
        SentenceScore(
            article_id=s.article_id, day=day_of[s.article_id], index=s.index, start=s.start, end=s.end,
            text=s.text, label=label, score=_rounded(score) if label is not None else None,
            probs=None if probs is None or label is None else tuple(_rounded(p) for p in probs[i]),
            model_name=model_name, model_version=model_version, targets=targets[i] if targets else ())
        for i, (s, label, score) in enumerate(zip(sentences, labels, scores, strict=True))
    ]


def article_targets(sentences: Sequence[Sentence], mentions: Sequence[Sequence[Mention]],
                    day_of: dict[str, object], labels: Sequence[str | None], scores: Sequence[float],
                    probs: np.ndarray | None, model_name: str, model_version: str
                    ) -> dict[str, tuple[ArticleTarget, ...]]:
    """Per article, its sentiment toward each country its sentences name: those sentences rolled up."""
    groups: dict[tuple[str, str], list[int]] = {}
    words: dict[tuple[str, str], set[str]] = {}
    for i, (sentence, found) in enumerate(zip(sentences, mentions, strict=True)):
        for mention in found:
            key = (sentence.article_id, mention.country)
            if i not in groups.setdefault(key, []):
                groups[key].append(i)
            words.setdefault(key, set()).add(mention.text)
    keys = sorted(groups)
    rolled = roll_up_groups([groups[key] for key in keys], labels, scores, probs)
    out: dict[str, list[ArticleTarget]] = {}
    for (article_id, country), sentiment in zip(keys, rolled, strict=True):
        out.setdefault(article_id, []).append(ArticleTarget(
            article_id=article_id, day=day_of[article_id], target_country=country,
            n_sentences=len(groups[(article_id, country)]), mentions=tuple(sorted(words[(article_id, country)])),
            label=sentiment.label, score=_rounded(sentiment.score) if sentiment.label is not None else None,
            probs=None if sentiment.probs is None else tuple(_rounded(p) for p in sentiment.probs),
            model_name=model_name, model_version=model_version))
    return {article_id: tuple(found) for article_id, found in out.items()}


def _rounded(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)
