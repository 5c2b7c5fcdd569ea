"""CORS whose refusals speak the service's one error shape.

Starlette answers a refused preflight request with a plain-text 400; this keeps its checks and
headers and gives the refusal the JSON body every other 4xx has.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from renderer_service.wire import error_body, error_item


class UniformCORSMiddleware(CORSMiddleware):
    def preflight_response(self, request_headers: Headers) -> Response:
        response = super().preflight_response(request_headers)
        if response.status_code < 400:
            return response
        refused = bytes(response.body).decode("latin-1")  # "Disallowed CORS origin, method"
        origin = request_headers.get("origin")
        body = error_body(
            "cors_refused",
            f"{refused} (origin {origin!r})",
            [error_item(None, origin, refused, "an allowed origin, method and headers")],
        )
        headers = {
            name: value
            for name, value in response.headers.items()
            if name not in ("content-length", "content-type")
        }
        return Response(body, response.status_code, headers, media_type="application/json")
