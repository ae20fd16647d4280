-- Grain: one row per valid event up to the end of the as-of day; a user's row with the same dedupe key
-- (source.dedupe_key, default event_id) as an earlier copy is dropped (the earliest copy is kept), also on another
-- day, so a late duplicate counts once. With source.lookback_days N > 0 (:horizon_days), a copy is a duplicate when
-- it comes at most N days after the copy before it: a daily run reads the N days before its lookback too, so it sees
-- every copy a full run compares with, and both count the same. With 0, over all history. Rows without a key
-- cannot be deduplicated and are all kept.
-- Input view: stg_events_valid, the valid rows of stg_events_checked distributed by user_id, with dedupe_key.
-- Params: :horizon_days (int).
-- Output keys: (user_id, dedupe key, event_at) (unique when the key is not empty).
with valid as (
  select * from stg_events_valid
),

ranked as (
  select
    *,
    lag(event_at) over (partition by user_id, dedupe_key order by event_at, event_name) as previous_copy_at
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
where dedupe_key = ''
   or previous_copy_at is null
   or (:horizon_days > 0 and previous_copy_at < event_at - make_dt_interval(:horizon_days))
