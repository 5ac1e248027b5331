"""Put a model's sentiment and the topic matches together into score rows."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from pipeline.records import Article, ArticleScore, SentenceScore
from pipeline.sentences import ArticleSentiment, Sentence
from pipeline.topics import TopicMatch


def article_text(article: Article) -> str:
    """What the models read: the headline, then the body."""
    return f"{article.title}\n{article.text}" if article.title else article.text


def combine(articles: Sequence[Article], sentiments: Sequence[ArticleSentiment],
            matches: Sequence[TopicMatch], model_name: str, model_version: str,
            taxonomy_version: str) -> list[ArticleScore]:
    """One ArticleScore per article, in order; the inputs must be aligned."""
    if not len(articles) == len(sentiments) == len(matches):
        raise ValueError("articles, sentiments and topic matches must be aligned")
    return [
        ArticleScore(
            article_id=article.id,
            day=article.day,
            sentiment_label=sentiment.label,
            sentiment_score=_rounded(sentiment.score) if sentiment.label is not None else None,
            topics=match.topics,
            topic_terms=match.terms,
            model_name=model_name,
            model_version=model_version,
            taxonomy_version=taxonomy_version,
        )
        for article, sentiment, match in zip(articles, sentiments, matches, strict=True)
    ]


def sentence_scores(sentences: Sequence[Sentence], day_of: dict[str, object], labels: Sequence[str | None],
                    scores: Sequence[float], probs: np.ndarray | None, model_name: str,
                    model_version: str) -> list[SentenceScore]:
    """One SentenceScore per sentence, in order; `day_of` maps article id -> day."""
    return [
        SentenceScore(
            article_id=s.article_id, day=day_of[s.article_id], index=s.index, start=s.start, end=s.end,
            text=s.text, label=label, score=_rounded(score) if label is not None else None,
            probs=None if probs is None or label is None else tuple(_rounded(p) for p in probs[i]),
            model_name=model_name, model_version=model_version)
        for i, (s, label, score) in enumerate(zip(sentences, labels, scores, strict=True))
    ]


def _rounded(value: float) -> float | None:
    return None if math.isnan(value) else round(float(value), 4)
