"""Daily indicators per topic × source country × target country × language (with 'all' roll-ups), and their
baselines."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import product

from pipeline.records import ALL, DailyIndicator, ScoredArticle

EVIDENCE_PER_ROW = 5


@dataclass(frozen=True)
class _Member:
    """An article as one indicator row sees it: with its sentiment toward the row's target."""

    article_id: str
    source: str
    label: str | None
    score: float | None


def aggregate_day(day: date, articles: Sequence[ScoredArticle], model_name: str) -> list[DailyIndicator]:
    """Indicators of one day; an article counts once in each of its topics and in 'all', and once under
    each country it talks about (with its sentiment toward that country) and under target 'all' (with its
    overall sentiment)."""
    groups: dict[tuple[str, str, str, str], list[_Member]] = defaultdict(list)
    for article in articles:
        views = [(ALL, article.sentiment_label, article.sentiment_score), *article.targets]
        for target, label, score in views:
            member = _Member(article.article_id, article.source, label, score)
            for topic, source, lang in product((*article.topics, ALL), (article.source_country, ALL),
                                               (article.lang, ALL)):
                groups[(topic, source, target, lang)].append(member)
    return [_indicator(day, key, members, model_name) for key, members in sorted(groups.items())]


def _indicator(day: date, key: tuple[str, str, str, str], members: list[_Member], model: str) -> DailyIndicator:
    scored = [m for m in members if m.label is not None]
    negative = [m for m in scored if m.label == "negative"]
    # evidence: the negative articles, most negative first, then the lowest-scored others (a volume surge
    # of neutral coverage still shows what drove it)
    ranked = sorted(scored, key=lambda m: (m.label != "negative", m.score))
    return DailyIndicator(
        day=day, topic=key[0], source_country=key[1], target_country=key[2], lang=key[3], model_name=model,
        n_articles=len(members),
        n_scored=len(scored),
        n_negative=len(negative),
        n_outlets=len({m.source for m in members}),
        mean_sentiment=statistics.fmean(m.score for m in scored) if scored else None,
        share_negative=len(negative) / len(scored) if scored else None,
        evidence=tuple(m.article_id for m in ranked[:EVIDENCE_PER_ROW]),
    )


def add_baselines(today: Sequence[DailyIndicator], history: Sequence[DailyIndicator],
                  observed_days: Sequence[date], min_days: int, std_floor: float) -> list[DailyIndicator]:
    """Each row with the trailing mean/std of its daily negative-article count and today's z-score.

    A day of the window on which the pipeline ran but a key had no article counts as zero for that
    key; with fewer than `min_days` such days the baseline is still warming up and z stays empty.
    """
    counts: dict[tuple, dict[date, int]] = defaultdict(dict)
    for row in history:
        counts[row.key][row.day] = row.n_negative
    out = []
    for row in today:
        series = [counts[row.key].get(day, 0) for day in observed_days]
        if len(series) < min_days:
            out.append(replace(row, baseline_days=len(series)))
            continue
        mean, std = statistics.fmean(series), statistics.pstdev(series)
        out.append(replace(row, baseline_mean=round(mean, 4), baseline_std=round(std, 4), baseline_days=len(series),
                           z_negative=round((row.n_negative - mean) / max(std, std_floor), 3)))
    return out


def indicators_of_day(day: date, scored: Sequence[ScoredArticle], history: Sequence[DailyIndicator],
                      observed_days: Sequence[date], model_name: str, window_days: int, min_days: int,
                      std_floor: float) -> list[DailyIndicator]:
    """The day's indicators with baseline columns over the last `window_days` of `history` (which may reach
    further back, for the alert rules)."""
    since = day - timedelta(days=window_days)
    return add_baselines(aggregate_day(day, scored, model_name), [h for h in history if h.day >= since],
                         [d for d in observed_days if d >= since], min_days, std_floor)
