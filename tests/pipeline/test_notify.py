from datetime import date

from pipeline.notify import email_message, explain, json_payload, slack_payload, text_body
from pipeline.records import Alert, Notice, RuleHit, Transition

DAY = date(2025, 7, 25)


def test_each_kind_of_rule_explains_itself_with_its_numbers():
    base = dict(day=DAY, topic="forced_labour", country="KR", model_name="m", severity="warning", baseline=None,
                n_articles=20, evidence=(), n_negative=12, n_outlets=3)
    threshold = RuleHit(rule="share_negative", observed=0.6, threshold=0.6, critical=0.8, **base)
    assert explain(threshold) == ("share of negative articles 60% ≥ 60%, critical ≥ 80%; "
                                  "12 negative of 20 articles, 3 outlet(s)")
    baseline = RuleHit(rule="negative_surge", observed=5.5, threshold=4.0, kind="baseline", metric="n_negative",
                       value=12, spread=1.4826, history_days=8, **{**base, "baseline": 4.0})
    assert "negative articles 12: robust z = +5.5 against the trailing median 4" in explain(baseline)
    assert "over 8 comparable past day(s); fires at z ≥ +4" in explain(baseline)
    volume = RuleHit(rule="volume_surge", observed=4.0, threshold=3.0, kind="volume", metric="n_articles",
                     n_total=50, **{**base, "baseline": 0.1})
    assert "20 of the country's 50 articles that day (40%) against a trailing median share of 10.0%: 4.0× the " \
           "expected 5.0 (fires at 3×)" in explain(volume)
    below = RuleHit(rule="tone", observed=-0.42, threshold=-0.3, metric="mean_sentiment", direction="below",
                    **base)
    assert explain(below).startswith("mean sentiment -0.42 ≤ -0.30")


def test_an_escalation_notice_says_what_it_was_and_since_when():
    hit = RuleHit(DAY, "share_negative", "forced_labour", "KR", "m", "critical", 0.9, 0.6, None, 20, ("a1",),
                  critical=0.8, n_negative=18, n_outlets=3)
    alert = Alert("e1", "share_negative", "forced_labour", "KR", "m", date(2025, 7, 24), DAY, None, "open",
                  "critical", 0.9, 0.6, None, 2, ("a1",), critical=0.8, n_articles=20, n_negative=18, n_outlets=3)
    notice = Notice(Transition("e1", DAY, "escalated", "critical", "warning", hit), alert)
    assert json_payload(notice)["previous_severity"] == "warning"
    headline = slack_payload(notice)["text"]
    assert headline == ("[CRITICAL] KR coverage of forced_labour escalated on 2025-07-25 (was warning) — rule "
                        "share_negative, open since 2025-07-24")
    assert "Evidence article ids: a1" in text_body(notice)
    message = email_message(notice, "t@example.org", ["a@example.org", "b@example.org"])
    assert message["To"] == "a@example.org, b@example.org" and message["Subject"] == f"[Tremor] {headline}"
