-- Evidence articles by id, with their score by a model (no sentence table: the title is the evidence).
SELECT a.id, a.day, a.source, a.source_country, a.lang, a.title, a.url, s.sentiment_label, s.sentiment_score,
       [] AS sentences
FROM articles a
LEFT JOIN article_scores s ON s.article_id = a.id AND s.model_name = ?
WHERE list_contains(?, a.id)
