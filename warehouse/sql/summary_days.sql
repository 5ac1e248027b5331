SELECT count(*) AS days, min(day) AS first_day, max(day) AS last_day FROM processed_days WHERE model_name = ?
