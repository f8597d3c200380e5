import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()

# Ready for certificates before the first request (each process, as gunicorn
# loads the application in each worker): see warm_at_start().
from credentials.services.rendering import warm_at_start  # noqa: E402

warm_at_start()
