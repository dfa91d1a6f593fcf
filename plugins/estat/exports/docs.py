"""GX validation results and Data Docs in the project's GX context (``great_expectations/``).

Every checked export file's results are stored in the context's validation results store
(``uncommitted/validations/``), one result per table, under the run name
``export-file-<file id>``; Data Docs (``uncommitted/data_docs/local_site/``) are then built
for them. The results were made with a result format that keeps no value (rows are named
by their number only), so neither holds personal data.
"""

from __future__ import annotations

import logging

from estat.exports.validation import ExportCheck

log = logging.getLogger(__name__)


def store_results(file_id: int, check: ExportCheck) -> list:
    """Store one file's validation results; return their identifiers."""
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    from estat.exports.suites import project_context, suite_name

    context = project_context()
    run_id = RunIdentifier(run_name=f"export-file-{file_id}")
    keys = []
    for table, result in check.results.items():
        key = ValidationResultIdentifier(
            expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name(table)),
            run_id=run_id,
            batch_identifier=f"export-file-{file_id}-{table}",
        )
        stored = ExpectationSuiteValidationResult(**result)
        context.validation_results_store.set(key, stored)
        keys.append(key)
    return keys


def build_data_docs(keys: list | None = None) -> str:
    """Build Data Docs (only the pages of ``keys`` and the index, when given)."""
    from estat.exports.suites import project_context

    context = project_context()
    sites = (
        context.build_data_docs(resource_identifiers=keys) if keys else context.build_data_docs()
    )
    location = next(iter(sites.values()), "")
    log.info("Data Docs built at %s", location)
    return location
