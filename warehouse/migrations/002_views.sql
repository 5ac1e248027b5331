-- Analyst views.

CREATE VIEW scored_articles AS
SELECT a.id, a.day, a.published_at, a.source, a.source_country, a.lang, a.title, a.url,
       s.sentiment_label, s.sentiment_score, s.topics, s.model_name, s.model_version
FROM articles a JOIN article_scores s ON s.article_id = a.id;

CREATE VIEW open_alerts AS
SELECT * FROM alerts WHERE status = 'open' ORDER BY day DESC, severity DESC;
