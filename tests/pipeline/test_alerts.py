from datetime import date, timedelta

from pipeline.aggregate import add_baselines, aggregate_day
from pipeline.alerts import BaselineRule, ThresholdRule, build_episodes, evaluate
from pipeline.records import RuleHit, ScoredArticle

D0 = date(2025, 7, 1)


def hit(day: date) -> RuleHit:
    return RuleHit(day, "share_negative", "forced_labour", "KR", "m", "warning", 0.7, 0.6, None, 9, ("a",))


def test_an_alert_opens_continues_across_a_short_gap_and_closes_after_calm_days():
    days = [D0 + timedelta(days=i) for i in range(12)]
    hits = [hit(days[2]), hit(days[3]), hit(days[5])]  # one calm day inside: same episode
    [episode] = build_episodes(hits, days, close_after=3)
    assert (episode.day, episode.last_hit_day, episode.n_hit_days) == (days[2], days[5], 3)
    assert episode.status == "closed" and episode.closed_day == days[8]


def test_an_episode_stays_open_until_enough_calm_days_have_run_and_a_new_burst_is_a_new_episode():
    days = [D0 + timedelta(days=i) for i in range(6)]
    [still_open] = build_episodes([hit(days[4])], days, close_after=3)
    assert still_open.status == "open" and still_open.closed_day is None
    more = [D0 + timedelta(days=i) for i in range(20)]
    first, second = build_episodes([hit(more[1]), hit(more[10])], more, close_after=3)
    assert first.status == "closed" and second.day == more[10] and first.id != second.id


def articles(day, n, negative, topic="forced_labour", country="KR"):
    return [ScoredArticle(f"{day}-{i}", day, f"outlet{i % 3}", country, "ko",
                          "negative" if i < negative else "neutral", -0.5 if i < negative else 0.0, (topic,))
            for i in range(n)]


def test_threshold_and_baseline_rules_fire_on_a_hostile_burst_only():
    history_days = [D0 + timedelta(days=i) for i in range(20)]
    history = [row for d in history_days for row in aggregate_day(d, articles(d, 2, 1 if d.day % 4 == 0 else 0), "m")]
    calm_day, burst_day = D0 + timedelta(days=20), D0 + timedelta(days=21)
    threshold, baseline = ThresholdRule(), BaselineRule()
    calm = add_baselines(aggregate_day(calm_day, articles(calm_day, 3, 1), "m"), history, history_days, 14, 1.0)
    assert evaluate(calm, threshold, baseline) == []
    burst = add_baselines(aggregate_day(burst_day, articles(burst_day, 12, 10), "m"), history, history_days, 14, 1.0)
    fired = {(h.rule, h.topic, h.country) for h in evaluate(burst, threshold, baseline)}
    assert fired == {("share_negative", "forced_labour", "KR"), ("negative_surge", "forced_labour", "KR")}


def test_baseline_waits_for_its_warm_up():
    rows = aggregate_day(D0, articles(D0, 12, 10), "m")
    warm = add_baselines(rows, [], [D0 - timedelta(days=1)] * 3, min_days=14, std_floor=1.0)
    assert all(r.z_negative is None for r in warm)
