INSERT INTO article_targets (article_id, model_name, target_country, day, n_sentences, mentions, sentiment_label,
                             sentiment_score, p_negative, p_neutral, p_positive, model_version)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
