"""Put a model's sentiment and the topic matches together into score rows."""

from __future__ import annotations

import math
from collections.abc import Sequence

from pipeline.records import Article, ArticleScore
from pipeline.topics import TopicMatch


def article_text(article: Article) -> str:
    """What the models read: the headline, then the body."""
    return f"{article.title}\n{article.text}" if article.title else article.text


def combine(articles: Sequence[Article], labels: Sequence[str | None], scores: Sequence[float],
            matches: Sequence[TopicMatch], model_name: str, model_version: str,
            taxonomy_version: str) -> list[ArticleScore]:
    """One ArticleScore per article, in order; the inputs must be aligned."""
    if not len(articles) == len(labels) == len(scores) == len(matches):
        raise ValueError("articles, labels, scores and topic matches must be aligned")
    return [
        ArticleScore(
            article_id=article.id,
            day=article.day,
            sentiment_label=label,
            sentiment_score=None if label is None or math.isnan(score) else round(float(score), 4),
            topics=match.topics,
            topic_terms=match.terms,
            model_name=model_name,
            model_version=model_version,
            taxonomy_version=taxonomy_version,
        )
        for article, label, score, match in zip(articles, labels, scores, matches, strict=True)
    ]
