"""The daily deployment: the daily flow on a cron schedule, served by this process.

Runs are created by the scheduler service of a Prefect server, which Prefect's temporary server does not run:
with no PREFECT_API_URL, `serve_daily` starts `prefect server start` for as long as it serves
(flows/prefect_server.py). Either way it checks that the server's scheduler is on, and reports the first
scheduled run it creates; one run of the deployment at a time (later ones wait their turn).
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable
from contextvars import copy_context
from datetime import UTC, datetime

import httpx
from prefect import get_client, serve
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId, FlowRunFilter, \
    FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy, StateType
from prefect.client.schemas.sorting import FlowRunSort
from prefect.types.entrypoint import EntrypointType
from prefect.exceptions import ObjectNotFound
from prefect.settings import PREFECT_API_URL

from flows.daily import daily_flow
from flows.errors import SchedulerNotRunning
from flows.prefect_server import prefect_api

DEPLOYMENT_NAME = "tremor-daily"
FULL_NAME = f"{daily_flow.name}/{DEPLOYMENT_NAME}"
ONE_AT_A_TIME = ConcurrencyLimitConfig(limit=1, collision_strategy=ConcurrencyLimitStrategy.ENQUEUE)


def daily_deployment(cron: str, config: str | None = None):
    """The deployment object (tested without serving): at most one run at a time, the others queued. Its
    entrypoint is the module path `flows.daily.daily_flow`: loaded as a file path, flows/ would come first on
    sys.path and `flows/fetch.py` would shadow the `fetch` package."""
    return daily_flow.to_deployment(name=DEPLOYMENT_NAME, cron=cron, concurrency_limit=ONE_AT_A_TIME,
                                    entrypoint_type=EntrypointType.MODULE_PATH,
                                    parameters={"config": config} if config else {})


def serve_daily(cron: str, config: str | None = None, port: int = 4200, say: Callable[[str], None] = print,
                first_run_within_s: float = 120) -> None:
    """Serve the daily deployment until stopped, against PREFECT_API_URL or else a server started here on
    `port`. Raises SchedulerNotRunning when the server's scheduler is off, or when it has scheduled no run of
    the deployment within `first_run_within_s` of serving (serving then stops)."""
    if not PREFECT_API_URL.value():
        say(f"No PREFECT_API_URL: starting a Prefect server on 127.0.0.1:{port} for as long as this serves")
    with prefect_api(port=port, ui=True) as api:
        check_scheduler_enabled(api)
        say(f"Prefect API: {api}  (UI: {api.removesuffix('/api')})")
        outcome: list[str] = []
        watcher = threading.Thread(target=copy_context().run, daemon=True, name="tremor-first-run",
                                   args=(_report_first_run, api, first_run_within_s, say, outcome))
        watcher.start()
        serve(daily_deployment(cron, config), pause_on_shutdown=False)  # runs due while stopped run on restart
        if outcome and outcome[0] != "scheduled":
            raise SchedulerNotRunning(outcome[0])


def check_scheduler_enabled(api: str) -> None:
    """Raise SchedulerNotRunning when the server says its scheduler service is off (servers that do not show
    their settings, such as Prefect Cloud, are checked by the first scheduled run only)."""
    with get_client(sync_client=True) as client:
        try:
            settings = client.request("GET", "/admin/settings").json()
        except httpx.HTTPStatusError:
            return
    if not settings.get("server", {}).get("services", {}).get("scheduler", {}).get("enabled", True):
        raise SchedulerNotRunning(
            f"the Prefect server at {api} runs without its scheduler service, so {FULL_NAME} would never run: "
            "start it with `prefect server start` (PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED=true), or unset "
            "PREFECT_API_URL to let `tremor serve` start one")


def next_scheduled_run(deployment_name: str = FULL_NAME):
    """The deployment's earliest scheduled flow run, or None (also while the deployment does not exist yet)."""
    with get_client(sync_client=True) as client:
        try:
            deployment = client.read_deployment_by_name(deployment_name)
        except ObjectNotFound:
            return None
        runs = client.read_flow_runs(
            deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])),
            flow_run_filter=FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(
                any_=[StateType.SCHEDULED]))),
            sort=FlowRunSort.EXPECTED_START_TIME_ASC, limit=1)
    return runs[0] if runs else None


def _report_first_run(api: str, within_s: float, say: Callable[[str], None], outcome: list[str]) -> None:
    """Say when the first scheduled run starts; if none is scheduled in time, say so and stop serving."""
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        run = next_scheduled_run()
        if run is not None:
            outcome.append("scheduled")
            at = run.expected_start_time.astimezone(UTC)
            late = " (late: it runs now)" if at < datetime.now(UTC) else "; waiting for it"
            say(f"Next run of {FULL_NAME}: {at:%Y-%m-%d %H:%M} UTC ({run.name}){late}. Stop with Ctrl-C.")
            return
        time.sleep(2)
    outcome.append(f"the Prefect server at {api} scheduled no run of {FULL_NAME} within {within_s:.0f} s of serving: "
                   "its scheduler service is not running (start the server with `prefect server start`, or unset "
                   "PREFECT_API_URL to let `tremor serve` start one)")
    say(f"error: {outcome[0]}; stopping")
    _stop_serving()


def _stop_serving() -> None:
    """Ask the runner to stop as it does on SIGTERM (it then returns from `serve`)."""
    os.kill(os.getpid(), signal.SIGTERM)
