-- Grain: one row per (cohort_grain, cohort_start, period_index, activity_date): the users of a cohort (first active
-- in a day, week or month) who count for a cell of the retention triangle on that day. A day counts for the week
-- (month) grain when it is the user's first active day of that week (month), so summing over activity_date gives
-- each cell's distinct users, and a daily run replaces only the rows of the days it changed.
-- Input view: active_user_days (user_id, activity_date, first_day, previous_day).
-- Keys: (cohort_grain, cohort_start, period_index, activity_date).
with cells as (
  select inline(array(
    named_struct(
      'cohort_grain', 'day',
      'cohort_start', first_day,
      'period_index', datediff(activity_date, first_day),
      'activity_date', activity_date,
      'counts', true),
    named_struct(
      'cohort_grain', 'week',
      'cohort_start', to_date(date_trunc('week', first_day)),
      'period_index', cast(datediff(date_trunc('week', activity_date), date_trunc('week', first_day)) / 7 as int),
      'activity_date', activity_date,
      'counts', previous_day is null or date_trunc('week', previous_day) <> date_trunc('week', activity_date)),
    named_struct(
      'cohort_grain', 'month',
      'cohort_start', to_date(date_trunc('month', first_day)),
      'period_index', cast(months_between(date_trunc('month', activity_date), date_trunc('month', first_day)) as int),
      'activity_date', activity_date,
      'counts', previous_day is null or date_trunc('month', previous_day) <> date_trunc('month', activity_date))))
  from active_user_days
)

select cohort_grain, cohort_start, period_index, activity_date, count(*) as active_users
from cells
where counts
group by cohort_grain, cohort_start, period_index, activity_date
