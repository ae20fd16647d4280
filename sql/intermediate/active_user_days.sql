-- Grain: one row per (user_id, activity_date) on which the user was active (validate.active_events), up to :as_of,
-- with the user's first active day and the active day before this one. Keys: (user_id, activity_date).
-- Input view: outcome_activity (user_id, activity_date, is_active, ...), one row per (user_id, activity_date).
-- The input of retention_cell_days on a rebuild; a daily run builds the same rows for its changed days from
-- user_activity_state instead, without reading all history.
select
  user_id,
  activity_date,
  min(activity_date) over (partition by user_id order by activity_date) as first_day,
  lag(activity_date) over (partition by user_id order by activity_date) as previous_day
from outcome_activity
where is_active and activity_date <= :as_of
