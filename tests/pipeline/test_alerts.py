from datetime import date, timedelta

import pytest

from pipeline.aggregate import add_baselines, aggregate_day
from pipeline.alerts import (BaselineRule, History, RuleConfigError, Scope, ThresholdRule, VolumeRule, advance,
                             build_episodes, evaluate, replay, to_notify)
from pipeline.records import ALL, RuleHit, ScoredArticle

D0 = date(2025, 7, 7)  # a Monday


def hit(day: date, severity: str = "warning", observed: float = 0.7, topic: str = "forced_labour") -> RuleHit:
    return RuleHit(day, "share_negative", topic, "KR", "m", severity, observed, 0.6, None, 9, (f"a-{day}",))


def articles(day, counts: dict[str, tuple[int, int]], country="KR", outlets=3) -> list[ScoredArticle]:
    """counts: topic -> (articles, negative ones)."""
    out = []
    for topic, (n, negative) in counts.items():
        out += [ScoredArticle(f"{day}-{topic}-{i}", day, f"outlet{i % outlets}", country, "ko",
                              "negative" if i < negative else "neutral", -0.6 if i < negative else 0.05, (topic,))
                for i in range(n)]
    return out


def rows(day, counts, **kw):
    return aggregate_day(day, articles(day, counts, **kw), "m")


def history_of(days, counts_of) -> tuple[list, list[date]]:
    return [r for d in days for r in rows(d, counts_of(d))], list(days)


def check(day, today, past, past_days, rules):
    return evaluate(day, today, History([*past, *today], [*past_days, day]), rules)


# --- episodes ------------------------------------------------------------------------------------


def test_an_alert_opens_continues_across_a_short_gap_and_closes_after_calm_days():
    days = [D0 + timedelta(days=i) for i in range(12)]
    hits = [hit(days[2]), hit(days[3]), hit(days[5])]  # one calm day inside: same episode
    [episode] = build_episodes(hits, days, close_after=3)
    assert (episode.day, episode.last_hit_day, episode.n_hit_days) == (days[2], days[5], 3)
    assert episode.status == "closed" and episode.closed_day == days[8]


def test_an_episode_stays_open_until_enough_calm_days_have_run_and_a_new_burst_is_a_new_episode():
    days = [D0 + timedelta(days=i) for i in range(6)]
    [still_open] = build_episodes([hit(days[4])], days, close_after=3)
    assert still_open.status == "open" and still_open.closed_day is None and still_open.calm_days == 1
    more = [D0 + timedelta(days=i) for i in range(20)]
    first, second = build_episodes([hit(more[1]), hit(more[10])], more, close_after=3)
    assert first.status == "closed" and second.day == more[10] and first.id != second.id


def test_an_episode_escalates_once_and_only_openings_and_escalations_are_notified():
    days = [D0 + timedelta(days=i) for i in range(10)]
    hits = [hit(days[0]), hit(days[1], observed=0.75), hit(days[2], "critical", 0.9), hit(days[3], "critical", 0.85),
            hit(days[4], "warning", 0.65)]
    result = replay((), days, hits, close_after=3)
    [episode] = result.episodes
    events = [(t.event, t.day, t.severity, t.previous_severity) for t in result.transitions]
    assert events == [("opened", days[0], "warning", None), ("escalated", days[2], "critical", "warning"),
                      ("closed", days[7], "critical", "critical")]
    assert [t.event for t in to_notify(result.transitions)] == ["opened", "escalated"]
    assert episode.severity == "critical" and episode.observed == 0.9 and episode.peak_day == days[2]
    assert episode.evidence[0] == f"a-{days[2]}", "the peak's articles come first"
    assert [d for d, _ in result.states] == days[:7], "the state of each run day while open"


def test_advancing_day_by_day_from_stored_state_equals_one_replay():
    days = [D0 + timedelta(days=i) for i in range(40)]
    pattern = {1, 2, 3, 9, 10, 14, 15, 16, 17, 25, 30, 31}
    hits = [hit(d, "critical" if i in (3, 16) else "warning", 0.7 + i / 100) for i, d in enumerate(days)
            if i in pattern]
    hits += [hit(d, topic="dokdo_takeshima") for i, d in enumerate(days) if i % 7 == 0]
    whole = replay((), days, hits, close_after=3)
    state, transitions, final = [], [], {}
    for day in days:  # what the daily flow does: one day at a time from the stored state of the day before
        changed, moved = advance(state, day, [h for h in hits if h.day == day], close_after=3)
        final.update((a.id, a) for a in changed)
        state = [a for a in changed if a.status == "open"]
        transitions += moved
    assert transitions == whole.transitions
    assert sorted(final.values(), key=lambda a: (a.day, a.rule, a.topic, a.country)) == whole.episodes
    # a rerun from day 15: the state of day 14 plus the days from 15 give the same end
    state_14 = [a for d, a in whole.states if d == days[14]]
    tail = replay(state_14, days[15:], [h for h in hits if h.day >= days[15]], close_after=3)
    assert tail.transitions == [t for t in whole.transitions if t.day >= days[15]]


