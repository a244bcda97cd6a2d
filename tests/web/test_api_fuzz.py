"""A property-based run of the whole OpenAPI (schemathesis) against the real app through its WSGI
interface, as an admin (HTTP Basic): every operation, bounded examples generated from the schema that
the input models give; no 5xx, every status, media type, header and body as the document says."""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, positive_data_acceptance,
                                 response_headers_conformance, response_schema_conformance, status_code_conformance)

from tests.web.test_api import basic
from web.openapi import ROUTES

EXAMPLES = int(os.environ.get("PA_FUZZ_EXAMPLES", "8"))  # the whole run stays under a minute on a shared box
#: positive_data_acceptance: a request the schema allows is accepted (2xx; or 401/403/404/409 when the caller
#: or the record's state forbids it): never a 400, so the schema says the real rule
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance, positive_data_acceptance]


def relative_rules_kept(case):
    """The rules the schema states in words because JSON Schema cannot compare two values: a window ends
    after it starts, the last day is not before the first, a time found or last seen is not in the future
    (relative to the server's clock: such fields are left out of the generated bodies)."""
    body = case.body if isinstance(case.body, dict) else None
    if body is not None:
        for field in ("found_at", "last_seen_at"):
            body.pop(field, None)
        for first, last in (("window_start", "window_end"), ("start_date", "end_date")):
            a, b = body.get(first), body.get(last)
            if isinstance(a, str) and isinstance(b, str) and not a < b:
                body[first], body[last] = (b, a) if b < a else (a, None)
    return case


@pytest.fixture
def api_schema(make_app, approved_templates):
    app = make_app(LOGIN_FAIL_LIMIT=10 ** 6)  # generated bad credentials must not lock the admin out
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.mark.parametrize("method,path", [(r[0], r[1]) for r in ROUTES], ids=lambda v: v)
def test_every_operation_keeps_to_its_schema(api_schema, method, path):
    operation = api_schema[path][method.upper()]

    @given(case=operation.as_strategy().map(relative_rules_kept))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers=basic("ada"), checks=CHECKS)

    run()
