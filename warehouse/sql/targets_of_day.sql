SELECT article_id, target_country, sentiment_label, sentiment_score
FROM article_targets
WHERE day = ? AND model_name = ?
ORDER BY article_id, target_country
