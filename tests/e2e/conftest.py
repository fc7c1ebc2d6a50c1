from __future__ import annotations

import os

# Playwright's sync API runs an event loop in the main thread; Django's ORM calls
# from the test body are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
