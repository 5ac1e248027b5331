"""Daily indicators per topic × source country × language (with 'all' roll-ups), and their baselines."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from itertools import product

from pipeline.records import ALL, DailyIndicator, ScoredArticle

EVIDENCE_PER_ROW = 5


def aggregate_day(day: date, articles: Sequence[ScoredArticle], model_name: str) -> list[DailyIndicator]:
    """Indicators of one day; an article counts once in each of its topics and in 'all'."""
    groups: dict[tuple[str, str, str], list[ScoredArticle]] = defaultdict(list)
    for article in articles:
        for key in product((*article.topics, ALL), (article.source_country, ALL), (article.lang, ALL)):
            groups[key].append(article)
    return [_indicator(day, key, members, model_name) for key, members in sorted(groups.items())]


def _indicator(day: date, key: tuple[str, str, str], members: list[ScoredArticle], model: str) -> DailyIndicator:
    scored = [a for a in members if a.sentiment_label is not None]
    negative = [a for a in scored if a.sentiment_label == "negative"]
    # evidence: the negative articles, most negative first, then the lowest-scored others (a volume surge
    # of neutral coverage still shows what drove it)
    ranked = sorted(scored, key=lambda a: (a.sentiment_label != "negative", a.sentiment_score))
    return DailyIndicator(
        day=day, topic=key[0], source_country=key[1], lang=key[2], model_name=model,
        n_articles=len(members),
        n_scored=len(scored),
        n_negative=len(negative),
        n_outlets=len({a.source for a in members}),
        mean_sentiment=statistics.fmean(a.sentiment_score for a in scored) if scored else None,
        share_negative=len(negative) / len(scored) if scored else None,
        evidence=tuple(a.article_id for a in ranked[:EVIDENCE_PER_ROW]),
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
