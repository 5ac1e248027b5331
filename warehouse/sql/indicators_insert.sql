INSERT INTO daily_indicators (day, topic, source_country, target_country, lang, model_name, n_articles, n_scored,
                              n_negative, n_outlets, mean_sentiment, share_negative, baseline_mean, baseline_std,
                              baseline_days, z_negative, evidence, computed_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
