SELECT al.id, al.day, al.rule, al.topic, al.country, al.model_name, al.severity, al.observed, al.threshold,
       al.baseline, al.status, al.last_hit_day, al.closed_day, al.n_hit_days, al.evidence,
       list(struct_pack(id := a.id, source := a.source, lang := a.lang, title := a.title,
                        score := s.sentiment_score) ORDER BY s.sentiment_score) FILTER (WHERE a.id IS NOT NULL)
           AS evidence_articles
FROM alerts al
LEFT JOIN articles a ON list_contains(al.evidence, a.id)
LEFT JOIN article_scores s ON s.article_id = a.id AND s.model_name = al.model_name
WHERE al.day >= ?
GROUP BY ALL
ORDER BY al.day DESC, al.rule, al.topic, al.country
