-- Alert episodes opened on or after a day, newest first.
SELECT id, day, rule, kind, metric, direction, topic, country, target_country, model_name, severity, status,
       last_hit_day, closed_day, n_hit_days, calm_days, peak_day, observed, threshold, critical, baseline, spread,
       value, n_articles, n_negative, n_outlets, n_total, evidence
FROM alerts
WHERE day >= ?
ORDER BY day DESC, rule, topic, country
