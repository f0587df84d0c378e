"""Read and write the staging tables (Parquet) that the stages hand to each other.

Staging is kept per county (per source profile, the Dagster partition): inside `county_scope(c)`
table `t` is `staging/t/<c>.parquet` and state `s` is `staging/s/<c>.json`, so one county's run
replaces only its own files, and a county whose crawl failed keeps its last good tables. Outside a
scope, reads see every county at once (the warehouse load, the sensors, the run summary) and
writes go to the single-file layout `staging/t.parquet` (used by tests of one stage alone).

Where `staging/` is: `settings.staging_url()` ($XXGK_STAGING_URL). By default the local
`$XXGK_DATA_DIR/staging/` (plain `pathlib.Path`s: the fast path, writes are a temp file then a
rename); or an fsspec URL such as `s3://bucket/prefix`, so the workers of a distributed run and the
warehouse load share one staging (paths are then `upath.UPath`s; a table or state is written by one
PUT, which S3 makes visible only whole). The per-machine extraction cache (`staging/extracted/`,
extract_stage.cache_dir()) is not staging: it is rebuilt from the raw bytes and stays local.
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import io
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Union

import pandas as pd

from pipelines import settings

if TYPE_CHECKING:
    from upath import UPath

StagingPath = Union[Path, "UPath"]  # a local file, or an object in remote staging

_COUNTY: contextvars.ContextVar[str | None] = contextvars.ContextVar("xxgk_county", default=None)


@contextlib.contextmanager
def county_scope(county: str) -> Iterator[str]:
    """Stage reads and writes inside the block are this county's."""
    if not county or "/" in county or county.startswith("."):
        raise ValueError(f"not a county id: {county!r}")
    token = _COUNTY.set(county)
    try:
        yield county
    finally:
        _COUNTY.reset(token)


def current_county() -> str | None:
    return _COUNTY.get()


def staging_root() -> StagingPath:
    """The staging folder: a local Path, or a UPath on object storage ($XXGK_STAGING_URL)."""
    url, local = settings.staging_url(), settings.staging_dir()
    return local if url == str(local) else staging_root_at(url)  # the default costs nothing more


def staging_root_at(url: str | Path) -> StagingPath:
    """The staging folder at `url`. A local one must be the data folder's staging/ (the project
    never writes outside the data folder)."""
    remote = remote_root(url)
    if remote is not None:
        return remote
    url = str(url)
    local = Path(url[len("file://"):] if url.startswith("file://") else url).resolve()
    if local != settings.staging_dir().resolve():
        raise ValueError(f"XXGK_STAGING_URL {url}: local staging is the data folder's staging/ "
                         f"({settings.staging_dir()}); use an object-store URL (s3://bucket/prefix) "
                         "to keep it elsewhere")
    return local


def remote_root(url: str | Path) -> UPath | None:
    """A UPath for an fsspec URL of object storage (`s3://bucket/prefix`), with the storage options
    of settings.raw_storage_options() (the S3 endpoint; no listing cache, so a file another worker
    wrote is listed at once); None for a local path."""
    from pipelines.crawl.rawstore import is_remote

    if isinstance(url, Path) or not is_remote(str(url)):
        return None
    from upath import UPath

    return UPath(str(url).rstrip("/"), **settings.raw_storage_options(str(url)))


def is_local(path: StagingPath) -> bool:
    return isinstance(path, Path)


def staging_path(name: str) -> StagingPath:
    county = _COUNTY.get()
    if county:
        return staging_root() / name / f"{county}.parquet"
    return staging_root() / f"{name}.parquet"


def json_path(name: str) -> StagingPath:
    county = _COUNTY.get()
    if county:
        return staging_root() / name / f"{county}.json"
    return staging_root() / f"{name}.json"


def _children(folder: StagingPath, *suffixes: str) -> list[StagingPath]:
    """The files `*<suffix>` directly in `folder` (none when it is absent), sorted by name: one
    listing request on object storage."""
    try:
        return sorted((p for p in folder.iterdir() if p.suffix in suffixes), key=lambda p: p.name)
    except (FileNotFoundError, NotADirectoryError):
        return []


def counties_with(name: str) -> list[str]:
    """The counties that have staging table or state `name`."""
    folder = staging_root() / name
    return sorted({p.stem for p in _children(folder, ".parquet", ".json")})


def exists(name: str) -> bool:
    """Table `name` is there: this county's, or (outside a scope) any county's or the single file."""
    if _COUNTY.get() or staging_path(name).exists():
        return staging_path(name).exists()
    return bool(_children(staging_root() / name, ".parquet"))


def _write_whole(path: StagingPath, write: Callable[[BinaryIO], object]) -> None:
    """`write(file)` to `path` so that a reader sees the old file or the new one, never half of
    one: locally a temp file then a rename; on object storage one PUT of the bytes (an S3 object
    becomes visible only complete, a multipart upload only at its completion: no temp key needed)."""
    if not is_local(path):
        buffer = io.BytesIO()
        write(buffer)
        path.fs.pipe_file(path.path, buffer.getvalue())
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        write(fh)
    os.replace(tmp, path)


def _read_bytes(path: StagingPath) -> bytes:
    """The whole file (one GET on object storage); FileNotFoundError when it is absent."""
    return path.read_bytes() if is_local(path) else path.fs.cat_file(path.path)


def write_table(name: str, rows: list[dict], columns: list[str]) -> StagingPath:
    """Write rows atomically so a reader never sees half a table."""
    path = staging_path(name)
    frame = pd.DataFrame(rows, columns=columns)
    _write_whole(path, lambda fh: frame.to_parquet(fh, index=False))
    return path


def _read_parquet(path: StagingPath) -> pd.DataFrame:
    return pd.read_parquet(path) if is_local(path) else pd.read_parquet(io.BytesIO(_read_bytes(path)))


def read_table(name: str) -> pd.DataFrame:
    """This county's table; outside a scope the single file, else every county's together."""
    path = staging_path(name)
    if _COUNTY.get() or path.exists():
        return _read_parquet(path)
    parts = _children(staging_root() / name, ".parquet")
    if not parts:
        raise FileNotFoundError(f"no staging table {name} under {staging_root()}")
    frames = [_read_parquet(p) for p in parts]
    return pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]


def read_records(name: str) -> list[dict]:
    """Rows as dicts with None (not NaN) for missing values."""
    frame = read_table(name)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def write_json(name: str, payload: dict) -> StagingPath:
    path = json_path(name)
    data = json.dumps(payload, ensure_ascii=False, indent=1, default=str).encode("utf-8")
    _write_whole(path, lambda fh: fh.write(data))
    return path


def _read_json_file(path: StagingPath) -> dict:
    return json.loads(_read_bytes(path).decode("utf-8"))


def read_json(name: str) -> dict:
    try:
        return _read_json_file(json_path(name))
    except FileNotFoundError:
        return {}


def read_json_per_county(name: str) -> dict[str, dict]:
    """{county: payload} of state `name` for every county that has it (damaged files skipped)."""
    out = {}
    for path in _children(staging_root() / name, ".json"):
        try:
            out[path.stem] = _read_json_file(path)
        except (OSError, ValueError):
            continue
    return out


def set_aside_damaged(path: StagingPath) -> StagingPath:
    """Rename a damaged staging file beside itself (`x.parquet` → `x.parquet.damaged-<utc time>`),
    never delete it (on object storage: a copy, then the old key removed)."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    if is_local(path):
        os.replace(path, aside)
    else:
        path.fs.mv(path.path, aside.path)
    return aside
