-- Grain: one row per (cohort_grain, cohort_start, period_index): the users first active in a day, week or month
-- (cohort_start, in the configured time zone), and how many of them were active again period_index periods
-- later. The classic retention triangle; only periods that have started by :as_of are included.
-- Input view: outcome_activity (user_id, activity_date, is_active, ...), one row per (user_id, activity_date).
-- Keys: (cohort_grain, cohort_start, period_index). Checks: active_users <= cohort_size; period 0 retention is 1.
-- Cost: one window over each user's active days, in date order: a day counts for the week (month) grain when
-- it is the user's first active day of that week (month), so no count(distinct) and no join is needed.
with active as (
  select user_id, activity_date from outcome_activity where is_active and activity_date <= :as_of
),

ordered as (
  select
    user_id,
    activity_date,
    min(activity_date) over (partition by user_id order by activity_date) as first_day,
    lag(activity_date) over (partition by user_id order by activity_date) as previous_day
  from active
),

cells as (
  select inline(array(
    named_struct(
      'cohort_grain', 'day',
      'cohort_start', first_day,
      'period_index', datediff(activity_date, first_day),
      'counts', true),
    named_struct(
      'cohort_grain', 'week',
      'cohort_start', to_date(date_trunc('week', first_day)),
      'period_index', cast(datediff(date_trunc('week', activity_date), date_trunc('week', first_day)) / 7 as int),
      'counts', previous_day is null or date_trunc('week', previous_day) <> date_trunc('week', activity_date)),
    named_struct(
      'cohort_grain', 'month',
      'cohort_start', to_date(date_trunc('month', first_day)),
      'period_index', cast(months_between(date_trunc('month', activity_date), date_trunc('month', first_day)) as int),
      'counts', previous_day is null or date_trunc('month', previous_day) <> date_trunc('month', activity_date))))
  from ordered
),

counts as (
  select cohort_grain, cohort_start, period_index, count(*) as active_users
  from cells
  where counts
  group by cohort_grain, cohort_start, period_index
)

select
  c.cohort_grain,
  c.cohort_start,
  c.period_index,
  s.active_users as cohort_size,
  c.active_users,
  c.active_users / s.active_users as retention
from counts c
join counts s
  on s.cohort_grain = c.cohort_grain and s.cohort_start = c.cohort_start and s.period_index = 0
