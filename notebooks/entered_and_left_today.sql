-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Who entered and who left today
-- MAGIC Exits name the segment of the same family entered instead, if any.

-- COMMAND ----------

-- The database the pipeline writes (the config's database); ./segments notebook sets it from the config.
CREATE WIDGET TEXT database DEFAULT "segments"

-- COMMAND ----------

select segment, change, count(*) as users
from ${database}.segment_changes
where as_of_date = (select max(as_of_date) from ${database}.segment_changes)
group by segment, change
order by segment, change

-- COMMAND ----------

select user_id, segment, change, replaced_by
from ${database}.segment_changes
where as_of_date = (select max(as_of_date) from ${database}.segment_changes)
order by segment, change, user_id
limit 50
