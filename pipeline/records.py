"""Typed records passed between the stages: fetch → normalize → score → aggregate → alert."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

ALL = "all"  # the roll-up value of topic, source_country and lang in daily indicators


@dataclass(frozen=True)
class Article:
    """One unique article, normalised and language-identified (published_at is naive UTC)."""

    id: str
    url: str
    canonical_url: str
    source: str
    source_country: str
    lang: str
    published_at: datetime
    title: str
    text: str
    content_hash: str

    @property
    def day(self) -> date:
        return self.published_at.date()


@dataclass(frozen=True)
class Rejected:
    """An input row that could not become an Article, with the reason (goes to quarantine)."""

    id: str
    source_file: str
    line_no: int
    reason: str
    raw: str


@dataclass(frozen=True)
class ArticleScore:
    """Sentiment and topics of one article, by a named, versioned model."""

    article_id: str
    day: date
    sentiment_label: str | None  # None: language not supported by the model
    sentiment_score: float | None  # in [-1, 1]
    topics: tuple[str, ...]
    topic_terms: dict[str, tuple[str, ...]]
    model_name: str
    model_version: str
    taxonomy_version: str


@dataclass(frozen=True)
class ScoredArticle:
    """The facts aggregation needs about one scored article."""

    article_id: str
    day: date
    source: str
    source_country: str
    lang: str
    sentiment_label: str | None
    sentiment_score: float | None
    topics: tuple[str, ...]


@dataclass(frozen=True)
class DailyIndicator:
    """One day × topic × source country × language (any may be ALL) for one model."""

    day: date
    topic: str
    source_country: str
    lang: str
    model_name: str
    n_articles: int
    n_scored: int
    n_negative: int
    n_outlets: int
    mean_sentiment: float | None
    share_negative: float | None
    baseline_mean: float | None = None  # trailing mean of n_negative
    baseline_std: float | None = None
    baseline_days: int = 0
    z_negative: float | None = None  # z-score of today's n_negative against the trailing window
    evidence: tuple[str, ...] = ()  # most negative article ids of the day, most negative first

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.topic, self.source_country, self.lang, self.model_name)


@dataclass(frozen=True)
class RuleHit:
    """A rule fired for one day × topic × country."""

    day: date
    rule: str
    topic: str
    country: str
    model_name: str
    severity: str
    observed: float
    threshold: float
    baseline: float | None
    n_articles: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Alert:
    """An alert episode: opened by a rule hit, kept open by further hits, closed after calm days."""

    id: str
    rule: str
    topic: str
    country: str
    model_name: str
    day: date  # the day the episode opened
    last_hit_day: date
    closed_day: date | None
    status: str  # "open" or "closed"
    severity: str
    observed: float  # the peak observed value
    threshold: float
    baseline: float | None
    n_hit_days: int
    evidence: tuple[str, ...] = field(default=())
