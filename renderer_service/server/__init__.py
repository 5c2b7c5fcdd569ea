"""The HTTP server the service runs in (``cg3 serve``): uvicorn with the protections a
service open to any client needs, which belong in the server and not in the app."""

from renderer_service.server.protocol import ProtectedHttpProtocol, ServerLimits, protected_protocol
from renderer_service.server.run import build_server, serve

__all__ = ["ProtectedHttpProtocol", "ServerLimits", "build_server", "protected_protocol", "serve"]
