-- Grain: one row per (cohort_grain, cohort_start, period_index): the users first active in a day, week or month
-- (cohort_start, in the configured time zone), and how many of them were active again period_index periods
-- later. The classic retention triangle; only periods that have started by :as_of are included.
-- Input view: outcome_activity (user_id, activity_date, is_active, ...). Keys: (cohort_grain, cohort_start,
-- period_index). Checks: active_users <= cohort_size; period 0 retention is 1.
with active as (
  select distinct user_id, activity_date from outcome_activity where is_active and activity_date <= :as_of
),

firsts as (
  select user_id, min(activity_date) as first_active_on from active group by user_id
),

grains as (
  select 'day' as cohort_grain union all select 'week' union all select 'month'
),

periods as (
  select
    g.cohort_grain,
    f.user_id,
    case g.cohort_grain
      when 'day'  then f.first_active_on
      when 'week' then to_date(date_trunc('week', f.first_active_on))
      else to_date(date_trunc('month', f.first_active_on))
    end as cohort_start,
    case g.cohort_grain
      when 'day'  then datediff(a.activity_date, f.first_active_on)
      when 'week' then cast(datediff(date_trunc('week', a.activity_date), date_trunc('week', f.first_active_on)) / 7
                            as int)
      else cast(months_between(date_trunc('month', a.activity_date), date_trunc('month', f.first_active_on)) as int)
    end as period_index
  from firsts f
  join active a on a.user_id = f.user_id
  cross join grains g
),

sizes as (
  select cohort_grain, cohort_start, count(distinct user_id) as cohort_size
  from periods where period_index = 0 group by cohort_grain, cohort_start
),

counts as (
  select cohort_grain, cohort_start, period_index, count(distinct user_id) as active_users
  from periods group by cohort_grain, cohort_start, period_index
)

select
  c.cohort_grain,
  c.cohort_start,
  c.period_index,
  s.cohort_size,
  c.active_users,
  c.active_users / s.cohort_size as retention
from counts c
join sizes s using (cohort_grain, cohort_start)
