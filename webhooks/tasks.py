import logging

import dramatiq

from pixeepim.workers import DEFAULT_QUEUE

logger = logging.getLogger(__name__)


@dramatiq.actor(queue_name=DEFAULT_QUEUE, max_retries=0)
def deliver_due_webhooks():
    from webhooks.services import deliver_due

    deliver_due()


def wake_deliverer():
    """Asks a worker to send due deliveries now. Best effort: if the broker is unreachable, the
    deliveries wait in the database for the workers' periodic look."""
    try:
        deliver_due_webhooks.send()
    except Exception:  # the outbox row is committed; only the wake-up is lost
        logger.warning("could not wake the webhook deliverer; deliveries wait for the periodic run", exc_info=True)
