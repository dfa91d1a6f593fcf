"""Airflow plugin: the data-quality report and the Data Docs, served by the API server.

The API server serves the quality report (``estat.report``, written from the warehouse's
quality views) at ``/estat/quality/`` and the Great Expectations Data Docs at
``/estat/data-docs/``, and the UI's navigation links to both: "Data quality" at the top
level and "Data Docs" under Browse, each shown inside the UI. The directories are
``ESTAT_REPORT_DIR`` and ``ESTAT_DATA_DOCS_DIR`` (see :mod:`estat.report`).

Every Airflow process imports this file, so it touches no database and imports nothing
heavy: the sites import what serves their files at their first request.
"""

from __future__ import annotations

from typing import Any, ClassVar
from urllib.parse import urlsplit

from airflow.configuration import conf
from airflow.plugins_manager import AirflowPlugin

from estat.report import data_docs_dir, quality_report_dir
from estat.report.web import StaticSite

QUALITY_PREFIX = "/estat/quality"
DATA_DOCS_PREFIX = "/estat/data-docs"

# The UI's links are paths on the API server, under its base URL when it has a path.
_BASE = urlsplit(conf.get("api", "base_url", fallback="") or "").path.rstrip("/")


class EstatQualityReportPlugin(AirflowPlugin):
    name = "estat_quality_report"
    fastapi_apps: ClassVar[list[dict[str, Any]]] = [
        {
            "app": StaticSite(quality_report_dir),
            "url_prefix": QUALITY_PREFIX,
            "name": "Data quality report",
        },
        {
            "app": StaticSite(data_docs_dir),
            "url_prefix": DATA_DOCS_PREFIX,
            "name": "Great Expectations Data Docs",
        },
    ]
    external_views: ClassVar[list[dict[str, Any]]] = [
        {
            "name": "Data quality",
            "href": f"{_BASE}{QUALITY_PREFIX}/",
            "destination": "nav",
            "url_route": "data-quality",
        },
        {
            "name": "Data Docs",
            "href": f"{_BASE}{DATA_DOCS_PREFIX}/",
            "destination": "nav",
            "category": "browse",
            "url_route": "data-docs",
        },
    ]
