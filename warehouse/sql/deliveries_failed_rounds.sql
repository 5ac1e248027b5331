-- Failed delivery rounds per notice and channel: a round logs its attempts 1, 2, ...; one that failed
-- has its first attempt failed (a sent round ends the notice; see deliveries_final).
SELECT alert_id, event, day, channel, count(*) FROM deliveries WHERE status = 'failed' AND attempt = 1 GROUP BY ALL
