"""The serial backfill scores consecutive days together, in batches of about `batch_articles` articles; a resumed
backfill redoes the last day it had done."""

from datetime import date, timedelta

from pipeline.days import batches, pending_days

D = [date(2025, 6, 1) + timedelta(days=i) for i in range(6)]


def test_days_are_batched_until_they_hold_enough_articles_and_a_big_day_stands_alone():
    counts = {D[0]: 300, D[1]: 300, D[2]: 500, D[3]: 2000, D[4]: 10}
    assert batches(D, counts, 1000) == [[D[0], D[1], D[2]], [D[3]], [D[4], D[5]]]
    assert batches(D, counts, 1) == [[d] for d in D]  # a day at a time
    assert batches([], counts, 1000) == []


def test_a_gap_in_the_pending_days_starts_a_new_batch():
    assert batches([D[0], D[1], D[4], D[5]], {}, 1000) == [[D[0], D[1]], [D[4], D[5]]]


def test_a_resumed_backfill_runs_the_days_not_done_and_the_last_done_again():
    assert pending_days(D, {D[0], D[1], D[2]}) == [D[2], D[3], D[4], D[5]]
    assert pending_days(D, set(D)) == [D[5]]
