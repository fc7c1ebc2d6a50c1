"""The REST API, /api/v1/ (django-ninja). docs/api.md describes it for its users.

One module per resource.
"""

from __future__ import annotations

from ninja import NinjaAPI, Swagger

from integrations.api import (
    checkins,
    mentorships,
    outcomes,
    participants,
    profiles,
    programs,
    surveys,
)
from integrations.api.core import TokenAuth, TokenRateThrottle, install_error_handlers

api = NinjaAPI(
    title="Mentoring API",
    version="1",
    description=(
        "Programs, participants, profiles, mentorships, check-in dates and counts, survey "
        "results and HR's outcome import. Authenticate with a personal "
        "API token: `Authorization: Bearer <token>` (make one under Account → API tokens)."
    ),
    urls_namespace="api",
    auth=TokenAuth(),
    throttle=[TokenRateThrottle()],
    # The interactive docs load Swagger UI from our static files (ninja's copy), no CDN.
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
install_error_handlers(api)
api.add_router("", programs.router)
api.add_router("", participants.router)
api.add_router("", profiles.router)
api.add_router("", mentorships.router)
api.add_router("", checkins.router)
api.add_router("", surveys.router)
api.add_router("", outcomes.router)
