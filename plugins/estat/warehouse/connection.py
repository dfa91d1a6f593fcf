"""How code reaches the warehouse.

The warehouse is the Airflow connection ``estat_warehouse``, defined any way Airflow
defines connections (``AIRFLOW_CONN_ESTAT_WAREHOUSE`` as a URI or JSON, the metadata
database, a secrets backend). When it is not defined, the embedded PostgreSQL of
:mod:`estat.warehouse.embedded` is started and used instead.
"""

from __future__ import annotations

import logging

import psycopg

from estat.config import WAREHOUSE_CONN_ID

log = logging.getLogger(__name__)

# Connection extras that are psycopg connection parameters (sslmode and friends).
_LIBPQ_EXTRAS = {
    "sslmode",
    "sslcert",
    "sslkey",
    "sslrootcert",
    "sslcrl",
    "connect_timeout",
    "application_name",
    "options",
    "target_session_attrs",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_count",
}

_embedded_server = None  # kept referenced so the embedded server lives as long as we do


def configured_connection():
    """The configured ``estat_warehouse`` connection, or None when there is none."""
    from airflow.sdk import BaseHook
    from airflow.sdk.exceptions import AirflowNotFoundException

    try:
        return BaseHook.get_connection(WAREHOUSE_CONN_ID)
    except AirflowNotFoundException:
        return None


def warehouse_conninfo() -> str:
    """A libpq connection string for the warehouse (no secret is ever logged)."""
    global _embedded_server

    connection = configured_connection()
    if connection is None:
        from estat.warehouse import embedded

        if _embedded_server is None:
            log.info(
                "no %s connection is configured: using the embedded warehouse", WAREHOUSE_CONN_ID
            )
            _embedded_server = embedded.start()
        return _embedded_server.get_uri()

    parameters = {
        "host": connection.host,
        "port": connection.port,
        "dbname": connection.schema,
        "user": connection.login,
        "password": connection.password,
    }
    parameters.update({k: v for k, v in connection.extra_dejson.items() if k in _LIBPQ_EXTRAS})
    return psycopg.conninfo.make_conninfo(
        **{k: str(v) for k, v in parameters.items() if v not in (None, "")}
    )


def connect(conninfo: str | None = None) -> psycopg.Connection:
    """Open a connection to the warehouse (the configured one unless ``conninfo`` is given).

    The connection is in autocommit mode: every unit of work that must be atomic says so
    with ``conn.transaction()``, and nothing is left in an open transaction by accident.
    """
    return psycopg.connect(conninfo or warehouse_conninfo(), autocommit=True)
