"""What an alert says to the people who receive it."""

from __future__ import annotations

from pipeline.records import Alert

RULE_TEXT = {
    "share_negative": "share of negative articles {observed:.0%} ≥ {threshold:.0%}",
    "negative_surge": "negative articles z = {observed:.1f} ≥ {threshold:.1f} over the trailing baseline",
}


def describe(alert: Alert) -> str:
    """One line: severity, who, what, since when, why."""
    why = RULE_TEXT.get(alert.rule, "{observed} vs {threshold}").format(observed=alert.observed, threshold=alert.threshold)
    return (f"[{alert.severity.upper()}] {alert.country} coverage of {alert.topic} turned hostile on {alert.day} "
            f"({alert.rule}: {why}); evidence: {', '.join(alert.evidence[:5])}")
