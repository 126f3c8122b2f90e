"""The routes of the composed app as the attack tests see them: every page and file route
main.py registered, with the parameters its function reads (so a new route cannot be missed)."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

from fastapi.routing import APIRoute

# Routes that are not the portal's pages (NiceGUI's own assets and sockets, the health check).
NOT_PORTAL = re.compile(r"^/_nicegui|^/healthz$|^/docs|^/openapi|^/redoc")


@dataclass(frozen=True)
class PortalRoute:
    path: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    reads_request: bool


def portal_routes() -> list[PortalRoute]:
    """Every route of the app as main.py composed it (call it inside a test that has the `user`
    fixture, which runs main.py), with what its function reads."""
    from nicegui import app

    found = []
    for route in app.routes:
        if not isinstance(route, APIRoute) or NOT_PORTAL.match(route.path):
            continue
        builder = inspect.unwrap(route.endpoint)  # the page function under NiceGUI's wrappers
        parameters = inspect.signature(builder).parameters
        path_params = tuple(re.findall(r"{(\w+)}", route.path))
        query_params = tuple(
            name
            for name in parameters
            if name not in path_params and name not in {"request", "client"}
        )
        found.append(PortalRoute(route.path, path_params, query_params, "request" in parameters))
    return found
