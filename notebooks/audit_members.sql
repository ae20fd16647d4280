-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Audit ten members of a segment
-- MAGIC The method's audit: pick ten members and check that each one qualifies. Change the segment below.
-- MAGIC For the full explanation of one user run `./segments explain --as-of D --user U`.

-- COMMAND ----------

select m.user_id, m.segment, m.entered_on, c.rule, f.*
from segments.segment_membership m
join segments.segment_catalog c on c.segment = m.segment
join segments.user_features f on f.user_id = m.user_id and f.as_of_date = m.as_of_date
where m.as_of_date = (select max(as_of_date) from segments.segment_membership)
  and m.segment = 'solo_explorers'
order by xxhash64(m.user_id)
limit 10
