-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Segment sizes
-- MAGIC Members per segment on the latest day, and over the last 30 days.

-- COMMAND ----------

-- The database the pipeline writes (the config's database); ./segments notebook sets it from the config.
CREATE WIDGET TEXT database DEFAULT "segments"

-- COMMAND ----------

select segment, family, size, round(100 * share_of_base, 1) as pct_of_users, size_change, last_refreshed_on
from ${database}.segment_catalog
order by family, priority

-- COMMAND ----------

select as_of_date, segment, count(*) as members
from ${database}.segment_membership
where as_of_date > date_sub((select max(as_of_date) from ${database}.segment_membership), 30)
group by as_of_date, segment
order by as_of_date desc, segment
