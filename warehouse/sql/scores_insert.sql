INSERT INTO article_scores (article_id, day, sentiment_label, sentiment_score, topics, topic_terms, model_name,
                            model_version, taxonomy_version, scored_at, topic_model, topic_evidence)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
