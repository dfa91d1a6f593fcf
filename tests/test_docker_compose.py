"""docker-compose.yaml must validate and keep its production shape.

Both checks run the real `docker-compose` binary, because the resolved configuration (anchors,
merge keys, `${VAR:-default}` interpolation, relative paths) is what Docker will act on, and a
plain YAML load would not show interpolation or schema errors.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO_ROOT / "docker-compose.yaml"

AIRFLOW_SERVICES = (
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
)
EXPECTED_SERVICES = {"postgres", "warehouse", "redis", *AIRFLOW_SERVICES}


def _compose(*args: str) -> subprocess.CompletedProcess[str]:
    executable = shutil.which("docker-compose")
    if executable is None:
        # A missing tool must not turn into a green run: fail instead of skipping.
        pytest.fail("docker-compose is not on PATH; `make install` installs it", pytrace=False)
    # -f pins the file so that COMPOSE_FILE in the caller's environment cannot redirect the check.
    return subprocess.run(
        [executable, "-f", str(COMPOSE_FILE), *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _resolved_config() -> dict[str, Any]:
    result = _compose("config")
    assert result.returncode == 0, f"docker-compose config failed:\n{result.stderr}"
    config = yaml.safe_load(result.stdout)
    assert isinstance(config, dict), f"unexpected docker-compose config output:\n{result.stdout}"
    return config


def _mounts(service: dict[str, Any]) -> dict[str, tuple[str, bool]]:
    """Map each mount's container path to (source, read_only).

    docker-compose 1.x prints short `source:target:mode` strings, `docker compose` 2.x prints
    the long form; both are accepted so the test keeps working after an upgrade.
    """
    found: dict[str, tuple[str, bool]] = {}
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target, *mode = volume.split(":")
            options = mode[0].split(",") if mode else []
            found[target] = (source, "ro" in options)
        else:
            found[volume["target"]] = (volume.get("source", ""), bool(volume.get("read_only")))
    return found


def test_compose_file_validates() -> None:
    result = _compose("config", "-q")
    assert result.returncode == 0, f"docker-compose config -q failed:\n{result.stderr}"
    # Every variable has a `${VAR:-default}`, so a bare `${VAR}` slipping in shows up here.
    assert "variable is not set" not in result.stderr, result.stderr


def test_compose_file_has_production_shape() -> None:
    services: dict[str, Any] = _resolved_config()["services"]

    missing = EXPECTED_SERVICES - services.keys()
    assert not missing, f"services missing from docker-compose.yaml: {sorted(missing)}"

    for name in AIRFLOW_SERVICES:
        service = services[name]
        env: dict[str, str] = service["environment"]
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name

        # Metadata and warehouse are separate servers: Airflow's database is on `postgres`,
        # the estat connection on `warehouse`.
        assert urlsplit(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]).hostname == "postgres", name
        warehouse_conn = json.loads(env["AIRFLOW_CONN_ESTAT_WAREHOUSE"])
        assert warehouse_conn["conn_type"] == "postgres", name
        assert warehouse_conn["host"] == "warehouse", name
        assert warehouse_conn["schema"] == "estat", name

        mounted = _mounts(service)
        for folder in ("dags", "plugins"):
            target = f"/opt/airflow/{folder}"
            assert target in mounted, f"{name} does not mount {folder}/"
            assert Path(mounted[target][0]) == REPO_ROOT / folder, f"{name}: {mounted[target]}"
        assert mounted["/media/estat"][1], f"{name} must mount the removable media read-only"

    metadata_db, warehouse_db = services["postgres"], services["warehouse"]
    assert warehouse_db["environment"]["POSTGRES_DB"] == "estat"
    assert metadata_db["environment"]["POSTGRES_DB"] != "estat"
    # Each database keeps its data in its own volume, so neither can overwrite the other.
    metadata_data = _mounts(metadata_db)["/var/lib/postgresql/data"][0]
    warehouse_data = _mounts(warehouse_db)["/var/lib/postgresql/data"][0]
    assert metadata_data != warehouse_data
