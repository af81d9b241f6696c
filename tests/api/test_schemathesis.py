"""Property-based checks of the JSON API against its own OpenAPI document (schemathesis):
generated requests (valid and invalid) with an insurer token never cause a server error,
and every response conforms to the documented status codes, headers and schemas.

The operations are driven from one ordinary test (hypothesis ``@given`` per operation):
schemathesis' lazy pytest fixture loader does not run under this pytest version.
"""

from __future__ import annotations

import os
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, given, settings

from bot.web.app import create_app
from storage.db import Database
from tests.api.scenario import build_world, issue_token
from tests.engine_harness import import_sample, make_container
from tests.fakes import FixedClock

API_OPERATIONS = 7
CI = bool(os.environ.get("CI"))
EXAMPLES = 40


def test_every_api_operation_keeps_its_documented_promises(
    sqlite_database: Database, tmp_path: Path
) -> None:
    container = make_container(sqlite_database, tmp_path / "media", FixedClock())
    import_sample(container)
    build_world(container)
    headers = {"Authorization": f"Bearer {issue_token(container, 'insurer')}"}
    app = create_app(container)
    schema = schemathesis.openapi.from_dict(app.openapi())  # what /openapi.json serves
    schema.app = app  # the operations are called on the app itself
    api = schema.include(path_regex="^/api/")
    operations = [result.ok() for result in api.get_all_operations()]
    assert len(operations) == API_OPERATIONS

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=CI,  # CI replays one fixed exploration; local runs explore anew
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        )
        def check(case: schemathesis.Case) -> None:
            case.call_and_validate(headers=headers)

        check()
    container.close()
