-- Grain: one row per (segment, cohort_date, user_id) of segment_membership, with the columns of
-- member_outcomes.sql, read from each member's user_activity_state row (the days it was active, activated and
-- converted in the state's window) instead of a join to the activity of 90 days. A daily run uses it for the
-- cohorts it recomputes, all inside the window; the same facts, so the same segment_outcomes as a rebuild.
-- Input views: segment_membership (as_of_date, user_id, segment, family),
--              user_activity_state (user_id, first_active_on, active_days, activation_days, conversion_days).
with membership as (
  select segment, family, as_of_date as cohort_date, user_id from segment_membership
)

select
  m.segment,
  m.family,
  m.cohort_date,
  m.user_id,
  if(coalesce(exists(s.active_days, d -> datediff(d, m.cohort_date) = 1), false), 1, 0)               as active_d1,
  if(coalesce(exists(s.active_days, d -> datediff(d, m.cohort_date) = 7), false), 1, 0)               as active_d7,
  if(coalesce(exists(s.active_days, d -> datediff(d, m.cohort_date) = 30), false), 1, 0)              as active_d30,
  if(coalesce(exists(s.active_days, d -> datediff(d, m.cohort_date) = 90), false), 1, 0)              as active_d90,
  if(coalesce(exists(s.active_days, d -> datediff(d, m.cohort_date) between 1 and 30), false), 1, 0)  as active_within_d30,
  array_min(transform(
    filter(s.activation_days, d -> datediff(d, m.cohort_date) between 0 and :activation_days
                                   and d <= :as_of),
    d -> datediff(d, m.cohort_date)))                                                                 as days_to_value,
  if(coalesce(exists(s.conversion_days,
    d -> datediff(d, m.cohort_date) between 0 and :conversion_days), false), 1, 0)          as converted
from membership m
left join user_activity_state s
  on s.user_id = m.user_id
