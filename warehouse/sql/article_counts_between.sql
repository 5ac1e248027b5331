SELECT day, count(*) FROM articles WHERE day BETWEEN ? AND ? GROUP BY day
