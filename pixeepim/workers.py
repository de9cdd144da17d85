"""Background workers: broker configuration and the in-process worker of the zero-setup mode.

With ``DRAMATIQ_BROKER_URL`` set (``redis://…`` or ``amqp://…``), jobs go to that broker and
``manage.py rundramatiq`` processes consume them. Unset, messages go to an in-memory broker and a
worker thread inside the current process runs them; it starts with the first enqueued message, so
the web process, a management command and the shell all work with no other server.
"""

import logging
import threading

import dramatiq
from dramatiq.middleware import Middleware

logger = logging.getLogger(__name__)

# Queues are named by purpose, so operators can give each its own worker pool.
DEFAULT_QUEUE = "default"
CONNECTORS_QUEUE = "connectors"
IMPORTS_QUEUE = "imports"
EXPORTS_QUEUE = "exports"
QUEUES = (DEFAULT_QUEUE, CONNECTORS_QUEUE, IMPORTS_QUEUE, EXPORTS_QUEUE)

_COMMON_MIDDLEWARE = [
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    # Records every job in the admin (Django Dramatiq › Tasks) so operators can follow them.
    "django_dramatiq.middleware.AdminMiddleware",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
]


def broker_settings(broker_url, namespace="dramatiq"):
    """The ``DRAMATIQ_BROKER`` setting for a broker URL (empty: in-memory broker).

    ``namespace`` prefixes the Redis keys, so several installations can share one Redis."""
    if broker_url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BROKER": "dramatiq.brokers.redis.RedisBroker",
            "OPTIONS": {"url": broker_url, "namespace": namespace},
            "MIDDLEWARE": _COMMON_MIDDLEWARE,
        }
    if broker_url.startswith(("amqp://", "amqps://")):
        return {
            "BROKER": "dramatiq.brokers.rabbitmq.RabbitmqBroker",
            "OPTIONS": {"url": broker_url},
            "MIDDLEWARE": _COMMON_MIDDLEWARE,
        }
    if broker_url:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DRAMATIQ_BROKER_URL must start with redis:// or amqp://.")
    return {
        "BROKER": "dramatiq.brokers.stub.StubBroker",
        "OPTIONS": {},
        "MIDDLEWARE": [*_COMMON_MIDDLEWARE, "pixeepim.workers.StartInProcessWorker"],
    }


class StartInProcessWorker(Middleware):
    """Starts one worker thread pool in this process when the first message is enqueued."""

    def __init__(self):
        self._lock = threading.Lock()
        self._worker = None

    def before_enqueue(self, broker, message, delay):
        from django.conf import settings

        if self._worker is not None or not settings.PIXEE_IN_PROCESS_WORKER:
            return
        with self._lock:
            if self._worker is None:
                logger.warning(
                    "DRAMATIQ_BROKER_URL is not set: jobs run in a worker inside this process "
                    "and are lost if it stops. Set DRAMATIQ_BROKER_URL for durable jobs."
                )
                worker = dramatiq.Worker(
                    broker, worker_threads=settings.PIXEE_IN_PROCESS_WORKER_THREADS
                )
                worker.start()
                self._worker = worker
