-- Grain: one row per (segment, cohort_date, user_id) of segment_membership: what the member did in the
-- :horizon_days days after the cohort date (90, or the activation or conversion window when longer; flags and days
-- to value; definitions in sql/marts/segment_outcomes.sql).
-- Input views: segment_membership (as_of_date, user_id, segment, family),
--              outcome_activity (user_id, activity_date, is_active, is_activation, is_conversion).
-- Used on a rebuild; a daily run reads the same facts from user_activity_state (member_outcomes_from_state.sql).
with membership as (
  select segment, family, as_of_date as cohort_date, user_id from segment_membership
),

activity as (
  select user_id, activity_date, is_active, is_activation, is_conversion from outcome_activity
)

select
  m.segment,
  m.family,
  m.cohort_date,
  m.user_id,
  max(case when a.is_active and datediff(a.activity_date, m.cohort_date) = 1 then 1 else 0 end)              as active_d1,
  max(case when a.is_active and datediff(a.activity_date, m.cohort_date) = 7 then 1 else 0 end)              as active_d7,
  max(case when a.is_active and datediff(a.activity_date, m.cohort_date) = 30 then 1 else 0 end)             as active_d30,
  max(case when a.is_active and datediff(a.activity_date, m.cohort_date) = 90 then 1 else 0 end)             as active_d90,
  max(case when a.is_active and datediff(a.activity_date, m.cohort_date) between 1 and 30 then 1 else 0 end)  as active_within_d30,
  min(case when a.is_activation
            and datediff(a.activity_date, m.cohort_date) <= :activation_days
            and a.activity_date <= :as_of then datediff(a.activity_date, m.cohort_date) end)                  as days_to_value,
  max(case when a.is_conversion
            and datediff(a.activity_date, m.cohort_date) <= :conversion_days then 1 else 0 end)                as converted
from membership m
left join activity a
  on  a.user_id = m.user_id
  and a.activity_date >= m.cohort_date
  and a.activity_date <= date_add(m.cohort_date, :horizon_days)
group by m.segment, m.family, m.cohort_date, m.user_id
