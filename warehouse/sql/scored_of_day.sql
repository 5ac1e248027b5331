SELECT a.id, a.day, a.source, a.source_country, a.lang, s.sentiment_label, s.sentiment_score, s.topics
FROM articles a JOIN article_scores s ON s.article_id = a.id
WHERE a.day = ? AND s.model_name = ?
ORDER BY a.id
