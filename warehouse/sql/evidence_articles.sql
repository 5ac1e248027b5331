-- Evidence articles by id, with their score by a model and their sentences, most negative first.
SELECT a.id, a.day, a.source, a.source_country, a.lang, a.title, a.url, s.sentiment_label, s.sentiment_score,
       coalesce(list(struct_pack(no := ss.sentence_no, text := ss.text, label := ss.sentiment_label,
                                 score := ss.sentiment_score)
                     ORDER BY ss.sentiment_score NULLS LAST, ss.sentence_no)
                FILTER (WHERE ss.sentence_no IS NOT NULL), []) AS sentences
FROM articles a
LEFT JOIN article_scores s ON s.article_id = a.id AND s.model_name = ?
LEFT JOIN sentence_scores ss ON ss.article_id = a.id AND ss.model_name = ?
WHERE list_contains(?, a.id)
GROUP BY ALL
