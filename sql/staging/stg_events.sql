-- Grain: one row per valid event up to the end of the as-of day; duplicates by dedupe_key (source.dedupe_key,
-- default event_id) are kept once (the earliest copy), across all days, so a late duplicate counts once.
-- Events without a key cannot be deduplicated and are all kept.
-- Input view: stg_events_checked. Output keys: the dedupe key (unique when not null).
with valid as (
  select * from stg_events_checked where quarantine_reason is null
),

ranked as (
  select
    *,
    row_number() over (partition by dedupe_key order by event_at, user_id, event_name) as copy_number
  from valid
)

select
  event_id,
  user_id,
  event_name,
  event_at,
  to_date(event_at)        as event_date,
  coalesce(revenue_usd, 0) as revenue_usd
from ranked
where dedupe_key is null or copy_number = 1
