"""An embedded PostgreSQL for the local default: no warehouse connection configured.

The server comes from the ``pgserver`` package (a real PostgreSQL, no system install) and
keeps its data under the project's state dir. It lives as long as the process that
started it, or the last of the processes sharing it, and is stopped after that.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from estat import config

log = logging.getLogger(__name__)


def start(data_dir: Path | None = None):  # -> pgserver.PostgresServer
    """Start (or join) the embedded server whose data lives in ``data_dir``."""
    import pgserver

    # pgserver narrates every command it runs at INFO; its warnings are what matter.
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    data_dir = data_dir or config.embedded_warehouse_dir()
    data_dir.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    log.info("embedded warehouse running with data in %s", data_dir)
    return server


def connection_json(server, database: str = "postgres") -> str:
    """The server as an Airflow connection in JSON, for ``AIRFLOW_CONN_ESTAT_WAREHOUSE``."""
    uri = urlsplit(server.get_uri())
    socket_dir = parse_qs(uri.query)["host"][0]
    return json.dumps(
        {
            "conn_type": "postgres",
            "host": socket_dir,  # a directory: psycopg connects through the unix socket there
            "login": uri.username or "postgres",
            "schema": database,
        }
    )
