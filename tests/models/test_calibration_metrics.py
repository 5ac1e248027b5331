"""Metrics of `tremor eval sentiment` and the temperature fit, on inputs whose answers are known."""

import numpy as np

from models.evaluate_sentiment import accuracy, expected_calibration_error, macro_f1
from models.train_sentiment import fit_temperature


def test_macro_f1_and_accuracy_on_a_hand_checked_case():
    gold = ["negative", "negative", "positive", "neutral"]
    pred = ["negative", "positive", "positive", "neutral"]
    assert accuracy(pred, gold) == 0.75
    # negative: p=1, r=.5 -> 2/3; positive: p=.5, r=1 -> 2/3; neutral: 1
    assert abs(macro_f1(pred, gold) - (2 / 3 + 2 / 3 + 1) / 3) < 1e-9


def test_ece_is_zero_when_confidence_matches_accuracy_and_large_when_overconfident():
    probs = np.array([[0.8, 0.1, 0.1]] * 10)
    gold_calibrated = ["negative"] * 8 + ["positive"] * 2
    assert expected_calibration_error(probs, gold_calibrated) < 1e-9
    overconfident = np.array([[0.99, 0.005, 0.005]] * 10)
    assert abs(expected_calibration_error(overconfident, ["negative"] * 5 + ["neutral"] * 5) - 0.49) < 1e-6


def test_temperature_fit_recovers_the_temperature_that_generated_the_labels():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 4, size=(4000, 3))
    true_t = 2.5
    p = np.exp(logits / true_t)
    p /= p.sum(axis=1, keepdims=True)
    gold = np.array([rng.choice(3, p=row) for row in p])
    assert abs(fit_temperature(logits, gold) - true_t) < 0.25
