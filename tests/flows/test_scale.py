"""The Dask backfill (flows/scale.py) against a real Prefect server and a local Dask cluster of 2 worker
processes, both started and stopped here: it writes exactly the serial backfill's rows, only the flow's
process opens the warehouse, each worker loads the model once, and a stopped run resumes."""

import gzip
import json
import shutil
from datetime import date, timedelta

import duckdb
import pytest

from tremor.cli import DEMO_CORPUS
from tremor.settings import BackfillSettings

DAYS = [date(2025, 6, 2) + timedelta(days=offset) for offset in range(5)]
_worker_connects = 0  # per worker process: warehouse connections opened there (must stay 0)


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    from flows.prefect_server import local_prefect_server

    with local_prefect_server(tmp_path_factory.mktemp("prefect-home")) as url:
        yield url


@pytest.fixture(scope="module")
def cluster(prefect_server):
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as local, \
            Client(local) as client:
        client.run(_count_warehouse_connects)
        yield local.scheduler_address, client


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, prefect_server):
    """The demo corpus' articles of a few days, ingested once into a warehouse copied by each test."""
    from flows.daily import ingest_flow

    folder = tmp_path_factory.mktemp("corpus")
    wanted = {(d - timedelta(days=1)).isoformat() for d in DAYS} | {d.isoformat() for d in DAYS}
    rows = [json.loads(line) for line in gzip.open(DEMO_CORPUS, "rt", encoding="utf-8")]
    path = folder / "days.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows if r["published_at"][:10] in wanted),
                    encoding="utf-8")
    config = folder / "tremor.toml"
    config.write_text('[models]\nsentiment = "sentiment.lexicon.v1"\ntopics = "keywords"\nner = []\n', encoding="utf-8")
    ingest_flow([str(path)], folder / "ingested.duckdb")
    return folder / "ingested.duckdb", str(config)


def fresh_db(corpus, folder):
    db = folder / "tremor.duckdb"
    shutil.copyfile(corpus[0], db)
    return db


@pytest.fixture(scope="module")
def serial_tables(corpus, tmp_path_factory):
    from flows.daily import backfill_flow

    db = fresh_db(corpus, tmp_path_factory.mktemp("serial"))
    assert [r.day for r in backfill_flow(DAYS[0], DAYS[-1], str(db), corpus[1])] == DAYS
    return tables(db)


@pytest.mark.slow
def test_the_dask_backfill_writes_the_serial_rows_with_scoring_on_workers_and_writes_in_one_process(
        cluster, corpus, serial_tables, tmp_path):
    from distributed import get_task_stream

    from flows.scale import run_scaled_backfill

    address, client = cluster
    db = fresh_db(corpus, tmp_path)
    with get_task_stream(client=client) as stream:
        results = run_scaled_backfill(DAYS[0], DAYS[-1], str(db), corpus[1], False, BackfillSettings(scheduler=address))

    assert [r.day for r in results] == DAYS and sum(r.articles for r in results) > 50
    assert tables(db) == serial_tables
    scored_on = [t["worker"] for t in stream.data if "score_articles" in str(t["key"])]
    assert len(scored_on) == len(DAYS)  # every day scored on a worker of the cluster...
    assert set(scored_on) <= set(client.scheduler_info()["workers"])
    assert set(client.run(_warehouse_connects).values()) == {0}  # ...none of which opened the warehouse
    loads = client.run(_model_loads)
    assert all(misses <= 1 for misses, _ in loads.values())  # the model loaded once per worker process
    assert sum(calls for _, calls in loads.values()) >= len(DAYS)


@pytest.mark.slow
def test_a_stopped_dask_backfill_resumes_at_the_last_processed_day(cluster, corpus, serial_tables, tmp_path):
    from flows.scale import run_scaled_backfill

    cfg = BackfillSettings(scheduler=cluster[0], days_in_flight=1)
    db = fresh_db(corpus, tmp_path)
    assert [r.day for r in run_scaled_backfill(DAYS[0], DAYS[2], str(db), corpus[1], False, cfg)] == DAYS[:3]
    first_done = finished_at(db, DAYS[0])

    resumed = run_scaled_backfill(DAYS[0], DAYS[-1], str(db), corpus[1], False, cfg)
    assert [r.day for r in resumed] == DAYS[2:]  # the last processed day is redone, no earlier one
    assert finished_at(db, DAYS[0]) == first_done
    assert tables(db) == serial_tables


