"""Settings for the test suite: production-like (no demo shortcuts), fast password hashing, plain HTTP."""

import os

os.environ.setdefault("CORRIDOR_SECRET_KEY", "test-secret-key-for-the-corridor-test-suite-only-0123456789")
os.environ["CORRIDOR_DEMO"] = "0"
os.environ.setdefault("CORRIDOR_HTTPS", "0")

from corridor.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
