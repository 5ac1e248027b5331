SELECT alert_id FROM notifications WHERE channel = ? AND event = ?
