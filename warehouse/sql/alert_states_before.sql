-- The episodes open at the end of the model's last run day before a day: where a replay starts.
SELECT id, day, rule, kind, metric, direction, topic, country, target_country, model_name, severity, status,
       last_hit_day, closed_day, n_hit_days, calm_days, peak_day, observed, threshold, critical, baseline, spread,
       value, n_articles, n_negative, n_outlets, n_total, evidence
FROM alert_states
WHERE model_name = ?
  AND as_of = (SELECT max(day) FROM processed_days WHERE model_name = ? AND day < ?)
ORDER BY id
