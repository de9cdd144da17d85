import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixeepim.settings")

application = get_wsgi_application()

# Without a broker, jobs and scheduled syncs run in this process from the start.
from pixeepim.workers import start_in_process_worker  # noqa: E402

start_in_process_worker()
