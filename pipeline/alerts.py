"""Alert rules over daily indicators, and the episode state machine that turns daily hits into alerts.

Three kinds of rule, each scoped to topics × source countries × target countries ("*" = each value on
its own, "all" = the roll-up row, or named values):

- ThresholdRule: a metric of the day (share negative, mean sentiment, volume) past a fixed threshold;
- BaselineRule: the metric's robust z-score (median / scaled MAD) against a trailing window, optionally
  only the same weekday, silent until the window holds `min_history` points;
- VolumeRule: the topic's share of all the source country's coverage that day against its trailing
  median share, so that a busy news day is not a flare-up.

An episode opens on a hit, escalates when a later hit is more severe, and closes after `close_after`
calm run days. `advance` moves the open episodes by one run day; `replay` does it over a range.
"""

from __future__ import annotations

import bisect
import hashlib
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import ClassVar, Protocol

from pipeline.records import ALL, Alert, DailyIndicator, RuleHit, Transition

WILDCARD = "*"
SEVERITY_ORDER = {"warning": 1, "critical": 2}
MAX_EVIDENCE = 10
MAD_SCALE = 1.4826  # scaled MAD estimates the standard deviation of normal data
COUNT_METRICS = ("n_articles", "n_negative")  # a run day without a row counts as zero
METRICS = ("share_negative", "mean_sentiment", *COUNT_METRICS)
SEASONALITIES = ("none", "weekday", "weekpart")


class RuleConfigError(ValueError):
    """A rule's settings cannot work; the message names the rule and the fix."""


@dataclass(frozen=True)
class Scope:
    """Which indicator rows a rule watches: topic × source country × target country."""

    topics: tuple[str, ...] = (WILDCARD,)
    source_countries: tuple[str, ...] = (WILDCARD,)
    target_countries: tuple[str, ...] = (ALL,)

    def covers(self, topic: str, source_country: str, target_country: str = ALL) -> bool:
        return (_allowed(self.topics, topic) and _allowed(self.source_countries, source_country)
                and _allowed(self.target_countries, target_country))


def _allowed(values: tuple[str, ...], value: str) -> bool:
    return value in values or (WILDCARD in values and value != ALL)


class History:
    """Indicator rows (all languages together) of run days, indexed for trailing windows."""

    def __init__(self, rows: Iterable[DailyIndicator], run_days: Iterable[date]):
        self._rows: dict[tuple[str, str, str, str], dict[date, DailyIndicator]] = defaultdict(dict)
        for row in rows:
            if row.lang == ALL:
                self._rows[(row.topic, row.source_country, row.target_country, row.model_name)][row.day] = row
        self._days = sorted(set(run_days))

    def row(self, topic: str, country: str, model: str, day: date, target: str = ALL) -> DailyIndicator | None:
        return self._rows.get((topic, country, target, model), {}).get(day)

    def window(self, day: date, days: int, seasonality: str) -> list[date]:
        """Run days in [day - days, day), of the same weekday (or weekday/weekend part) when asked."""
        start = bisect.bisect_left(self._days, day - timedelta(days=days))
        window = self._days[start:bisect.bisect_left(self._days, day)]
        return [d for d in window if _same_season(d, day, seasonality)]

    def series(self, row: DailyIndicator, metric: str, days: list[date]) -> list[float]:
        """The metric of the row's topic × country on each of `days` (count metrics: 0 when absent)."""
        out = []
        for day in days:
            past = self.row(row.topic, row.source_country, row.model_name, day, row.target_country)
            value = metric_value(past, metric) if past else (0.0 if metric in COUNT_METRICS else None)
            if value is not None:
                out.append(value)
        return out

    def shares(self, row: DailyIndicator, days: list[date]) -> list[float]:
        """The topic's share of all the source country's articles on each of `days` that had any."""
        out = []
        for day in days:
            total = self.row(ALL, row.source_country, row.model_name, day)
            if total and total.n_articles:
                past = self.row(row.topic, row.source_country, row.model_name, day, row.target_country)
                out.append((past.n_articles if past else 0) / total.n_articles)
        return out


def _same_season(day: date, other: date, seasonality: str) -> bool:
    if seasonality == "weekday":
        return day.weekday() == other.weekday()
    if seasonality == "weekpart":
        return (day.weekday() >= 5) == (other.weekday() >= 5)
    return True


