-- Indicators of all languages together, start <= day <= end, for replays and reports.
SELECT day, topic, source_country, lang, model_name, n_articles, n_scored, n_negative, n_outlets,
       mean_sentiment, share_negative, baseline_mean, baseline_std, baseline_days, z_negative, evidence,
       target_country
FROM daily_indicators
WHERE day >= ? AND day <= ? AND model_name = ? AND lang = 'all'
ORDER BY day, topic, source_country, target_country
