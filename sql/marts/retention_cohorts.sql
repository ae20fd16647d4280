-- Grain: one row per (cohort_grain, cohort_start, period_index): the users first active in a day, week or month
-- (cohort_start, in the configured time zone), and how many of them were active again period_index periods
-- later. The classic retention triangle; only periods that have started by :as_of are included.
-- Input view: outcome_activity (user_id, activity_date, is_active, ...), one row per (user_id, activity_date).
-- Keys: (cohort_grain, cohort_start, period_index). Checks: active_users <= cohort_size; period 0 retention is 1.
-- Cost: one pass over the active user-days; each user-period is counted once, without count(distinct).
with active as (
  select user_id, activity_date from outcome_activity where is_active and activity_date <= :as_of
),

grains as (
  select 'day' as cohort_grain union all select 'week' union all select 'month'
),

user_periods as (
  select distinct
    g.cohort_grain,
    a.user_id,
    case g.cohort_grain
      when 'day'  then a.activity_date
      when 'week' then to_date(date_trunc('week', a.activity_date))
      else to_date(date_trunc('month', a.activity_date))
    end as period_start
  from active a
  cross join grains g
),

cohorts as (
  select
    cohort_grain,
    user_id,
    period_start,
    min(period_start) over (partition by cohort_grain, user_id) as cohort_start
  from user_periods
),

counts as (
  select
    cohort_grain,
    cohort_start,
    case cohort_grain
      when 'day'  then datediff(period_start, cohort_start)
      when 'week' then cast(datediff(period_start, cohort_start) / 7 as int)
      else cast(months_between(period_start, cohort_start) as int)
    end as period_index,
    count(*) as active_users
  from cohorts
  group by 1, 2, 3
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