def metric_value(row: DailyIndicator, metric: str) -> float | None:
    value = getattr(row, metric)
    return None if value is None else float(value)


def robust_center(values: Sequence[float], floor: float) -> tuple[float, float]:
    """Median and scaled MAD (at least `floor`) of a window."""
    median = statistics.median(values)
    mad = statistics.median(abs(v - median) for v in values)
    return median, max(MAD_SCALE * mad, floor)


class Rule(Protocol):
    name: str
    kind: str
    scope: Scope

    def check(self, row: DailyIndicator, history: History) -> RuleHit | None: ...


@dataclass(frozen=True)
class ThresholdRule:
    """A metric of the day at or past `warning` (critical from `critical`), with enough articles and outlets."""

    name: str = "share_negative"
    metric: str = "share_negative"
    direction: str = "above"
    warning: float = 0.6
    critical: float | None = 0.8
    min_articles: int = 8
    min_outlets: int = 1
    scope: Scope = field(default_factory=Scope)
    kind: ClassVar[str] = "threshold"

    def __post_init__(self) -> None:
        _validate(self.name, self.metric, self.direction, self.warning, self.critical)

    def check(self, row: DailyIndicator, history: History) -> RuleHit | None:
        value = metric_value(row, self.metric)
        if value is None or not _enough(row, self.min_articles, self.min_outlets):
            return None
        severity = _severity(value, self.warning, self.critical, self.direction)
        return severity and _hit(self, row, severity, value, self.warning, value=value)


@dataclass(frozen=True)
class BaselineRule:
    """The metric's robust z-score against its trailing window at or past `warning` standard units."""

    name: str = "negative_surge"
    metric: str = "n_negative"
    direction: str = "above"
    warning: float = 4.0
    critical: float | None = 8.0
    min_value: float | None = 6  # the metric itself must reach this too (e.g. 6 negative articles)
    min_articles: int = 1
    min_outlets: int = 2
    window_days: int = 56
    min_history: int = 4
    seasonality: str = "weekday"
    spread_floor: float = 1.0  # lower bound of the scaled MAD, in the metric's unit
    scope: Scope = field(default_factory=Scope)
    kind: ClassVar[str] = "baseline"

    def __post_init__(self) -> None:
        _validate(self.name, self.metric, self.direction, self.warning, self.critical)
        if self.seasonality not in SEASONALITIES:
            raise RuleConfigError(f"rule {self.name}: seasonality must be one of {', '.join(SEASONALITIES)}")
        if self.window_days < 1 or self.min_history < 2:
            raise RuleConfigError(f"rule {self.name}: window_days must be ≥ 1 and min_history ≥ 2")

    def check(self, row: DailyIndicator, history: History) -> RuleHit | None:
        value = metric_value(row, self.metric)
        if value is None or not _enough(row, self.min_articles, self.min_outlets):
            return None
        if self.min_value is not None and _severity(value, self.min_value, None, self.direction) is None:
            return None
        series = history.series(row, self.metric, history.window(row.day, self.window_days, self.seasonality))
        if len(series) < self.min_history:
            return None  # still warming up
        median, spread = robust_center(series, self.spread_floor)
        z = (value - median) / spread
        threshold = self.warning if self.direction == "above" else -self.warning
        critical = None if self.critical is None else (self.critical if self.direction == "above" else -self.critical)
        severity = _severity(z, threshold, critical, self.direction)
        return severity and _hit(self, row, severity, z, threshold, baseline=median, spread=spread, value=value,
                                 critical=critical, history_days=len(series))