# --- rules ---------------------------------------------------------------------------------------


def test_threshold_rule_needs_enough_articles_and_outlets_and_sets_severity():
    rule = ThresholdRule(warning=0.6, critical=0.8, min_articles=8, min_outlets=2)
    fired = {h.topic: h for h in check(D0, rows(D0, {"forced_labour": (10, 9), "sado_mine": (10, 7),
                                                     "yasukuni": (5, 5)}), [], [], [rule])}
    assert set(fired) == {"forced_labour", "sado_mine"}, "yasukuni has too few articles"
    assert fired["forced_labour"].severity == "critical" and fired["sado_mine"].severity == "warning"
    assert (fired["sado_mine"].observed, fired["sado_mine"].n_negative, fired["sado_mine"].n_outlets) == (0.7, 7, 3)
    one_outlet = rows(D0, {"forced_labour": (10, 9)}, outlets=1)
    assert check(D0, one_outlet, [], [], [rule]) == []


def test_threshold_rule_on_mean_sentiment_fires_below_and_on_volume_above():
    today = rows(D0, {"forced_labour": (10, 8), "summits_diplomacy": (30, 0)})
    hostile = ThresholdRule(name="hostile_tone", metric="mean_sentiment", direction="below", warning=-0.3,
                            critical=-0.5, min_articles=5)
    busy = ThresholdRule(name="busy", metric="n_articles", warning=25, critical=None, min_articles=1)
    fired = {(h.rule, h.topic): h for h in check(D0, today, [], [], [hostile, busy])}
    assert set(fired) == {("hostile_tone", "forced_labour"), ("busy", "summits_diplomacy")}
    assert fired[("hostile_tone", "forced_labour")].observed == pytest.approx(-0.47)
    assert fired[("hostile_tone", "forced_labour")].severity == "warning"


def test_scopes_take_wildcards_named_values_and_the_roll_up_only_when_named():
    today = rows(D0, {"forced_labour": (10, 9), "sado_mine": (10, 9)}) + rows(D0, {"forced_labour": (10, 9)},
                                                                             country="JP")
    def fired(scope):
        rule = ThresholdRule(min_articles=5, scope=scope)
        return {(h.topic, h.country) for h in check(D0, today, [], [], [rule])}
    assert fired(Scope()) == {("forced_labour", "KR"), ("sado_mine", "KR"), ("forced_labour", "JP")}
    assert fired(Scope(topics=("sado_mine",))) == {("sado_mine", "KR")}
    assert fired(Scope(source_countries=("JP",))) == {("forced_labour", "JP")}
    assert fired(Scope(topics=(ALL,), source_countries=(ALL,))) == {(ALL, ALL)}
    assert fired(Scope(target_countries=("JP",))) == set(), "no article names a target country"


def test_a_target_scoped_rule_watches_the_sentiment_toward_that_country():
    # Korean coverage of forced labour: neutral overall, hostile in the sentences about Japan
    today = aggregate_day(D0, [ScoredArticle(f"a{i}", D0, f"outlet{i % 3}", "KR", "ko", "neutral", 0.0,
                                             ("forced_labour",), (("JP", "negative", -0.7), ("US", "neutral", 0.1)))
                               for i in range(10)], "m")
    rule = ThresholdRule(min_articles=5, scope=Scope(target_countries=("*",)))
    hits = check(D0, today, [], [], [rule])
    assert {(h.topic, h.country, h.target_country) for h in hits} == {("forced_labour", "KR", "JP")}
    assert hits[0].observed == 1.0 and hits[0].evidence[0].startswith("a")
    assert check(D0, today, [], [], [ThresholdRule(min_articles=5)]) == [], "overall sentiment is neutral"


