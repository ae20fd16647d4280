-- Grain: one row per source event in scope for the run as of :as_of (stamped before the end of that day in
-- the session time zone, stamped in the future, or without a usable stamp), with the reason it is refused.
-- quarantine_reason is null for valid rows.
-- Input view: source_events (event_id, user_id, event_name, event_at_raw, event_at_parsed, revenue_raw,
-- anonymous_id, properties, is_known_event, is_readable_properties), the source table with its columns renamed by source.columns; event_at_parsed
-- is event_at_raw read by the source's timestamp rule (null when it cannot be read). A row with only an
-- anonymous id (after identity stitching, when on) is 'anonymous_only': set aside, neither stored nor counted.
-- Params: :as_of (date), :future_limit (timestamp: now + source.future_tolerance_hours).
with source as (
  select * from source_events
),

typed as (
  select
    cast(event_id as string)                     as event_id,
    nullif(trim(cast(user_id as string)), '')    as user_id,
    nullif(trim(cast(event_name as string)), '') as event_name,
    event_at_parsed                              as event_at,
    cast(event_at_raw as string)                 as event_at_raw,
    try_cast(revenue_raw as double)              as revenue_usd,
    cast(revenue_raw as string)                  as revenue_raw,
    nullif(trim(cast(anonymous_id as string)), '') as anonymous_id,
    properties,
    is_known_event,
    is_readable_properties
  from source
),

checked as (
  select
    *,
    case
      when user_id is null and anonymous_id is not null then 'anonymous_only'
      when user_id is null                             then 'null_or_empty_user_id'
      when event_at_raw is null                        then 'null_timestamp'
      when event_at is null                            then 'unparsable_timestamp'
      when event_at > :future_limit                    then 'future_timestamp'
      when event_name is null                          then 'null_event_name'
      when not is_known_event                          then 'unknown_event_name'
      when not is_readable_properties                  then 'unparsable_properties'
      when revenue_raw is not null and revenue_usd is null then 'non_numeric_revenue'
      when isnan(revenue_usd) or abs(revenue_usd) = double('Infinity') then 'non_finite_revenue'
      when revenue_usd < 0                             then 'negative_revenue'
    end as quarantine_reason
  from typed
  where event_at is null
     or to_date(event_at) <= :as_of
     or event_at > :future_limit
)

select * from checked
