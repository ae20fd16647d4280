"""Airflow DAG: the daily behavioral-segments run, then an optional PostgreSQL sync.

Exit codes of the job (see README): 0 ok; 1 failure (retried); 2 bad arguments or config, 3 input data
refused, 4 publish guard tripped -- these are not fixed by retrying, so the task fails at once and alerts;
5 another run holds the lock -- not a crash: the task fails at once without burning retries (the next
schedule, or a manual clear once the other run ends, runs it); 6 the day's events have not arrived (source
freshness) -- retried like a failure, every retry_delay, since the data may land later; nothing was written.
"""
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.exceptions import AirflowFailException
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# The zone of conf/cluster.yaml's time_zone: a day ends at midnight there, not at midnight UTC.
TIME_ZONE = "America/New_York"
# Run at 03:30 in that zone (02:30 does not exist on the spring-forward day): after the day has ended, with
# 3.5 hours for late events to land. The as-of date is the day that just ended: the start of the data interval,
# in the same zone.
SCHEDULE = "30 3 * * *"

NO_RETRY_EXIT_CODES = {2: "bad arguments or config", 3: "input data refused", 4: "publish guard tripped",
                       5: "another run holds the lock"}


class SegmentsSubmitOperator(SparkSubmitOperator):
    """spark-submit that turns the job's non-retryable exit codes into an immediate failure with alert."""

    def execute(self, context):
        try:
            return super().execute(context)
        except Exception as error:  # spark-submit reports "Cannot execute: ... Error code is: N."
            for code, meaning in NO_RETRY_EXIT_CODES.items():
                if f"Error code is: {code}." in str(error):
                    raise AirflowFailException(f"segments exited {code} ({meaning}); not retrying") from error
            raise


with DAG(
    dag_id="segments_daily",
    start_date=pendulum.datetime(2026, 1, 1, tz=TIME_ZONE),  # a zoned start: the cron runs in TIME_ZONE
    schedule=SCHEDULE,
    catchup=False,
    max_active_runs=1,  # the job also refuses a concurrent run on the same warehouse
    default_args={
        "retries": 2,
        "retry_delay": timedelta(minutes=15),
        "email_on_failure": True,
    },
) as dag:
    run = SegmentsSubmitOperator(
        task_id="segments_run",
        conn_id="spark_default",
        application="/opt/segments/segments.jar",
        java_class="io.segments.jobs.Main",
        conf={
            "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
            "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        },
        # segments-command-begin
        application_args=["run", "--as-of", "{{ data_interval_start.in_timezone('America/New_York') | ds }}",
                          "--config", "/opt/segments/conf/cluster.yaml"],
        # segments-command-end
    )
