"""Importing export files from removable media, for when Burkit-MO cannot deliver them.

The contract's fallback: the same files come on removable media. Each ``*.xml`` file on
the mounted path goes through the landing checks (a contract file name, a closed root
element, a size that does not change while it is copied) and is copied into the landing
directory atomically (a ``.part`` name first, then renamed), where ingestion takes it as
any other. The ledger gets a ``received`` row with provenance ``electronic_media`` for
its content, which ingestion takes over, so the file's origin is kept.
"""

from __future__ import annotations

import logging
import os
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import psycopg

from estat.exports.ingest import ELECTRONIC_MEDIA, sha256_of
from estat.exports.landing import root_closed
from estat.exports.reader import FILE_NAME

log = logging.getLogger(__name__)


class MediaFileRefused(Exception):
    """A file on the media that is not copied, with the file and the reason."""


@dataclass(frozen=True)
class MediaImport:
    file_name: str
    sha256: str
    size_bytes: int
    landed_as: str
    status: str  # copied, already_landed

    def as_dict(self) -> dict:
        return asdict(self)


def media_files(mount: Path) -> list[Path]:
    """The export files on the mounted media, by name (sub-directories included)."""
    if not mount.is_dir():
        raise MediaFileRefused(f"{mount} is not a mounted directory")
    return sorted(
        (p for p in mount.rglob("*") if p.is_file() and p.suffix.lower() == ".xml"),
        key=lambda p: p.name,
    )


def import_media_file(conn: psycopg.Connection, source: Path, landing: Path) -> MediaImport:
    """Copy one file from the media into the landing directory and record its provenance."""
    if FILE_NAME.match(source.name) is None:
        raise MediaFileRefused(
            f"{source.name}: the name does not follow {{KIND}}_{{YYYYMMDD}}_{{SEQ}}.xml"
        )
    if not root_closed(source):
        raise MediaFileRefused(f"{source.name}: the root element is not closed (incomplete file)")

    size = source.stat().st_size
    landing.mkdir(parents=True, exist_ok=True)
    target = landing / source.name
    partial = landing / f".{source.name}.part"
    shutil.copyfile(source, partial)
    if partial.stat().st_size != size or source.stat().st_size != size:
        partial.unlink()
        raise MediaFileRefused(f"{source.name}: the file changed while it was copied")
    sha256 = sha256_of(partial)

    if target.exists():
        partial.unlink()
        if sha256_of(target) == sha256:
            log.info("%s is already in the landing directory", source.name)
            return MediaImport(source.name, sha256, size, str(target), "already_landed")
        raise MediaFileRefused(
            f"{source.name}: a different file of that name waits in the landing directory"
        )

    with conn.transaction():
        conn.execute(
            "INSERT INTO ops.export_file (file_name, sha256, size_bytes, provenance, status) "
            "VALUES (%s, %s, %s, %s, 'received')",
            (source.name, sha256, size, ELECTRONIC_MEDIA),
        )
        # Renamed inside the transaction: if the rename fails, no row claims the file.
        os.replace(partial, target)
    log.info("copied %s (%d bytes) from the media into %s", source.name, size, landing)
    return MediaImport(source.name, sha256, size, str(target), "copied")
