-- Notices already dealt with on a channel (sent, or skipped on purpose): never sent again.
SELECT DISTINCT alert_id, event, day, channel FROM deliveries WHERE status IN ('sent', 'skipped')
