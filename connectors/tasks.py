import dramatiq

from connectors.sync_base import engine
from pixeepim.workers import CONNECTORS_QUEUE

SIX_HOURS_MS = 6 * 60 * 60 * 1000


@dramatiq.actor(queue_name=CONNECTORS_QUEUE, max_retries=5, time_limit=SIX_HOURS_MS)
def run_sync_job(job_id):
    # A retried or redelivered message resumes the job from its last checkpoint.
    engine.run_job(job_id)


@dramatiq.actor(queue_name=CONNECTORS_QUEUE, max_retries=0)
def mark_sync_job_failed(message_data, exception_data):
    """on_failure callback of run_sync_job: the job failed for good."""
    engine.mark_failed(message_data["args"][0], f"{exception_data['type']}: {exception_data['message']}")


def enqueue(job_id):
    run_sync_job.send_with_options(args=(str(job_id),), on_failure=mark_sync_job_failed)
