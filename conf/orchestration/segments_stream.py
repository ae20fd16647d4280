"""Airflow DAG: the event-refreshed segments (refresh: event) every 10 minutes, beside segments_daily.

`stream --once` processes the events that arrived since its last batch and stops (its checkpoint, under the
output database, says where it stopped). Exit codes as in segments_daily.py; 5 here means another stream holds the
stream lock (a long-running `stream --trigger 1m`, or the previous schedule still going): skipped, not retried. The
stream waits while the daily run holds its own lock, so both DAGs can run on the same warehouse.
"""
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.exceptions import AirflowSkipException
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

TIME_ZONE = "America/New_York"


class StreamSubmitOperator(SparkSubmitOperator):
    """spark-submit that skips when another stream holds the stream lock (exit code 5)."""

    def execute(self, context):
        try:
            return super().execute(context)
        except Exception as error:
            if "Error code is: 5." in str(error):
                raise AirflowSkipException("another stream holds the stream lock") from error
            raise


with DAG(
    dag_id="segments_stream",
    start_date=pendulum.datetime(2026, 1, 1, tz=TIME_ZONE),
    schedule="*/10 * * * *",
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": timedelta(minutes=2), "email_on_failure": True},
) as dag:
    StreamSubmitOperator(
        task_id="segments_stream",
        conn_id="spark_default",
        application="/opt/segments/segments.jar",
        java_class="io.segments.jobs.Main",
        conf={
            "spark.sql.extensions": "io.delta.sql.DeltaSparkSessionExtension",
            "spark.sql.catalog.spark_catalog": "org.apache.spark.sql.delta.catalog.DeltaCatalog",
        },
        application_args=["stream", "--once", "--config", "/opt/segments/conf/cluster.yaml"],
    )
