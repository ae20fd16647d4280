-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Retention by segment — the classic cohort table
-- MAGIC Cohort = the members of a segment on a day. dN = N-day retention: the share active on day N after the
-- MAGIC cohort date. Each column pools the cohort dates whose day N has passed, as validate's day-30 check does
-- MAGIC (the report's curves pool one set of cohort dates per segment instead, so their points compare the same
-- MAGIC members). Day-30 retention should differ by 15-20 points between segments of a family; fewer than ~200
-- MAGIC members is too small to trust.

-- COMMAND ----------

-- The database the pipeline writes (the config's database); ./segments notebook sets it from the config.
CREATE WIDGET TEXT database DEFAULT "segments"

-- COMMAND ----------

select
  segment,
  family,
  sum(cohort_size) as member_days,
  round(100 * sum(retention_d1 * cohort_size) / sum(case when retention_d1 is not null then cohort_size end), 1) as d1,
  round(100 * sum(retention_d7 * cohort_size) / sum(case when retention_d7 is not null then cohort_size end), 1) as d7,
  round(100 * sum(retention_d30 * cohort_size) / sum(case when retention_d30 is not null then cohort_size end), 1) as d30,
  round(100 * sum(retention_d90 * cohort_size) / sum(case when retention_d90 is not null then cohort_size end), 1) as d90
from ${database}.segment_outcomes
group by segment, family
order by family, d30 desc

-- COMMAND ----------

select cohort_start, cohort_size, period_index, round(100 * retention, 1) as pct_active
from ${database}.retention_cohorts
where cohort_grain = 'week' and period_index <= 8
order by cohort_start desc, period_index
