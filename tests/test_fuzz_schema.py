"""Schema fuzzing: schemathesis sends every operation of the service's own OpenAPI document up
to a thousand generated requests, valid and invalid, and checks each answer.

The checks: no 5xx, every status documented, every body and content type as declared, every
schema-invalid request refused with a 4xx, no answer slower than the timeout (a hang fails
the test). One check is left out: schemathesis expects every schema-valid body to be
accepted, but the schema cannot list the pack's names, so a valid-looking `"colour": "0"` is
rightly refused with a 422 naming the closest colours.

Seeded (derandomized), so a run is repeatable; bounded by the examples per operation and the
per-request timeout.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.python import asgi

from renderer_service.app.main import create_app
from renderer_service.config import Settings

from .conftest import sprite_root

EXAMPLES = 1000
"""Per operation. With the 500 for integers beyond 64 bits put back, random seeds found it one
time in four at 500 examples and three in four at 1000, this test's fixed seed among them; a
passing run takes about 25 s."""
TIMEOUT_SECONDS = 20.0

APP = create_app(Settings(sprite_root=sprite_root(), worker_count=2))
SCHEMA = schemathesis.openapi.from_dict(APP.openapi())
SCHEMA.app = APP  # requests go to the app in-process; its lifespan starts with the first
# A schema-invalid body longer than the body limit (a `reference` past its maxLength) is
# refused with 413 before it is read: a 4xx like the others, which schemathesis' list lacks.
SCHEMA.config.checks.negative_data_rejection.expected_statuses.append("413")

ANSWERS: Counter[tuple[str, int]] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _stop_the_app() -> Iterator[None]:
    yield
    asgi.shutdown_lifespans()  # stops the render workers


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_service_keeps_its_contract(case: Any) -> None:
    response = case.call_and_validate(
        timeout=TIMEOUT_SECONDS,
        excluded_checks=[schemathesis.checks.positive_data_acceptance],
    )
    ANSWERS[(case.operation.label, response.status_code)] += 1


def test_the_fuzzing_reached_the_renderer_and_its_checks() -> None:
    """Runs after the fuzzing above: it drew cats and was refused, not only one or the other."""
    if not ANSWERS:
        pytest.skip("run together with the fuzzing test")
    statuses = {status for (label, status) in ANSWERS if label == "POST /render"}
    assert 200 in statuses, ANSWERS
    assert 422 in statuses, ANSWERS
    assert sum(ANSWERS.values()) >= EXAMPLES, ANSWERS
