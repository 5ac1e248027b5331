INSERT INTO rule_hits (day, rule, topic, country, target_country, model_name, kind, metric, direction, severity,
                       observed, threshold, critical, baseline, spread, value, n_articles, n_negative, n_outlets,
                       n_total, history_days, evidence)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
