-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Who entered and who left today
-- MAGIC Exits name the segment of the same family entered instead, if any.

-- COMMAND ----------

select segment, change, count(*) as users
from segments.segment_changes
where as_of_date = (select max(as_of_date) from segments.segment_changes)
group by segment, change
order by segment, change

-- COMMAND ----------

select user_id, segment, change, replaced_by
from segments.segment_changes
where as_of_date = (select max(as_of_date) from segments.segment_changes)
order by segment, change, user_id
limit 50
