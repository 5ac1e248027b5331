INSERT INTO deliveries (alert_id, event, day, channel, attempt, status, error, logged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
