INSERT INTO alert_transitions (alert_id, day, event, model_name, severity, previous_severity, observed, threshold,
                               baseline, spread, value, n_articles, n_negative, n_outlets, n_total, evidence)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
