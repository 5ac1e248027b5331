INSERT INTO sentence_scores (article_id, model_name, sentence_no, day, start_char, end_char, text, sentiment_label,
                             sentiment_score, p_negative, p_neutral, p_positive, model_version, targets)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
