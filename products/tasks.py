import dramatiq

from pixeepim.workers import DEFAULT_QUEUE, EXPORTS_QUEUE
from products.services import jobs

ONE_HOUR_MS = 60 * 60 * 1000


@dramatiq.actor(queue_name=EXPORTS_QUEUE, max_retries=3, time_limit=ONE_HOUR_MS)
def run_export_job(job_id):
    jobs.run_export_job(job_id)


@dramatiq.actor(queue_name=DEFAULT_QUEUE, max_retries=3, time_limit=ONE_HOUR_MS)
def run_bulk_job(job_id):
    jobs.run_bulk_job(job_id)


@dramatiq.actor(queue_name=DEFAULT_QUEUE, max_retries=0)
def mark_job_failed(message_data, exception_data):
    """on_failure callback of the two actors above: the job failed for good."""
    jobs.mark_failed(message_data["args"][0], f"{exception_data['type']}: {exception_data['message']}")
