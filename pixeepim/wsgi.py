import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pixeepim.settings")

application = get_wsgi_application()

# Without a broker, jobs and scheduled syncs run in this process from the start.
from pixeepim.workers import start_in_process_worker  # noqa: E402

start_in_process_worker()

# What start-up loaded (Django, the apps, their modules) lives as long as the process: kept out of
# the garbage collector's full passes, which otherwise stall a request now and then for tens of
# milliseconds walking it (https://docs.python.org/3/library/gc.html#gc.freeze).
gc.freeze()
