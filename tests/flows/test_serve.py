"""`tremor serve` against the real Prefect server it starts: the cron schedule produces a completed run of
tremor-daily, runs that are late still run (one at a time, each for the day before its scheduled time), and no
server is left afterwards; the server started for a command dies when that command is killed with SIGKILL."""

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
LEXICON_CONFIG = '[models]\nsentiment = "sentiment.lexicon.v1"\ntopics = "keywords"\nner = []\n'

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not sys.platform.startswith("linux"),
                                                   reason="the parent-death signal is Linux's")]


def child_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "TREMOR_DB_PATH": str(tmp_path / "t.duckdb"),
           "TREMOR_SOURCES__FETCH__ENABLED": "false", "PYTHONPATH": str(ROOT), **extra}
    env.pop("PREFECT_API_URL", None)
    return env


def wait_for(what, timeout_s: float, every_s: float = 1.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (found := what()):
            return found
        time.sleep(every_s)
    return None


def line_after(log: Path, prefix: str) -> str | None:
    for line in log.read_text(errors="replace").splitlines():
        if line.startswith(prefix):
            return line[len(prefix):].split()[0]
    return None


def server_of(parent: psutil.Process) -> psutil.Process:
    servers = [p for p in parent.children(recursive=True) if "server" in p.cmdline() and "start" in p.cmdline()]
    assert len(servers) == 1, [p.cmdline() for p in parent.children(recursive=True)]
    return servers[0]


def test_serve_runs_the_schedule_and_late_runs_one_at_a_time_then_leaves_no_server(tmp_path):
    from prefect import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
    from prefect.settings import PREFECT_API_URL, temporary_settings
    from prefect.states import Scheduled

    from flows import tasks

    (tmp_path / "tremor.toml").write_text(LEXICON_CONFIG, encoding="utf-8")
    log = tmp_path / "serve.log"
    began, started_at = time.monotonic(), datetime.now(UTC)
    env = child_env(tmp_path, PREFECT_SERVER_DEPLOYMENTS_CONCURRENCY_SLOT_WAIT_SECONDS="5")  # a queued run's retry
    with open(log, "wb") as out:
        serve = subprocess.Popen([sys.executable, "-m", "tremor.cli", "serve", "--cron", "* * * * *", "--port", "0",
                                  "--config", str(tmp_path / "tremor.toml")], cwd=tmp_path, env=env,
                                 stdout=out, stderr=subprocess.STDOUT)
    try:
        api = wait_for(lambda: line_after(log, "Prefect API: "), 150)
        assert api, log.read_text()
        server = server_of(psutil.Process(serve.pid))
        assert wait_for(lambda: "Next run of tremor-daily/tremor-daily: " in log.read_text(), 60), log.read_text()
        late = [datetime.now(UTC) - timedelta(days=3), datetime.now(UTC) - timedelta(days=2)]
        with temporary_settings(updates={PREFECT_API_URL: api}), get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name("tremor-daily/tremor-daily")
            assert deployment.global_concurrency_limit.limit == 1
            assert deployment.concurrency_options.collision_strategy == "ENQUEUE"
            assert deployment.entrypoint == "flows.daily.daily_flow"
            late_ids = {client.create_flow_run_from_deployment(deployment.id, state=Scheduled(scheduled_time=t)).id
                        for t in late}  # both due at once: without the limit they would run side by side

            def all_done():
                runs = client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(
                    any_=[deployment.id])))
                done = [r for r in runs if r.state.is_completed()]
                failed = [r for r in runs if r.state.is_final() and not r.state.is_completed()]
                assert not failed, [(r.name, r.state) for r in failed]
                cron_done = [r for r in done if r.auto_scheduled]
                return (cron_done, [r for r in done if r.id in late_ids]) if cron_done and len(
                    [r for r in done if r.id in late_ids]) == 2 else None

            finished = wait_for(all_done, 150, every_s=2)
            assert finished, log.read_text()
        completed_after = time.monotonic() - began
        cron_runs, late_runs = finished
        first, second = sorted(late_runs, key=lambda r: r.start_time)
        assert first.end_time <= second.start_time  # one at a time
    finally:
        serve.send_signal(signal.SIGTERM)  # as systemd and `docker stop` do
        rc = serve.wait(timeout=60)
    assert rc == 0, log.read_text()
    assert wait_for(lambda: not server.is_running() or server.status() == psutil.STATUS_ZOMBIE, 10, 0.2)
    assert "Traceback" not in log.read_text()
    expected = {(t - timedelta(days=1)).date() for t in late} | {cron_runs[0].expected_start_time.astimezone(UTC).date() -
                                                                 timedelta(days=1)}
    stored = set(tasks.processed_days.fn(tmp_path / "t.duckdb", date(2000, 1, 1), date(2100, 1, 1),
                                         "sentiment.lexicon.v1"))
    assert expected <= stored
    first_cron = min(r.end_time for r in cron_runs) - started_at
    print(f"\ntremor serve --cron '* * * * *': a scheduled run completed {first_cron.total_seconds():.0f} s after the "
          f"command started; it and two late runs, {completed_after:.0f} s")


