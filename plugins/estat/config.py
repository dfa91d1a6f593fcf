"""Where the pipeline finds its folders and its warehouse.

Every setting is an environment variable with a documented default, read when it is
needed (not at import), so that tests and deployments can set it late:

``ESTAT_DICTIONARY_DIR``
    sql-insert dictionary files to load (default ``include/dictionaries``).
``ESTAT_STATE_DIR``
    local state the project keeps for itself: the embedded warehouse's data, the local
    Airflow home of ``make run`` (default ``.estat``, ignored by git).
``AIRFLOW_CONN_ESTAT_WAREHOUSE``
    the warehouse, as the Airflow connection ``estat_warehouse`` (any way Airflow defines
    connections works). Without it an embedded PostgreSQL is started under the state dir.

Relative paths are taken from the project root, so Airflow may run with any
``AIRFLOW_HOME`` and any working directory.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]

WAREHOUSE_CONN_ID = "estat_warehouse"


def _directory(variable: str, default: str) -> Path:
    path = Path(os.environ.get(variable) or default)
    return path if path.is_absolute() else PROJECT_ROOT / path


def dictionary_dir() -> Path:
    return _directory("ESTAT_DICTIONARY_DIR", "include/dictionaries")


def state_dir() -> Path:
    return _directory("ESTAT_STATE_DIR", ".estat")


def embedded_warehouse_dir() -> Path:
    return state_dir() / "warehouse"
