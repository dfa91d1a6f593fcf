"""The Airflow assets the pipeline's DAGs announce and wait for."""

from __future__ import annotations

from airflow.sdk import Asset

# Updated whenever a dictionary load changes rows of the warehouse's ref schema.
REF_DICTIONARIES = Asset(name="estat_ref_dictionaries", uri="estat://warehouse/ref")

# Updated whenever an export file's rows are loaded into the warehouse's burkit schema.
BURKIT_EXPORTS = Asset(name="estat_burkit_exports", uri="estat://warehouse/burkit")

# Updated whenever the statistical registers (schema registers) are refreshed.
STATISTICAL_REGISTERS = Asset(name="estat_statistical_registers", uri="estat://warehouse/registers")

# Updated whenever a change or shutdown notice is registered.
CHANGE_NOTICES = Asset(name="estat_change_notices", uri="estat://warehouse/ops/change_notice")
