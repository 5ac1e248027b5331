"""Typed records passed between the stages: fetch → normalize → score → aggregate → alert."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import numpy as np

ALL = "all"  # the roll-up value of topic, source_country and lang in daily indicators


def utc_now() -> datetime:
    """Now as naive UTC: the convention of every timestamp in the records and the warehouse."""
    return datetime.now(UTC).replace(tzinfo=None)


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
    topic_model: str | None = None  # name@version of the topic model; None = keywords only
    topic_evidence: dict[str, dict] = field(default_factory=dict)  # topic -> confidence, keywords, similarity
    targets: tuple[ArticleTarget, ...] = ()
    probs: tuple[float, float, float] | None = None  # mean calibrated probabilities of its sentences


@dataclass(frozen=True)
class ArticleTarget:
    """Sentiment of one article toward one country it talks about: its sentences naming it, rolled up."""

    article_id: str
    day: date
    target_country: str
    n_sentences: int
    mentions: tuple[str, ...]  # the words that named the country
    label: str | None
    score: float | None
    probs: tuple[float, float, float] | None
    model_name: str
    model_version: str


@dataclass(frozen=True)
class SentenceScore:
    """Sentiment of one sentence of an article (the evidence behind the article's score)."""

    article_id: str
    day: date
    index: int  # 0 = the title when the article has one
    start: int  # character offsets into the title (index 0) or the body
    end: int
    text: str
    label: str | None
    score: float | None
    probs: tuple[float, float, float] | None  # negative, neutral, positive
    model_name: str
    model_version: str
    targets: tuple[str, ...] = ()  # countries the sentence is about


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
    targets: tuple[tuple[str, str | None, float | None], ...] = ()  # (country, label, score) toward it


@dataclass(frozen=True)
class DailyIndicator:
    """One day × topic × source country × target country × language (any may be ALL) for one model."""

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
    target_country: str = ALL  # the sentiment is toward this country ('all': the articles' overall sentiment)

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.topic, self.source_country, self.target_country, self.lang, self.model_name)


@dataclass(frozen=True)
class RuleHit:
    """A rule fired for one day × topic × source country (× target country): what it saw, against what."""

    day: date
    rule: str
    topic: str
    country: str  # source country
    model_name: str
    severity: str  # warning / critical
    observed: float  # the metric (threshold rules), a robust z-score (baseline) or a ratio to expected (volume)
    threshold: float  # the warning threshold, on the same scale as observed
    baseline: float | None  # trailing median of the metric (baseline) or of the topic's share (volume)
    n_articles: int
    evidence: tuple[str, ...]  # article ids, most negative first
    target_country: str = ALL
    kind: str = "threshold"  # threshold / baseline / volume
    metric: str = "share_negative"
    direction: str = "above"  # above: fires at observed >= threshold; below: at observed <= threshold
    spread: float | None = None  # scaled MAD of the trailing window (baseline rules)
    critical: float | None = None  # threshold of a critical alert
    value: float | None = None  # the metric's own value that day (for baseline rules, beside the z-score)
    n_negative: int = 0
    n_outlets: int = 0
    n_total: int = 0  # all articles of the source country that day (volume rule's denominator)
    history_days: int = 0  # points in the trailing window behind the baseline

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.rule, self.topic, self.country, self.target_country, self.model_name)

    @property
    def strength(self) -> float:
        """How far the hit is on the alarming side, comparable between hits of one rule."""
        return self.observed if self.direction == "above" else -self.observed


@dataclass(frozen=True)
class Alert:
    """An alert episode: opened by a rule hit, kept open by further hits, closed after calm run days.

    observed, baseline, spread and the counts are those of the peak hit; severity is the highest reached.
    """

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
    target_country: str = ALL
    kind: str = "threshold"
    metric: str = "share_negative"
    direction: str = "above"
    spread: float | None = None
    critical: float | None = None
    value: float | None = None
    n_articles: int = 0
    n_negative: int = 0
    n_outlets: int = 0
    n_total: int = 0
    peak_day: date | None = None
    calm_days: int = 0  # run days since the last hit

    @property
    def key(self) -> tuple[str, str, str, str, str]:
        return (self.rule, self.topic, self.country, self.target_country, self.model_name)


