import dramatiq

from pixeepim.auth.services import purge_expired_sessions
from pixeepim.workers import DEFAULT_QUEUE


@dramatiq.actor(queue_name=DEFAULT_QUEUE, max_retries=3)
def purge_expired_sessions_job():
    """The ``purge_tokens`` command as a job, for schedulers that enqueue rather than exec."""
    purge_expired_sessions()