@dataclass(frozen=True)
class VolumeRule:
    """The topic's article count against what its trailing share of the country's coverage predicts.

    expected = today's articles of the source country (all topics) × the topic's median share over the
    window (at least `min_expected`); the rule fires when articles / expected ≥ `warning`.
    """

    name: str = "volume_surge"
    warning: float = 3.0
    critical: float | None = 6.0
    min_articles: int = 8
    min_outlets: int = 2
    window_days: int = 28
    min_history: int = 14
    seasonality: str = "none"
    min_expected: float = 1.0
    scope: Scope = field(default_factory=Scope)
    kind: ClassVar[str] = "volume"
    metric: ClassVar[str] = "n_articles"
    direction: ClassVar[str] = "above"

    def __post_init__(self) -> None:
        _validate(self.name, self.metric, self.direction, self.warning, self.critical)
        if self.seasonality not in SEASONALITIES:
            raise RuleConfigError(f"rule {self.name}: seasonality must be one of {', '.join(SEASONALITIES)}")

    def check(self, row: DailyIndicator, history: History) -> RuleHit | None:
        total = history.row(ALL, row.source_country, row.model_name, row.day)
        if not total or not total.n_articles or not _enough(row, self.min_articles, self.min_outlets, scored=False):
            return None
        shares = history.shares(row, history.window(row.day, self.window_days, self.seasonality))
        if len(shares) < self.min_history:
            return None
        median = statistics.median(shares)
        ratio = row.n_articles / max(total.n_articles * median, self.min_expected)
        severity = _severity(ratio, self.warning, self.critical, self.direction)
        return severity and _hit(self, row, severity, ratio, self.warning, baseline=median, value=row.n_articles,
                                 n_total=total.n_articles, history_days=len(shares))


def _validate(name: str, metric: str, direction: str, warning: float, critical: float | None) -> None:
    if metric not in METRICS:
        raise RuleConfigError(f"rule {name}: metric {metric!r} is not one of {', '.join(METRICS)}")
    if direction not in ("above", "below"):
        raise RuleConfigError(f"rule {name}: direction must be 'above' or 'below', not {direction!r}")
    if critical is not None and (critical < warning if direction == "above" else critical > warning):
        raise RuleConfigError(f"rule {name}: critical ({critical}) must be at or beyond warning ({warning}) "
                              f"in the rule's direction ({direction})")


def _enough(row: DailyIndicator, min_articles: int, min_outlets: int, scored: bool = True) -> bool:
    """Enough articles (scored ones, for tone metrics) and outlets behind a row."""
    return (row.n_scored if scored else row.n_articles) >= min_articles and row.n_outlets >= min_outlets


def _severity(value: float, warning: float, critical: float | None, direction: str) -> str | None:
    beyond = (lambda limit: value >= limit) if direction == "above" else (lambda limit: value <= limit)
    if critical is not None and beyond(critical):
        return "critical"
    return "warning" if beyond(warning) else None


def _hit(rule, row: DailyIndicator, severity: str, observed: float, threshold: float, **extra) -> RuleHit:
    extra.setdefault("critical", rule.critical)
    return RuleHit(day=row.day, rule=rule.name, topic=row.topic, country=row.source_country,
                   model_name=row.model_name, severity=severity, observed=round(observed, 4), threshold=threshold,
                   baseline=extra.pop("baseline", None), n_articles=row.n_articles, evidence=row.evidence,
                   kind=rule.kind, metric=rule.metric, direction=rule.direction, n_negative=row.n_negative,
                   n_outlets=row.n_outlets, target_country=row.target_country, **extra)


def evaluate(day: date, today: Sequence[DailyIndicator], history: History, rules: Sequence[Rule]) -> list[RuleHit]:
    """The day's hits of every rule on every row in its scope (rows of all languages together).

    `history` holds the trailing days and, for the volume rule's day totals, the day itself.
    """
    hits = []
    for row in today:
        if row.lang != ALL or row.day != day:
            continue
        for rule in rules:
            if rule.scope.covers(row.topic, row.source_country, row.target_country):
                hit = rule.check(row, history)
                if hit:
                    hits.append(hit)
    return hits


# --- episodes -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Replay:
    """The result of running the episode state machine over run days."""

    episodes: list[Alert]  # every episode touched, as it stands after the last day
    states: list[tuple[date, Alert]]  # the episodes open at the end of each run day
    transitions: list[Transition]


