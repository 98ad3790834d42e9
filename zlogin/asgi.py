import os

from django.core.asgi import get_asgi_application

from core.startup import require_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zlogin.settings")
require_secret_key()
application = get_asgi_application()
