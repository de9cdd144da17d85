"""Background workers: broker configuration and the in-process worker of the zero-setup mode.

With ``DRAMATIQ_BROKER_URL`` set (``redis://…`` or ``amqp://…``), jobs go to that broker and
``manage.py rundramatiq`` processes consume them. Unset, messages go to an in-memory broker and a
worker thread inside the current process runs them; it starts with the first enqueued message, so
the web process, a management command and the shell all work with no other server.
"""

import logging
import threading
import time
from collections.abc import Callable
from typing import NamedTuple

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
    "pixeepim.workers.PeriodicTasks",
    "dramatiq.middleware.AgeLimit",
    "dramatiq.middleware.TimeLimit",
    "dramatiq.middleware.Callbacks",
    "dramatiq.middleware.Retries",
    # Records every job in the admin (Django Dramatiq › Tasks) so operators can follow them.
    "django_dramatiq.middleware.AdminMiddleware",
    "django_dramatiq.middleware.DbConnectionsMiddleware",
]


def broker_settings(broker_url, namespace="dramatiq", heartbeat_timeout_ms=60_000, maintenance_chance=1000):
    """The ``DRAMATIQ_BROKER`` setting for a broker URL (empty: in-memory broker).

    ``namespace`` prefixes the Redis keys, so several installations can share one Redis. With Redis,
    the messages a dead worker had taken are given to others once it has missed its heartbeats for
    ``heartbeat_timeout_ms``; workers look for such messages on ``maintenance_chance`` of every
    million broker commands."""
    if broker_url.startswith(("redis://", "rediss://", "unix://")):
        return {
            "BROKER": "dramatiq.brokers.redis.RedisBroker",
            "OPTIONS": {"url": broker_url, "namespace": namespace, "heartbeat_timeout": heartbeat_timeout_ms,
                        "maintenance_chance": maintenance_chance},
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
        self.start(broker)

    def start(self, broker):
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


def start_in_process_worker():
    """Starts the in-process worker now (the web process does, so scheduled work runs without any
    job having been enqueued); does nothing when a broker is configured."""
    broker = dramatiq.get_broker()
    for middleware in broker.middleware:
        if isinstance(middleware, StartInProcessWorker):
            middleware.start(broker)


class _Periodic(NamedTuple):
    seconds: float
    function: Callable[[], object]


_PERIODIC: list[_Periodic] = []


def every(seconds, function):
    """Runs ``function`` every ``seconds`` in each worker process (registered from an app's ready()).

    Every worker process runs it, so it must be safe to run concurrently on several machines
    (e.g. claim rows with ``SELECT … FOR UPDATE SKIP LOCKED``)."""
    _PERIODIC.append(_Periodic(seconds, function))


class PeriodicTasks(Middleware):
    """Starts one thread per worker process that calls the registered periodic functions."""

    def __init__(self):
        self._stop = threading.Event()

    def after_worker_boot(self, broker, worker):
        if _PERIODIC:
            threading.Thread(target=self._loop, name="pixeepim-periodic", daemon=True).start()

    def before_worker_shutdown(self, broker, worker):
        self._stop.set()

    def _loop(self):
        from django.db import close_old_connections

        last_run = {}
        tick = min(task.seconds for task in _PERIODIC)
        while not self._stop.wait(timeout=tick if last_run else 0):
            now = time.monotonic()
            for task in _PERIODIC:
                if now - last_run.get(task, -task.seconds) < task.seconds:
                    continue
                last_run[task] = now
                try:
                    task.function()
                except Exception:  # one failing run must not stop the schedule
                    logger.exception("periodic task %s failed", task.function.__qualname__)
                finally:
                    close_old_connections()