@dataclass(frozen=True)
class FeedItem:
    """One entry of a fetched feed or GDELT article list, as published, before cleaning."""

    source: str  # outlet name (registry) or, for GDELT results of unknown outlets, the web domain
    origin: str  # the feed or API URL it came from
    index: int  # position in that document (quarantine rows name it as the line)
    url: str | None
    title: str  # may hold HTML
    summary: str  # HTML or text as published; "" when the feed has none
    published: str | None  # as published; read with the outlet's timezone when it carries none
    lang: str | None = None  # declared by the feed or GDELT: a hint, the text decides
    country: str | None = None  # declared by GDELT (source country), for outlets not in the registry


@dataclass(frozen=True)
class FetchLogEntry:
    """What happened to one request: fetched, not modified, skipped, rejected or failed, and why."""

    source: str
    kind: str  # feed, page, gdelt
    url: str
    outcome: str  # fetched | not_modified | skipped | rejected | failed
    reason: str | None
    fetched_at: datetime  # naive UTC
    status: int | None = None  # HTTP status of the last response, if any
    items: int = 0  # feed entries / GDELT articles read, or 1 for a page whose text was extracted
    bytes: int = 0
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None  # after redirects
    elapsed_ms: int = 0


@dataclass(frozen=True)
class StoryCopy:
    """A near-duplicate (syndicated copy) of a stored story: not stored as an article, counted here."""

    story_id: str
    copy_id: str
    copy_url: str
    copy_source: str
    copy_country: str
    copy_published_at: datetime
    similarity: float  # estimated Jaccard similarity of character shingles


@dataclass(frozen=True)
class IrrelevantItem:
    """A fetched article matching no topic and no relevant country term: counted, not stored."""

    article_id: str
    source: str
    day: date


@dataclass(frozen=True)
class Transition:
    """A change of an alert episode on a run day: opened, escalated (severity rose) or closed."""

    alert_id: str
    day: date
    event: str  # opened / escalated / closed
    severity: str
    previous_severity: str | None
    hit: RuleHit | None  # the hit behind it; None when the episode closed


@dataclass(frozen=True)
class EvidenceSentence:
    """One scored sentence of an evidence article (sentence 0 is the title)."""

    sentence_no: int
    text: str
    label: str | None
    score: float | None


@dataclass(frozen=True)
class EvidenceArticle:
    """An article behind an alert, with its score, outlet and most negative sentences."""

    article_id: str
    day: date
    source: str
    source_country: str
    lang: str
    title: str
    url: str
    label: str | None
    score: float | None
    sentences: tuple[EvidenceSentence, ...] = ()


@dataclass(frozen=True)
class Notice:
    """What one notification says: the transition, the episode as it stands, and the articles behind it."""

    transition: Transition
    alert: Alert
    evidence: tuple[EvidenceArticle, ...] = ()


@dataclass(frozen=True)
class DeliveryAttempt:
    """One try to deliver a notice on a channel, as written to the delivery log."""

    alert_id: str
    event: str
    day: date  # the transition's day
    channel: str
    attempt: int
    status: str  # sent / failed / skipped
    error: str | None
    at: datetime  # naive UTC


@dataclass(frozen=True)
class TimelineEvent:
    """A dated real-world event for the backtest (topic and country narrow the match when given)."""

    day: date
    description: str
    direction: str  # raised / lowered (tension)
    source: str
    topic: str | None = None
    country: str | None = None


@dataclass(frozen=True)
class EventMatch:
    """An event and the first alert episode of a rule that caught it (lag = alert day - event day)."""

    event: TimelineEvent
    rule: str
    alert_id: str | None
    alert_day: date | None

    @property
    def lag_days(self) -> int | None:
        return (self.alert_day - self.event.day).days if self.alert_day else None


@dataclass(frozen=True)
class RuleScore:
    """How one rule did against the timeline: events caught, unmatched alerts, precision and recall."""

    rule: str
    n_alerts: int
    n_matched_alerts: int
    n_events: int
    n_caught: int
    lags: tuple[int, ...]  # of the caught events, in event order
    unmatched: tuple[Alert, ...]

    @property
    def precision(self) -> float | None:
        return self.n_matched_alerts / self.n_alerts if self.n_alerts else None

    @property
    def recall(self) -> float | None:
        return self.n_caught / self.n_events if self.n_events else None


@dataclass(frozen=True, eq=False)
class ArticleVectors:
    """Unit embeddings of articles' headline and lead by one encoder, row i for article_ids[i]."""

    model_name: str
    article_ids: tuple[str, ...]
    days: tuple[date, ...]
    vectors: np.ndarray  # (n, dim) float32
