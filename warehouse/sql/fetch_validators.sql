-- The ETag / Last-Modified of each feed URL as of its latest successful fetch (200 or 304).
SELECT url, etag, last_modified FROM (
    SELECT url, etag, last_modified FROM fetch_log
    WHERE kind = 'feed' AND outcome IN ('fetched', 'not_modified')
    QUALIFY row_number() OVER (PARTITION BY url ORDER BY fetched_at DESC) = 1
) WHERE etag IS NOT NULL OR last_modified IS NOT NULL
