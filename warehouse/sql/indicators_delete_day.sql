DELETE FROM daily_indicators WHERE day = ? AND model_name = ?