def advance(open_episodes: Sequence[Alert], day: date, hits: Sequence[RuleHit],
            close_after: int) -> tuple[list[Alert], list[Transition]]:
    """One run day: a hit opens or extends its key's episode, a calm day counts toward closing it.

    Returns every episode open before or touched on `day`, as it stands after it, and the transitions.
    """
    episodes = {a.key: a for a in open_episodes}
    today = {h.key: h for h in hits}
    out, transitions = [], []
    for key in sorted(episodes.keys() | today.keys()):
        episode, hit = episodes.get(key), today.get(key)
        if hit and episode is None:
            new = _open(hit)
            transitions.append(Transition(new.id, day, "opened", new.severity, None, hit))
        elif hit:
            new = _extend(episode, hit)
            if SEVERITY_ORDER[new.severity] > SEVERITY_ORDER[episode.severity]:
                transitions.append(Transition(new.id, day, "escalated", new.severity, episode.severity, hit))
        else:
            new = _calm(episode, day, close_after)
            if new.status == "closed":
                transitions.append(Transition(new.id, day, "closed", new.severity, new.severity, None))
        out.append(new)
    return out, transitions


def replay(state: Sequence[Alert], days: Sequence[date], hits: Sequence[RuleHit], close_after: int) -> Replay:
    """Run `advance` over the run days in order, from the episodes open before the first of them."""
    by_day: dict[date, list[RuleHit]] = defaultdict(list)
    for hit in hits:
        by_day[hit.day].append(hit)
    current = [a for a in state if a.status == "open"]
    final = {a.id: a for a in current}
    states, transitions = [], []
    for day in sorted(set(days)):
        changed, moved = advance(current, day, by_day.get(day, ()), close_after)
        final.update((a.id, a) for a in changed)
        current = [a for a in changed if a.status == "open"]
        states.extend((day, a) for a in current)
        transitions.extend(moved)
    return Replay(sorted(final.values(), key=lambda a: (a.day, a.rule, a.topic, a.country)), states, transitions)


def build_episodes(hits: Sequence[RuleHit], processed_days: Sequence[date], close_after: int) -> list[Alert]:
    """All episodes of a set of hits, replayed from nothing over the run days."""
    return replay((), processed_days, hits, close_after).episodes


def episode_id(hit: RuleHit) -> str:
    """Stable: rule, topic, source country, (target country,) model and opening day."""
    parts = [hit.rule, hit.topic, hit.country, hit.model_name, str(hit.day)]
    if hit.target_country != ALL:
        parts.append(hit.target_country)
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def _open(hit: RuleHit) -> Alert:
    return Alert(
        id=episode_id(hit), rule=hit.rule, topic=hit.topic, country=hit.country, model_name=hit.model_name,
        day=hit.day, last_hit_day=hit.day, closed_day=None, status="open", severity=hit.severity,
        threshold=hit.threshold, n_hit_days=1,
        evidence=hit.evidence[:MAX_EVIDENCE], target_country=hit.target_country, kind=hit.kind, metric=hit.metric,
        direction=hit.direction, **_peak_fields(hit))


def _peak_fields(hit: RuleHit) -> dict:
    return dict(observed=hit.observed, baseline=hit.baseline, spread=hit.spread, critical=hit.critical,
                value=hit.value, n_articles=hit.n_articles, n_negative=hit.n_negative, n_outlets=hit.n_outlets,
                n_total=hit.n_total, peak_day=hit.day)


def _extend(episode: Alert, hit: RuleHit) -> Alert:
    severity = max(episode.severity, hit.severity, key=SEVERITY_ORDER.__getitem__)
    peak = hit.strength > (episode.observed if episode.direction == "above" else -episode.observed)
    first, second = (hit.evidence, episode.evidence) if peak else (episode.evidence, hit.evidence)
    evidence = tuple(dict.fromkeys([*first, *second]))[:MAX_EVIDENCE]
    updated = replace(episode, last_hit_day=hit.day, calm_days=0, n_hit_days=episode.n_hit_days + 1,
                      severity=severity, evidence=evidence)
    return replace(updated, **_peak_fields(hit)) if peak else updated


def _calm(episode: Alert, day: date, close_after: int) -> Alert:
    calm = episode.calm_days + 1
    if calm >= close_after:
        return replace(episode, calm_days=calm, status="closed", closed_day=day)
    return replace(episode, calm_days=calm)


def to_notify(transitions: Sequence[Transition]) -> list[Transition]:
    """Openings and escalations: a repeat hit or a close is not news."""
    return [t for t in transitions if t.event in ("opened", "escalated")]
