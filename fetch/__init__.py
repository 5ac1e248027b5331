"""Network I/O of ingestion: one HTTP client (timeouts, retries, conditional GET, per-host rate limit,
size cap, robots.txt, public addresses only), feed and page collection, and the GDELT DOC API.
Parsing and cleaning of what is fetched stays in `pipeline/` (pure functions over bytes)."""
