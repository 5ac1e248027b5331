-- A model's rule hits from a day on: what an episode replay needs.
SELECT day, rule, topic, country, model_name, severity, observed, threshold, baseline, n_articles, evidence,
       target_country, kind, metric, direction, spread, critical, value, n_negative, n_outlets, n_total, history_days
FROM rule_hits WHERE model_name = ? AND day >= ?
ORDER BY day, rule, topic, country, target_country
