SELECT lang, count(*) AS articles FROM articles GROUP BY lang ORDER BY articles DESC
