"""What can go wrong with a pattern colour."""

from __future__ import annotations

from typing import Any

from renderer_service.renderer.errors import RendererError


class PatternError(RendererError):
    """A pattern colour could not be drawn. Never drawn as something else instead."""


class PatternDefinitionError(PatternError):
    """A ``pattern`` object in a palette is malformed."""

    def __init__(self, field: str, value: Any, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"pattern {field}: {value!r} is not valid; expected {expected}")


class PatternGenerationError(PatternError):
    """A generator failed to make the tile of a pattern colour."""

    def __init__(self, colour: str | None, generator: str, reason: str) -> None:
        self.colour = colour
        self.generator = generator
        self.reason = reason
        subject = f"pattern colour {colour!r}" if colour else "pattern"
        super().__init__(f"{subject} (generator {generator!r}) could not be drawn: {reason}")
