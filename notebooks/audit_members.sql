-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Audit ten members of a segment
-- MAGIC The method's audit: pick ten members and check that each one qualifies. Set the segment in its widget.
-- MAGIC For the full explanation of one user run `./segments explain --as-of D --user U`.

-- COMMAND ----------

-- The database the pipeline writes (the config's database); ./segments notebook sets it from the config.
CREATE WIDGET TEXT database DEFAULT "segments"

-- COMMAND ----------

CREATE WIDGET TEXT segment DEFAULT "solo_explorers"

-- COMMAND ----------

select m.user_id, m.segment, m.entered_on, c.rule, f.*
from ${database}.segment_membership m
join ${database}.segment_catalog c on c.segment = m.segment
join ${database}.user_features f on f.user_id = m.user_id and f.as_of_date = m.as_of_date
where m.as_of_date = (select max(as_of_date) from ${database}.segment_membership)
  and m.segment = '${segment}'
order by xxhash64(m.user_id)
limit 10