@pytest.fixture(scope="module")
def server_without_scheduler(tmp_path_factory):
    """A command that started a local Prefect server (its scheduler service switched off) and waits."""
    tmp = tmp_path_factory.mktemp("killed")
    script = ("import sys, time\nfrom flows.prefect_server import local_prefect_server\n"
              "with local_prefect_server(sys.argv[1]) as url:\n    print(url, flush=True)\n    time.sleep(600)\n")
    command = subprocess.Popen([sys.executable, "-c", script, str(tmp / "prefect")], stdout=subprocess.PIPE,
                               env=child_env(tmp, PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED="false"), text=True)
    url = command.stdout.readline().strip()
    try:
        assert url.startswith("http://127.0.0.1:"), url
        yield command, url, server_of(psutil.Process(command.pid))
    finally:
        if command.poll() is None:
            command.kill()
        command.wait()


def test_serve_refuses_a_prefect_server_whose_scheduler_is_off(server_without_scheduler):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.deploy import check_scheduler_enabled
    from flows.errors import SchedulerNotRunning

    url = server_without_scheduler[1]
    with temporary_settings(updates={PREFECT_API_URL: url}):
        with pytest.raises(SchedulerNotRunning, match=r"without its scheduler service.*would never run"):
            check_scheduler_enabled(url)


def test_kill_9_of_the_command_takes_its_prefect_server_with_it(server_without_scheduler):
    command, url, server = server_without_scheduler
    assert server.is_running()
    os.kill(command.pid, signal.SIGKILL)
    command.wait()
    assert wait_for(lambda: not server.is_running() or server.status() == psutil.STATUS_ZOMBIE, 10, 0.2), \
        f"the Prefect server {server.pid} outlived the command that started it"


def test_kill_9_of_a_backfill_leaves_no_prefect_server(tmp_path):
    """`tremor backfill` (serial, no PREFECT_API_URL) reports to a server of its own that dies with it: kill -9
    of the command mid-run leaves no Prefect server running (Prefect's temporary server used to stay)."""
    (tmp_path / "tremor.toml").write_text(LEXICON_CONFIG, encoding="utf-8")
    command = subprocess.Popen([sys.executable, "-m", "tremor.cli", "backfill", "--start", "2001-01-01", "--end",
                                "2001-12-31", "--config", str(tmp_path / "tremor.toml")], cwd=tmp_path,
                               env=child_env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        found = wait_for(lambda: [p for p in psutil.Process(command.pid).children(recursive=True)
                                  if _is_prefect_server(p)], 120, 0.5)
        assert found, "tremor backfill started no Prefect server"
        server = found[0]
        assert wait_for(lambda: command.poll() is not None or _listening(server), 60, 0.5)
        assert command.poll() is None, "the backfill ended before it could be killed"
    finally:
        os.kill(command.pid, signal.SIGKILL)
        command.wait()
    assert wait_for(lambda: not server.is_running() or server.status() == psutil.STATUS_ZOMBIE, 10, 0.2), \
        f"the Prefect server {server.pid} outlived the backfill that started it"


def _is_prefect_server(process: psutil.Process) -> bool:
    """`prefect server start`, or the uvicorn of Prefect's temporary server."""
    try:
        cmdline = process.cmdline()
    except psutil.Error:
        return False
    return ("server" in cmdline and "start" in cmdline) or "uvicorn" in cmdline


def _listening(process: psutil.Process) -> bool:
    try:
        return any(c.status == psutil.CONN_LISTEN for c in process.net_connections())
    except psutil.Error:
        return False
