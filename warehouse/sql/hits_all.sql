SELECT day, rule, topic, country, model_name, severity, observed, threshold, baseline, n_articles, evidence
FROM rule_hits WHERE model_name = ? ORDER BY day, rule, topic, country
