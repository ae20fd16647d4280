-- Grain: one row per valid event up to the end of the as-of day; a user's rows with the same dedupe key
-- (source.dedupe_key, default event_id) are kept once (the earliest copy), across all days read, so a late
-- duplicate counts once. Rows without a key cannot be deduplicated and are all kept.
-- Input view: stg_events_valid, the valid rows of stg_events_checked distributed by user_id, with dedupe_key.
-- Output keys: (user_id, dedupe key) (unique when the key is not empty).
with valid as (
  select * from stg_events_valid
),

ranked as (
  select
    *,
    row_number() over (partition by user_id, dedupe_key order by event_at, event_name) as copy_number
  from valid
)

select
  event_id,
  user_id,
  event_name,
  event_at,
  to_date(event_at)        as event_date,
  coalesce(revenue_usd, 0) as revenue_usd,
  properties
from ranked
where dedupe_key = '' or copy_number = 1
