"""The circuit breaker opens on consecutive failures and closes after one good trial."""

from __future__ import annotations

import logging

import pytest

from renderer_service.runtime import CircuitBreaker, CircuitState


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def open_breaker(clock: Clock, threshold: int = 3, reset: float = 10.0) -> CircuitBreaker:
    breaker = CircuitBreaker(threshold, reset, clock)
    for _ in range(threshold):
        assert breaker.allow() == (True, False)
        breaker.record(False)
    return breaker


def test_opens_after_threshold_consecutive_failures() -> None:
    clock = Clock()
    breaker = CircuitBreaker(3, 10.0, clock)
    for _ in range(2):
        breaker.record(False)
    assert breaker.state is CircuitState.CLOSED
    breaker.record(False)
    assert breaker.state is CircuitState.OPEN
    assert breaker.allow() == (False, False)
    assert breaker.reset_in() == pytest.approx(10.0)


def test_a_success_resets_the_failure_count() -> None:
    breaker = CircuitBreaker(3, 10.0, Clock())
    for outcome in [False, False, True, False, False]:
        breaker.record(outcome)
    assert breaker.state is CircuitState.CLOSED


def test_after_the_reset_time_exactly_one_trial_goes_through() -> None:
    clock = Clock()
    breaker = open_breaker(clock)
    clock.now += 9.9
    assert breaker.allow() == (False, False)
    clock.now += 0.2
    assert breaker.allow() == (True, True)
    assert breaker.state is CircuitState.HALF_OPEN
    assert breaker.allow() == (False, False)  # others wait for the trial's verdict


def test_a_successful_trial_closes_the_circuit(caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    breaker = open_breaker(clock)
    clock.now += 11
    breaker.allow()
    with caplog.at_level(logging.WARNING, logger="renderer.queue"):
        breaker.record(True, trial=True)
    assert breaker.state is CircuitState.CLOSED
    assert breaker.allow() == (True, False)
    assert "circuit closed" in caplog.text


def test_a_failed_trial_opens_it_again_for_another_period() -> None:
    clock = Clock()
    breaker = open_breaker(clock)
    clock.now += 11
    breaker.allow()
    breaker.record(False, trial=True)
    assert breaker.state is CircuitState.OPEN
    assert breaker.reset_in() == pytest.approx(10.0)


def test_a_trial_without_verdict_lets_another_trial_go() -> None:
    clock = Clock()
    breaker = open_breaker(clock)
    clock.now += 11
    assert breaker.allow() == (True, True)
    breaker.record(None, trial=True)
    assert breaker.allow() == (True, True)


def test_late_results_while_open_do_not_close_it() -> None:
    clock = Clock()
    breaker = open_breaker(clock)
    breaker.record(True)
    assert breaker.state is CircuitState.OPEN


def test_opening_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="renderer.queue"):
        open_breaker(Clock())
    assert "circuit opened after 3 consecutive render failures" in caplog.text
