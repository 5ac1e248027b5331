"""The daily deployment: the daily flow on a cron schedule, served by this process."""

from __future__ import annotations

from prefect import serve

from flows.daily import daily_flow

DEPLOYMENT_NAME = "tremor-daily"


def daily_deployment(cron: str, config: str | None = None):
    """The deployment object (tested without serving)."""
    return daily_flow.to_deployment(name=DEPLOYMENT_NAME, cron=cron, parameters={"config": config} if config else {})


def serve_daily(cron: str, config: str | None = None) -> None:
    serve(daily_deployment(cron, config))
