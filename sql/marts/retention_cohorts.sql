-- Grain: one row per (cohort_grain, cohort_start, period_index): the users first active in a day, week or month
-- (cohort_start, in the configured time zone), and how many of them were active again period_index periods
-- later. The classic retention triangle; only periods that have started by the as-of day are included.
-- Input view: retention_cell_days (see sql/intermediate/retention_cell_days.sql).
-- Keys: (cohort_grain, cohort_start, period_index). Checks: active_users <= cohort_size; period 0 retention is 1.
-- Cost: a sum over the cell days, a small table (cells x days per period), however long the history.
with counts as (
  select cohort_grain, cohort_start, period_index, sum(active_users) as active_users
  from retention_cell_days
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
