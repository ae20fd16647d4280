-- Grain: one row per (user_id, activity_date, event_name, properties); activity_date is the calendar day in the
-- configured time zone; properties is the struct of the event properties some feature's where names (null, and
-- dropped by the job, when none does). Feeds every feature (all kinds read only this table) and the outcomes.
-- checksum: the sum of a hash of each event's fields, so the day's fingerprint changes with any event.
-- Input view: stg_events. Checks: (user_id, activity_date, event_name, properties) unique; event_count >= 1.
with events as (
  select * from stg_events
),

daily as (
  select
    user_id,
    event_date       as activity_date,
    event_name,
    properties,
    count(*)         as event_count,
    sum(revenue_usd) as revenue_usd,
    min(event_at)    as first_event_at,
    max(event_at)    as last_event_at,
    sum(xxhash64(event_id, user_id, event_name, event_at, revenue_usd, properties)) as checksum
  from events
  group by user_id, event_date, event_name, properties
)

select * from daily