def test_baseline_rule_compares_with_the_same_weekday_and_waits_for_its_warm_up():
    past_days = [D0 - timedelta(days=i) for i in range(1, 57)]
    # Mondays are always busy: 8 negative stories; other days 1
    past, run = history_of(past_days, lambda d: {"forced_labour": (10, 8 if d.weekday() == 0 else 1)})
    monday = rows(D0, {"forced_labour": (12, 9)})
    weekday_rule = BaselineRule(window_days=56, min_history=4, seasonality="weekday")
    flat_rule = BaselineRule(name="flat", window_days=56, min_history=4, seasonality="none")
    fired = {h.rule: h for h in check(D0, monday, past, run, [weekday_rule, flat_rule])}
    assert set(fired) == {"flat"}, "a usual Monday is not a surge against other Mondays"
    assert fired["flat"].baseline == 1 and fired["flat"].history_days == 56
    spike = rows(D0, {"forced_labour": (30, 20)})
    [h] = check(D0, spike, past, run, [weekday_rule])
    assert (h.rule, h.baseline, h.value, h.history_days) == ("negative_surge", 8, 20, 8)
    assert h.observed == pytest.approx(12.0) and h.severity == "critical"
    recent = [d for d in run if d > D0 - timedelta(days=21)]  # three earlier Mondays only
    assert check(D0, spike, [r for r in past if r.day in recent], recent, [weekday_rule]) == []


def test_baseline_rule_uses_robust_statistics_and_its_floors():
    past_days = [D0 - timedelta(days=i) for i in range(1, 29)]
    # one huge past outlier would inflate a standard deviation, not the MAD
    past, run = history_of(past_days, lambda d: {"forced_labour": (40, 30) if d == past_days[3] else (4, 1)})
    rule = BaselineRule(window_days=28, min_history=14, seasonality="none", min_value=5)
    [h] = check(D0, rows(D0, {"forced_labour": (8, 6)}), past, run, [rule])
    assert h.baseline == 1 and h.spread == 1.0 and h.observed == 5.0, "MAD 0 is floored at spread_floor"
    assert check(D0, rows(D0, {"forced_labour": (8, 4)}), past, run, [rule]) == [], "below min_value"


def test_volume_rule_is_relative_to_the_days_coverage_so_a_busy_day_is_not_a_flare_up():
    past_days = [D0 - timedelta(days=i) for i in range(1, 29)]
    usual = {"forced_labour": (2, 0), "summits_diplomacy": (18, 0)}  # forced labour: 10 % of KR coverage
    past, run = history_of(past_days, lambda d: usual)
    rule = VolumeRule(min_articles=8, min_outlets=2, window_days=28, min_history=14)
    busy_day = rows(D0, {"forced_labour": (8, 0), "summits_diplomacy": (72, 0)})  # 4x everything, still 10 %
    assert check(D0, busy_day, past, run, [rule]) == []
    flare = rows(D0, {"forced_labour": (10, 3), "summits_diplomacy": (15, 0)})  # 40 % of 25: 4x the expected 2.5
    [h] = check(D0, flare, past, run, [rule])
    assert (h.rule, h.topic, h.kind, h.n_total, h.severity) == ("volume_surge", "forced_labour", "volume", 25,
                                                                "warning")
    assert h.baseline == pytest.approx(0.1) and h.observed == pytest.approx(4.0)
    assert check(D0, flare, past[:30], run[:3], [rule]) == [], "warm-up: too few days with coverage"


def test_rules_fire_on_a_hostile_burst_only():
    past_days = [D0 - timedelta(days=i) for i in range(1, 57)]
    past, run = history_of(past_days, lambda d: {"forced_labour": (3, 1 if d.day % 4 == 0 else 0),
                                                 "summits_diplomacy": (20, 2)})
    rules = [ThresholdRule(min_outlets=2), BaselineRule(), VolumeRule()]
    calm = rows(D0, {"forced_labour": (3, 1), "summits_diplomacy": (22, 2)})
    assert check(D0, calm, past, run, rules) == []
    burst = rows(D0, {"forced_labour": (14, 12), "summits_diplomacy": (20, 2)})
    fired = {(h.rule, h.topic, h.country) for h in check(D0, burst, past, run, rules)}
    assert fired == {("share_negative", "forced_labour", "KR"), ("negative_surge", "forced_labour", "KR"),
                     ("volume_surge", "forced_labour", "KR")}


def test_rules_refuse_settings_that_cannot_work():
    with pytest.raises(RuleConfigError, match="critical"):
        ThresholdRule(warning=0.6, critical=0.5)
    with pytest.raises(RuleConfigError, match="metric"):
        ThresholdRule(metric="z_negative")
    with pytest.raises(RuleConfigError, match="seasonality"):
        BaselineRule(seasonality="monthly")


def test_indicator_baseline_waits_for_its_warm_up():
    today = rows(D0, {"forced_labour": (12, 10)})
    warm = add_baselines(today, [], [D0 - timedelta(days=1)] * 3, min_days=14, std_floor=1.0)
    assert all(r.z_negative is None for r in warm)
