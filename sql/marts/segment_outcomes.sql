-- Grain: one row per (segment, cohort_date): the users in the segment on cohort_date, and what happened to
-- them afterwards. Keys: (segment, cohort_date).
-- Retention: retention_dN = the share of the cohort active on day N after the cohort date (N = 1, 7, 30, 90),
-- the "N-day retention" of Amplitude and Mixpanel ("on" day N): every point counts one day, so a curve drawn
-- through them compares like with like (a wider window for a later day would make the curve rise). Final on day
-- N, like every outcome here. Churn_d30 = no activity on any of days 1..30. Activation = the activation event on
-- days 0..:activation_days after the cohort date (the cohort day itself counts); conversion likewise with
-- :conversion_days. Days to value count only activation events inside that window and on or before :as_of, so a
-- daily run and a rebuild agree. An outcome whose horizon lies after :as_of is null, not zero. The job adds
-- <rate>_lo and <rate>_hi, the 95% Wilson score interval of every rate.
-- Input view: member_outcomes (segment, family, cohort_date, user_id, active_d1, active_d7, active_d30, active_d90,
--   active_within_d30, days_to_value, converted): sql/intermediate/member_outcomes.sql on a rebuild, and
--   member_outcomes_from_state.sql (the same columns from user_activity_state) on a daily run.
with cohorts as (
  select
    segment,
    family,
    cohort_date,
    count(*)                                                                 as cohort_size,
    sum(active_d1)                                                           as retained_d1,
    sum(active_d7)                                                           as retained_d7,
    sum(active_d30)                                                          as retained_d30,
    sum(active_d90)                                                          as retained_d90,
    sum(1 - active_within_d30)                                               as churned_d30,
    sum(case when days_to_value <= :activation_days then 1 else 0 end)       as activated,
    sum(converted)                                                           as conversions,
    percentile(days_to_value, 0.5)                                           as median_days_to_value
  from member_outcomes
  group by segment, family, cohort_date
),

rates as (
  select
    segment,
    family,
    cohort_date,
    cohort_size,
    case when date_add(cohort_date, 1)  <= :as_of then retained_d1  / cohort_size end       as retention_d1,
    case when date_add(cohort_date, 7)  <= :as_of then retained_d7  / cohort_size end       as retention_d7,
    case when date_add(cohort_date, 30) <= :as_of then retained_d30 / cohort_size end       as retention_d30,
    case when date_add(cohort_date, 90) <= :as_of then retained_d90 / cohort_size end       as retention_d90,
    case when date_add(cohort_date, 30) <= :as_of then churned_d30  / cohort_size end       as churn_d30,
    case when date_add(cohort_date, :activation_days) <= :as_of then activated / cohort_size end   as activation_rate,
    case when date_add(cohort_date, :conversion_days) <= :as_of then conversions / cohort_size end as conversion_rate,
    case when date_add(cohort_date, :activation_days) <= :as_of then median_days_to_value end      as median_days_to_value
  from cohorts
)

select * from rates
