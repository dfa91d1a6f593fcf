"""Where the pipeline finds its folders and its warehouse.

Every setting is an environment variable with a documented default, read when it is
needed (not at import), so that tests and deployments can set it late:

``ESTAT_DICTIONARY_DIR``
    sql-insert dictionary files to load (default ``include/dictionaries``).
``ESTAT_STATE_DIR``
    local state the project keeps for itself: the embedded warehouse's data, the local
    Airflow home of ``make run`` (default ``.estat``, ignored by git).
``ESTAT_LANDING_DIR``
    where Burkit-MO writes its export files, and where they wait until ingested (default
    ``data/landing``).
``ESTAT_ARCHIVE_DIR``
    where the original bytes of every loaded (or duplicate) export file are filed away
    (default ``data/archive``).
``ESTAT_QUARANTINE_DIR``
    where refused export files go, each with a ``.report.json`` beside it (default
    ``data/quarantine``).
``ESTAT_MEDIA_DIR``
    where removable media are mounted, the default path of the media import (default
    ``data/media``).
``ESTAT_SETTLE_SECONDS``
    how long a landed file's size and time must stay unchanged before it is read
    (default 10).
``ESTAT_INCOMPLETE_AFTER_SECONDS``
    how long a file whose root element is not yet closed may stay unchanged before it is
    taken in anyway, to be refused as truncated (default 3600).
``ESTAT_MAX_REJECTED_SHARE``
    the share of rejected persons above which a whole file is refused (default 0.05).
``ESTAT_PSEUDONYM_KEY``
    the key of the registers' pseudonyms (HMAC-SHA256 of the GSID); held outside the
    warehouse. Without it, a random key is made once in ``<state dir>/pseudonym.key``.
``ESTAT_GX_DIR``
    the GX project: the suites, the stored validation results and the Data Docs (default
    ``great_expectations``).
``ESTAT_REPORT_DIR``
    where the statisticians' data-quality report is written and served from (default
    ``uncommitted/data_docs/quality`` in the GX project, beside the Data Docs).
``ESTAT_DATA_DOCS_DIR``
    the GX Data Docs site the Airflow UI links to (default
    ``uncommitted/data_docs/local_site`` in the GX project).
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


def landing_dir() -> Path:
    return _directory("ESTAT_LANDING_DIR", "data/landing")


def archive_dir() -> Path:
    return _directory("ESTAT_ARCHIVE_DIR", "data/archive")


def quarantine_dir() -> Path:
    return _directory("ESTAT_QUARANTINE_DIR", "data/quarantine")


def media_dir() -> Path:
    return _directory("ESTAT_MEDIA_DIR", "data/media")


def gx_dir() -> Path:
    return _directory("ESTAT_GX_DIR", "great_expectations")


def report_dir() -> Path:
    return _directory("ESTAT_REPORT_DIR", str(gx_dir() / "uncommitted/data_docs/quality"))


def data_docs_dir() -> Path:
    return _directory("ESTAT_DATA_DOCS_DIR", str(gx_dir() / "uncommitted/data_docs/local_site"))


def _number(variable: str, default: float) -> float:
    text = os.environ.get(variable)
    if not text:
        return default
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{variable} must be a number, not {text!r}") from None
    if value < 0:
        raise ValueError(f"{variable} must not be negative")
    return value


def settle_seconds() -> float:
    return _number("ESTAT_SETTLE_SECONDS", 10)


def incomplete_after_seconds() -> float:
    return _number("ESTAT_INCOMPLETE_AFTER_SECONDS", 3600)


def max_rejected_share() -> float:
    share = _number("ESTAT_MAX_REJECTED_SHARE", 0.05)
    if share > 1:
        raise ValueError("ESTAT_MAX_REJECTED_SHARE is a share: between 0 and 1")
    return share


def pseudonym_key() -> bytes:
    """The key of the registers' pseudonyms, held outside the warehouse.

    ``ESTAT_PSEUDONYM_KEY`` when set (production sets it from its secrets); otherwise the
    local key file ``<state dir>/pseudonym.key``, made once with a random key. The same
    key must be used for every refresh, or the pseudonyms change.
    """
    text = os.environ.get("ESTAT_PSEUDONYM_KEY")
    if text:
        return text.encode("utf-8")
    path = state_dir() / "pseudonym.key"
    if not path.exists():
        import secrets

        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")
