SELECT day FROM processed_days WHERE day >= ? AND day < ? AND model_name = ? ORDER BY day
