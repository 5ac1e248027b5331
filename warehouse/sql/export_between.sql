-- The rows of one analyst table or view whose day column (t[$day]: the row as a struct, the column by its
-- name) lies in [$since, $until]; a NULL bound is open. Names are checked against warehouse/export.py's
-- allow-list and bound here, never pasted into the statement.
SELECT * FROM query_table($name) t
WHERE ($since IS NULL OR t[$day] >= $since) AND ($until IS NULL OR t[$day] <= $until)
