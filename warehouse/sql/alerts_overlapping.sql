-- A model's episodes open at some point in [start, end]: opened by the end, not closed before the start.
SELECT id, day, rule, kind, metric, direction, topic, country, target_country, model_name, severity, status,
       last_hit_day, closed_day, n_hit_days, calm_days, peak_day, observed, threshold, critical, baseline, spread,
       value, n_articles, n_negative, n_outlets, n_total, evidence
FROM alerts
WHERE model_name = ? AND day <= ? AND (closed_day IS NULL OR closed_day >= ?)
ORDER BY day, rule, topic, country
