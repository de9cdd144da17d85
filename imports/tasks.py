import dramatiq

from pixeepim.workers import IMPORTS_QUEUE

SIX_HOURS_MS = 6 * 60 * 60 * 1000


@dramatiq.actor(queue_name=IMPORTS_QUEUE, max_retries=3, time_limit=SIX_HOURS_MS)
def run_import(job_id):
    from imports import services

    # A retried or redelivered job goes on after its last committed batch.
    services.run_import(job_id)


@dramatiq.actor(queue_name=IMPORTS_QUEUE, max_retries=0)
def mark_import_failed(message_data, exception_data):
    """on_failure callback of run_import: the import failed for good."""
    from imports import services

    services.mark_failed(message_data["args"][0], f"{exception_data['type']}: {exception_data['message']}")


def enqueue(job_id):
    run_import.send_with_options(args=(str(job_id),), on_failure=mark_import_failed)
