"""What every benchmark needs: a fresh PostgreSQL database, the app served by gunicorn on it, and
an account to call it with. Benchmarks print their figures; they are not part of the test suite."""

import multiprocessing
import os
import socket
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
BENCH_ENV = {
    "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "PIXEE_FERNET_KEYS": "YmVuY2gtb25seS1mZXJuZXQta2V5LTAxMjM0NTY3ODk=",
    "PIXEE_HTTPS": "0",  # gunicorn on plain http://127.0.0.1
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    # Benchmarks measure throughput, not the rate limiter.
    "PIXEE_RATE_READ": "1000000",
    "PIXEE_RATE_WRITE": "1000000",
    "PIXEE_RATE_AUTH": "1000000",
}


def setup_django(database_name):
    """Creates ``database_name`` afresh, points Django at it and migrates."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL.replace("postgres://", "postgresql://"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database_name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database_name}"')
    database_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{database_name}"
    os.environ.update(BENCH_ENV, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="pixeepim.settings")
    sys.path.insert(0, str(ROOT))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # gunicorn serves them as production does
    return database_url


def ean13(n):
    """A valid EAN-13 for sequence number ``n`` (right GS1 check digit)."""
    body = f"37{n:010d}"
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body))
    return body + str((10 - total % 10) % 10)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(workers=2, threads=1):
    """The app under gunicorn on 127.0.0.1, as production runs it; yields its base URL."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "pixeepim.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--threads", str(threads), "--log-level", "warning"],
        cwd=ROOT, env={**os.environ, "DJANGO_DEBUG": "0"},
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{base}/api/v1/graphql", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)


def account(scopes):
    """An organization, its owner (logged in through the admin form later) and an API key."""
    from pixeepim.auth.services import create_api_key
    from pixeepim.tenancy.services import bootstrap_account

    _, organization, user = bootstrap_account(tenant_name="Bench", org_name="Bench", email="bench@example.com",
                                              password="bench-password-1")
    _, key = create_api_key(organization=organization, name="bench", scopes=scopes)
    return organization, user, key


def median_ms(samples):
    return statistics.median(samples) * 1000


def timed(call):
    start = time.perf_counter()
    result = call()
    return time.perf_counter() - start, result


def in_a_fresh_process(target, *args):
    """Runs ``target(pipe, *args)`` in a new process (as a worker process would run a job, with its
    own memory) and returns what it sent through the pipe."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=target, args=(theirs, *args))
    process.start()
    result = ours.recv()
    process.join()
    return result
