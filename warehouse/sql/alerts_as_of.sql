-- A model's episodes open at some point in [start, end], as they stood at the end of `end`: those still open
-- then come from alert_states at the model's last run day on or before `end`, those closed by then from alerts
-- (an episode never changes after closing; a later hit opens a new one). Nothing after `end` is read.
SELECT id, day, rule, kind, metric, direction, topic, country, target_country, model_name, severity, status,
       last_hit_day, closed_day, n_hit_days, calm_days, peak_day, observed, threshold, critical, baseline, spread,
       value, n_articles, n_negative, n_outlets, n_total, evidence
FROM alert_states
WHERE model_name = $model
  AND as_of = (SELECT max(day) FROM processed_days WHERE model_name = $model AND day <= $end)
UNION ALL
SELECT id, day, rule, kind, metric, direction, topic, country, target_country, model_name, severity, status,
       last_hit_day, closed_day, n_hit_days, calm_days, peak_day, observed, threshold, critical, baseline, spread,
       value, n_articles, n_negative, n_outlets, n_total, evidence
FROM alerts
WHERE model_name = $model AND closed_day >= $start AND closed_day <= $end
ORDER BY day, rule, topic, country
