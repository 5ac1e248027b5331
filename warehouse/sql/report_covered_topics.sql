-- Topics by their articles over [start, end] (all source countries together).
SELECT topic, sum(n_articles) AS n
FROM daily_indicators
WHERE day >= ? AND day <= ? AND model_name = ? AND lang = 'all' AND source_country = 'all'
  AND target_country = 'all' AND topic <> 'all'
GROUP BY topic
ORDER BY n DESC, topic