@pytest.mark.slow
def test_tremor_backfill_workers_scores_on_a_local_cluster_it_starts(prefect_server, corpus, serial_tables, tmp_path):
    from prefect import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from typer.testing import CliRunner

    from tremor.cli import app

    def scaled_runs() -> int:
        with get_client(sync_client=True) as api:
            return api.count_flow_runs(flow_filter=FlowFilter(name=FlowFilterName(any_=["tremor-backfill-scaled"])))

    db, before = fresh_db(corpus, tmp_path), scaled_runs()
    result = CliRunner().invoke(app, ["backfill", "--start", DAYS[0].isoformat(), "--end", DAYS[-1].isoformat(),
                                      "--db", str(db), "--config", corpus[1], "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert f"{len(DAYS)} days processed" in result.output
    assert scaled_runs() == before + 1
    assert tables(db) == serial_tables


def test_workers_on_other_machines_need_a_prefect_api_they_can_reach():
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.scale import WorkersNeedPrefectApi, prefect_api_for_workers

    for url in (None, "http://127.0.0.1:4200/api"):
        with temporary_settings(updates={PREFECT_API_URL: url}) if url else \
                temporary_settings(restore_defaults={PREFECT_API_URL}):
            with pytest.raises(WorkersNeedPrefectApi, match=r"prefect server start --host 0\.0\.0\.0"):
                with prefect_api_for_workers("tcp://10.1.2.3:8786"):
                    pass
    with temporary_settings(updates={PREFECT_API_URL: "http://10.1.2.4:4200/api"}):
        with prefect_api_for_workers("tcp://10.1.2.3:8786") as url:
            assert url == "http://10.1.2.4:4200/api"
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        for local in ("tcp://127.0.0.1:8786", "localhost:8786", "inproc://10.1.2.3/1/2"):
            with prefect_api_for_workers(local) as url:
                assert url == "http://127.0.0.1:4200/api"


def test_a_prefect_server_that_does_not_answer_in_time_fails_saying_what_to_run(tmp_path):
    from flows.prefect_server import PrefectServerDidNotStart, local_prefect_server

    with pytest.raises(PrefectServerDidNotStart, match="prefect server start --host 127.0.0.1"):
        with local_prefect_server(tmp_path, timeout_s=0.2):
            pass


def tables(db) -> dict[str, list[tuple]]:
    """Every table's rows in a stable order, without the columns that record when (…_at)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        names = con.execute("SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                            "AND table_name <> 'schema_migrations' ORDER BY table_name").fetchall()
        for (name,) in names:
            columns = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE "
                                                 "table_name = ? ORDER BY ordinal_position", [name]).fetchall()
                       if not c.endswith("_at")]
            rows = con.execute(f'SELECT {", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)} FROM "{name}"')
            out[name] = sorted(rows.fetchall(), key=repr)
        assert out["article_scores"] and out["daily_indicators"]
        return out
    finally:
        con.close()


def finished_at(db, day: date):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT finished_at FROM processed_days WHERE day = ?", [day]).fetchone()[0]
    finally:
        con.close()


def _count_warehouse_connects() -> None:
    """Run on each worker before any task: count the DuckDB connections the process opens."""
    import sys

    module, original = sys.modules[__name__], duckdb.connect

    def counted(*args, **kwargs):
        module._worker_connects += 1
        return original(*args, **kwargs)

    duckdb.connect = counted


def _warehouse_connects() -> int:
    return _worker_connects


def _model_loads() -> tuple[int, int]:
    """(loads, calls) of the registry's per-process model cache in this worker."""
    from models.registry import load_sentiment

    info = load_sentiment.cache_info()
    return info.misses, info.hits + info.misses
