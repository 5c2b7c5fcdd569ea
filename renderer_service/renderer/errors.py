"""Errors raised by the renderer library.

The service layer turns them into HTTP answers; the library itself knows nothing of HTTP.
"""

from __future__ import annotations

from collections.abc import Sequence


class RendererError(Exception):
    """Base class of every error the renderer raises on purpose."""


class SpritePackError(RendererError):
    """The sprite pack at ``path`` is missing or cannot be used."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"sprite pack at {path!r}: {problem}")


class TraitError(RendererError, ValueError):
    """A render parameter names something the sprite pack cannot draw.

    ``field`` is the parameter's name as clients spell it (``colour``, ``scars[1]``...),
    ``value`` the offending value, ``expected`` a short description of what is accepted and
    ``suggestions`` the closest valid names.
    """

    def __init__(
        self,
        field: str,
        value: object,
        expected: str,
        suggestions: Sequence[str] = (),
    ) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        self.suggestions = list(suggestions)
        message = f"{field}: {value!r} is not valid; expected {expected}"
        if self.suggestions:
            message += "; closest valid: " + ", ".join(self.suggestions)
        super().__init__(message)
