"""Delivery of alert notices to people: webhooks (generic JSON or Slack) and email, with retries."""
