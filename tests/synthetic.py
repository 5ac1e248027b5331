"""A small warehouse built in a test's tmp_path without models: synthetic scored articles with a planted
flare-up (Korean outlets on forced labour), processed day by day through the real aggregation, rules,
episode replay and warehouse writes — what the daily flow does, minus Prefect and the sentiment model."""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta
from pathlib import Path

from pipeline.aggregate import add_baselines, aggregate_day
from pipeline.alerts import History, evaluate, replay
from pipeline.records import Article, ArticleScore, SentenceScore
from tremor.settings import Settings
from warehouse import alerts as alert_store
from warehouse import store
from warehouse.db import connect

MODEL = "test.model.v1"
START = date(2025, 5, 1)
DAYS = 70
FLARE = (date(2025, 6, 30), date(2025, 7, 5))  # KR forced_labour, inclusive
OUTLETS = {"Hanbit Ilbo": ("KR", "ko"), "Gyeongin Sinmun": ("KR", "ko"), "Seoul Harbor Times": ("KR", "en"),
           "Tokai Shimpo": ("JP", "ja"), "Kanto Nichinichi": ("JP", "ja")}
TOPICS = ["summits_diplomacy", "people_exchange", "forced_labour", "export_controls"]
TONES = {"negative": -0.7, "neutral": 0.0, "positive": 0.6}


def _article(day: date, outlet: str, i: int, topic: str, tone: str, rng: random.Random):
    country, lang = OUTLETS[outlet]
    aid = f"{day:%m%d}-{outlet.split()[0].lower()}-{i:02d}"
    score = max(-1.0, min(1.0, TONES[tone] + rng.uniform(-0.2, 0.2)))
    title = f"{topic.replace('_', ' ')} story {aid} ({tone})"
    body = f"A {tone} sentence about {topic.replace('_', ' ')}."
    article = Article(aid, f"https://{outlet.split()[0].lower()}.example/{aid}",
                      f"https://{outlet.split()[0].lower()}.example/{aid}", outlet, country, lang,
                      datetime.combine(day, time(9, i % 60)), title, body, aid)
    scored = ArticleScore(aid, day, tone, round(score, 3), (topic,), {topic: (topic,)}, MODEL, "1", "t1")
    sentences = [SentenceScore(aid, day, 0, 0, len(title), title, tone, round(score, 3), None, MODEL, "1"),
                 SentenceScore(aid, day, 1, 0, len(body), body, tone, round(score - 0.1, 3), None, MODEL, "1")]
    return article, scored, sentences


def day_articles(day: date, rng: random.Random):
    out = []
    for outlet, (country, _) in OUTLETS.items():
        n = rng.randint(2, 5) if day.weekday() < 5 else rng.randint(1, 3)
        picks = [(rng.choice(TOPICS), rng.choices(list(TONES), [25, 50, 25])[0]) for _ in range(n)]
        if country == "KR" and FLARE[0] <= day <= FLARE[1]:
            picks += [("forced_labour", "negative" if rng.random() < 0.85 else "neutral") for _ in range(6)]
        out += [_article(day, outlet, i, topic, tone, rng) for i, (topic, tone) in enumerate(picks)]
    return out


def build_warehouse(path: Path, days: int = DAYS, seed: int = 7, resume_at: int = 0) -> Path:
    """Process the first `days` days from START; with `resume_at`, continue a warehouse built with the same seed
    up to that many days (the days before it are drawn again, the same articles, but not written)."""
    rng = random.Random(seed)
    settings = Settings()
    rules, close_after = settings.alerts.to_rules(), settings.alerts.close_after_days
    lookback = max(settings.alerts.history_days, 28)
    with connect(path) as con:
        for i, day in enumerate(START + timedelta(days=i) for i in range(days)):
            made = day_articles(day, rng)
            if i < resume_at:
                continue
            store.insert_articles(con, [a for a, _, _ in made])
            store.replace_scores(con, [day], MODEL, [s for _, s, _ in made], [x for _, _, ss in made for x in ss])
            process_day(con, day, rules, close_after, lookback)
    return path


def process_day(con, day: date, rules, close_after: int, lookback: int) -> None:
    start = day - timedelta(days=lookback)
    scored = store.scored_of_day(con, day, MODEL)
    history = store.indicators_between(con, start, day, MODEL)
    observed = store.processed_days_between(con, start, day, MODEL)
    indicators = add_baselines(aggregate_day(day, scored, MODEL), history, observed, 14, 1.0)
    hits = evaluate(day, indicators, History([*history, *indicators], [*observed, day]), rules)
    store.replace_day_results(con, day, MODEL, indicators, hits, len(scored))
    given = alert_store.replay_input(con, MODEL, day)
    result = replay(given.state, given.days, given.hits, close_after)
    alert_store.replace_episodes_from(con, MODEL, day, result.episodes, result.states, result.transitions)
