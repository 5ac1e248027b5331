"""Alert rules over daily indicators, and the grouping of daily hits into episodes."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from pipeline.records import ALL, Alert, DailyIndicator, RuleHit

SEVERITY_ORDER = {"warning": 1, "critical": 2}
MAX_EVIDENCE = 10


@dataclass(frozen=True)
class ThresholdRule:
    """Share of negative articles at or above `min_share`, with at least `min_articles` scored."""

    min_share: float = 0.6
    min_articles: int = 8
    critical_share: float = 0.8
    name: str = "share_negative"


@dataclass(frozen=True)
class BaselineRule:
    """Negative-article count `z_min` trailing standard deviations above its mean, and at least `min_negative`."""

    z_min: float = 3.0
    min_negative: int = 5
    critical_z: float = 6.0
    name: str = "negative_surge"


def evaluate(indicators: Sequence[DailyIndicator], threshold: ThresholdRule, baseline: BaselineRule) -> list[RuleHit]:
    """Hits of the day, per topic × source country (all languages together)."""
    hits = []
    for row in indicators:
        if row.topic == ALL or row.source_country == ALL or row.lang != ALL:
            continue
        if row.share_negative is not None and row.n_scored >= threshold.min_articles \
                and row.share_negative >= threshold.min_share:
            severity = "critical" if row.share_negative >= threshold.critical_share else "warning"
            hits.append(_hit(row, threshold.name, severity, row.share_negative, threshold.min_share, None))
        if row.z_negative is not None and row.n_negative >= baseline.min_negative and row.z_negative >= baseline.z_min:
            severity = "critical" if row.z_negative >= baseline.critical_z else "warning"
            hits.append(_hit(row, baseline.name, severity, row.z_negative, baseline.z_min, row.baseline_mean))
    return hits


def _hit(row: DailyIndicator, rule: str, severity: str, observed: float, threshold: float,
         baseline: float | None) -> RuleHit:
    return RuleHit(day=row.day, rule=rule, topic=row.topic, country=row.source_country, model_name=row.model_name,
                   severity=severity, observed=round(observed, 4), threshold=threshold, baseline=baseline,
                   n_articles=row.n_scored, evidence=row.evidence)


def build_episodes(hits: Sequence[RuleHit], processed_days: Sequence[date], close_after: int) -> list[Alert]:
    """Consecutive hits of a rule × topic × country are one episode; `close_after` calm run days close it."""
    days = sorted(set(processed_days))
    by_key: dict[tuple, list[RuleHit]] = defaultdict(list)
    for hit in sorted(hits, key=lambda h: h.day):
        by_key[(hit.rule, hit.topic, hit.country, hit.model_name)].append(hit)
    episodes = []
    for key_hits in by_key.values():
        current: list[RuleHit] = []
        for hit in key_hits:
            if current and _calm_days(days, current[-1].day, hit.day) >= close_after:
                episodes.append(_episode(current, days, close_after))
                current = []
            current.append(hit)
        episodes.append(_episode(current, days, close_after))
    return sorted(episodes, key=lambda a: (a.day, a.rule, a.topic, a.country))


def _calm_days(days: list[date], after: date, before: date) -> int:
    return sum(1 for d in days if after < d < before)


def _episode(hits: list[RuleHit], days: list[date], close_after: int) -> Alert:
    first, last = hits[0], hits[-1]
    later = [d for d in days if d > last.day]
    closed_day = later[close_after - 1] if len(later) >= close_after else None
    peak = max(hits, key=lambda h: h.observed)
    evidence = list(dict.fromkeys([*peak.evidence, *(e for h in hits for e in h.evidence)]))[:MAX_EVIDENCE]
    ident = hashlib.sha256(f"{first.rule}|{first.topic}|{first.country}|{first.model_name}|{first.day}".encode())
    return Alert(
        id=ident.hexdigest()[:16], rule=first.rule, topic=first.topic, country=first.country,
        model_name=first.model_name, day=first.day, last_hit_day=last.day, closed_day=closed_day,
        status="closed" if closed_day else "open",
        severity=max((h.severity for h in hits), key=SEVERITY_ORDER.__getitem__),
        observed=peak.observed, threshold=first.threshold, baseline=peak.baseline, n_hit_days=len(hits),
        evidence=tuple(evidence),
    )


def opened_on(alerts: Sequence[Alert], day: date) -> list[Alert]:
    """The episodes that opened on `day`: the ones to notify about."""
    return [alert for alert in alerts if alert.day == day]
