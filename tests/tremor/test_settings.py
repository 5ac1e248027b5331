import pytest
from pydantic import ValidationError

from pipeline.alerts import BaselineRule, Scope, ThresholdRule, VolumeRule
from tremor.settings import Settings, delivery_channels

RULES_TOML = """
[alerts]
close_after_days = 4

[[alerts.rules]]
kind = "threshold"
name = "hostile_tone"
metric = "mean_sentiment"
direction = "below"
warning = -0.3
critical = -0.5
topic = ["forced_labour", "comfort_women"]
source_country = "KR"

[[alerts.rules]]
kind = "baseline"
name = "share_jump"
metric = "share_negative"
warning = 3
seasonality = "weekpart"

[[alerts.rules]]
kind = "volume"
name = "off"
enabled = false

[[alerts.delivery.webhooks]]
name = "slack"
format = "slack"
url_env = "TREMOR_SLACK_URL"
"""


def settings_from(tmp_path, monkeypatch, text) -> Settings:
    path = tmp_path / "tremor.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("TREMOR_CONFIG", str(path))
    return Settings()


def test_default_rules_are_one_of_each_kind_watching_every_topic_and_country(tmp_path, monkeypatch):
    rules = settings_from(tmp_path, monkeypatch, "").alerts.to_rules()
    assert [type(r) for r in rules] == [ThresholdRule, BaselineRule, VolumeRule]
    assert all(r.scope == Scope() for r in rules)
    assert rules[1].seasonality == "weekday" and rules[1].window_days == 56


def test_rules_come_from_the_file_with_scopes_and_the_environment_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("TREMOR_ALERTS__CLOSE_AFTER_DAYS", "5")
    settings = settings_from(tmp_path, monkeypatch, RULES_TOML)
    tone, jump = settings.alerts.to_rules()
    assert tone.scope == Scope(("forced_labour", "comfort_women"), ("KR",), ("all",))
    assert (tone.direction, tone.warning, jump.metric, jump.seasonality) == ("below", -0.3, "share_negative",
                                                                             "weekpart")
    assert settings.alerts.close_after_days == 5
    [slack] = delivery_channels(settings.alerts.delivery, {"TREMOR_SLACK_URL": "https://hooks.example/T/B/x"})
    assert slack.channel == "webhook:slack" and slack.url.get_secret_value() == "https://hooks.example/T/B/x"


def test_a_rule_that_cannot_work_or_a_secret_in_the_file_is_refused_with_the_reason(tmp_path, monkeypatch):
    with pytest.raises(ValidationError, match="critical .* must be at or beyond warning"):
        settings_from(tmp_path, monkeypatch, '[[alerts.rules]]\nkind = "threshold"\nname = "x"\nwarning = 0.6\n'
                                             'critical = 0.5\n')
    with pytest.raises(ValidationError, match="unique"):
        settings_from(tmp_path, monkeypatch, '[[alerts.rules]]\nkind = "volume"\nname = "x"\n'
                                             '[[alerts.rules]]\nkind = "volume"\nname = "x"\n')
    with pytest.raises(ValidationError, match="url"):
        settings_from(tmp_path, monkeypatch, '[[alerts.delivery.webhooks]]\nname = "s"\nurl_env = "X"\n'
                                             'url = "https://hooks.example/secret"\n')


def test_the_example_file_holds_the_defaults(monkeypatch):
    from pathlib import Path

    import os

    for name in [n for n in os.environ if n.upper().startswith("TREMOR_")]:  # conftest turns fetching off
        monkeypatch.delenv(name)
    monkeypatch.setenv("TREMOR_CONFIG", str(Path(__file__).parents[2] / "tremor.toml.example"))
    assert Settings().model_dump() == Settings.model_construct().model_dump()
