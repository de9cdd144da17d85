"""What the sync tests share: running a job as a worker would, and published products."""

from connectors import services
from connectors.sync_base import engine
from pixeepim.auth.actors import SYSTEM
from tests.products.factories import ProductFactory


def sync(connector, kind, product_ids=None):
    """Starts a job of ``kind`` and runs it here, as a worker would; returns it finished."""
    job = services.start_sync(connector=connector, kind=kind, actor=SYSTEM, product_ids=product_ids)
    engine.run_job(job.id)
    job.refresh_from_db()
    return job


def published(org, **fields):
    return ProductFactory(organization=org, workflow_state="published", **fields)
