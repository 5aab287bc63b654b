"""Issue 14, acceptance 2: schemathesis generates requests for every operation of the API from its OpenAPI document
and sends them to a live `lightdose serve` on loopback: no response may be a 5xx (a time limit or a busy server
included: the API's own bounds — photons, people, sites, time followed, cases — keep every accepted computation
within the limits), and every response must match the document (status code, content type, schema).

Per operation: its explicit examples, then `CASES` requests generated from the schema (positive data) and `CASES`
generated to violate it (negative data). `CASES` is a few in `make test` and 200 under `make fuzz`
(HYPOTHESIS_PROFILE=long or fuzz, as tests/conftest.py reads it); hypothesis stops earlier for an operation with
fewer distinct inputs (a GET without parameters). The number of requests sent per operation is printed in the
terminal summary.

The operations are listed from the app's OpenAPI document at collection (no server needed for that) and the
schemathesis schema is loaded from the same document; schemathesis' own pytest integration (``from_fixture``) does
not run on pytest 9.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from lightdose.web.app import create_app

LONG = os.environ.get("HYPOTHESIS_PROFILE", "default") in ("long", "fuzz")
CASES = 200 if LONG else 5
"""Generated requests per operation and generation mode."""
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
DOCUMENT = create_app().openapi()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)
OPERATIONS = [(method.upper(), path) for path, methods in DOCUMENT["paths"].items() for method in methods]


@pytest.mark.fuzz
@pytest.mark.slow  # a live server (and, under make fuzz, minutes per operation)
@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_every_operation_answers_within_its_schema(live_server, fuzz_counts, method, path):
    operation = SCHEMA[path][method]
    label = f"{method} {path}"

    def send(case) -> None:
        fuzz_counts[label] += 1
        case.call_and_validate(base_url=live_server.url, checks=CHECKS, timeout=900)

    def run(strategy, cases: int) -> None:
        @settings(deadline=None, database=None, derandomize=not LONG, max_examples=cases,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                         HealthCheck.data_too_large])
        @given(case=strategy)
        def each(case) -> None:
            send(case)

        each()

    for strategy in SCHEMA.get_strategies_from_examples(operation):
        run(strategy, 1)
    described = DOCUMENT["paths"][path][method.lower()]
    takes_input = bool(described.get("parameters") or described.get("requestBody"))
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE) if takes_input else (GenerationMode.POSITIVE,):
        run(operation.as_strategy(generation_mode=mode), CASES)  # (nothing to negate without an input)
