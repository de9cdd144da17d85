import dramatiq

from pixeepim.workers import EXPORTS_QUEUE

ONE_HOUR_MS = 60 * 60 * 1000


@dramatiq.actor(queue_name=EXPORTS_QUEUE, max_retries=3, time_limit=ONE_HOUR_MS)
def run_export(job_id):
    from exports import services

    # A retried export starts its file over: a partial file is never kept.
    services.run_export(job_id)


@dramatiq.actor(queue_name=EXPORTS_QUEUE, max_retries=0)
def mark_export_failed(message_data, exception_data):
    """on_failure callback of run_export: the export failed for good."""
    from exports import services

    services.mark_failed(message_data["args"][0], f"{exception_data['type']}: {exception_data['message']}")
