DELETE FROM sentence_scores WHERE day = ? AND model_name = ?
