"""The Airflow assets the pipeline's DAGs produce and consume."""

from __future__ import annotations

from airflow.sdk import Asset

# Updated whenever a dictionary load adds, changes or withdraws a code in schema ref.
REF_DICTIONARIES = Asset(name="estat_ref_dictionaries", uri="estat://warehouse/ref")
