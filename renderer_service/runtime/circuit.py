"""A circuit breaker: stop sending work to a failing renderer, then probe it once."""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable

logger = logging.getLogger("renderer.queue")


class CircuitState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Opens after ``threshold`` consecutive failures; after ``reset_seconds`` one trial
    request is let through, and its outcome closes the circuit or opens it again.

    Only failures of the renderer count (5xx answers, crashes, timeouts); bad input never does.
    """

    def __init__(
        self,
        threshold: int,
        reset_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.reset_seconds = reset_seconds
        self._clock = clock
        self.state = CircuitState.CLOSED
        self.consecutive_failures = 0
        self._opened_at = 0.0
        self._trial_out = False

    @property
    def is_open(self) -> bool:
        return self.state is not CircuitState.CLOSED

    def reset_in(self) -> float:
        """Seconds until a trial request may go through (0 when closed or ready)."""
        if self.state is CircuitState.CLOSED:
            return 0.0
        return max(0.0, self._opened_at + self.reset_seconds - self._clock())

    def allow(self) -> tuple[bool, bool]:
        """Whether a request may go to the workers now, and whether it is the trial."""
        if self.state is CircuitState.CLOSED:
            return True, False
        if self._trial_out or self.reset_in() > 0:
            return False, False
        self.state = CircuitState.HALF_OPEN
        self._trial_out = True
        return True, True

    def record(self, success: bool | None, trial: bool = False) -> None:
        """Count a finished request. ``None``: it finished without a verdict (cancelled)."""
        if trial:
            self._trial_out = False
            if success is None:
                return
            if success:
                self._close()
            else:
                self._open()
            return
        if success is None or self.state is not CircuitState.CLOSED:
            return
        if success:
            self.consecutive_failures = 0
            return
        self.consecutive_failures += 1
        if self.consecutive_failures >= self.threshold:
            self._open()

    def _open(self) -> None:
        was = self.state
        self.state = CircuitState.OPEN
        self._opened_at = self._clock()
        if was is CircuitState.CLOSED:
            logger.warning(
                "circuit opened after %d consecutive render failures; refusing renders for %.1f s",
                self.consecutive_failures,
                self.reset_seconds,
            )
        else:
            logger.warning(
                "circuit trial request failed; open again for %.1f s", self.reset_seconds
            )

    def _close(self) -> None:
        self.state = CircuitState.CLOSED
        self.consecutive_failures = 0
        logger.warning("circuit closed: the trial request succeeded")
