SELECT day, source_country, n_articles, n_negative, round(mean_sentiment, 3) AS mean_sentiment,
       round(share_negative, 3) AS share_negative, round(z_negative, 2) AS z_negative
FROM daily_indicators
WHERE model_name = ? AND topic = 'all' AND lang = 'all' AND target_country = 'all' AND source_country <> 'all'
  AND day > (SELECT max(day) FROM daily_indicators WHERE model_name = ?) - CAST(? AS INTEGER)
ORDER BY day, source_country
