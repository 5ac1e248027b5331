"""Models load once per process, even when a command loads them in a thread while its Prefect server starts."""

import threading
import time
from functools import lru_cache

import pytest

from models import annotate
from tremor.settings import ModelSettings


def test_warm_up_and_the_first_scoring_load_each_model_once(monkeypatch):
    calls, loading = [], threading.Event()

    @lru_cache(maxsize=4)
    def slow_load(name, precision="auto"):  # as registry.load_sentiment: cached, but slow the first time
        calls.append((name, threading.current_thread().name))
        loading.set()
        time.sleep(0.3)
        return object()

    monkeypatch.setattr(annotate, "load_sentiment", slow_load)
    monkeypatch.setattr(annotate.sentences, "load", lambda: None)
    cfg = ModelSettings(sentiment="sentiment.lexicon.v1", topics="keywords", ner=[])
    thread = annotate.warm_up(cfg)
    assert loading.wait(timeout=5)  # the thread is inside the load when the flow's first task asks for the models
    annotate.load_models(cfg)
    thread.join(timeout=5)
    assert calls == [("sentiment.lexicon.v1", "tremor-load-models")]


def test_a_failing_warm_up_is_silent_and_the_scoring_raises_the_error(monkeypatch):
    def broken(name, precision="auto"):
        raise ValueError(f"no sentiment model {name!r}")

    monkeypatch.setattr(annotate, "load_sentiment", broken)
    cfg = ModelSettings(sentiment="nope", topics="keywords", ner=[])
    annotate.warm_up(cfg).join(timeout=5)
    with pytest.raises(ValueError, match="nope"):
        annotate.load_models(cfg)
