"""Load the staging Parquet tables (docs/contracts.md §4) into schema `raw` of the build DuckDB file.

Staging is per county (`staging/<table>/<county>.parquet`, one file per partition): a county's rows
are deleted and inserted again only when its file changed since the last load (size and mtime,
kept in raw._loaded_partitions), so a night where one county changed reloads that county alone;
every row carries its `partition_key`. A single `staging/<table>.parquet` (one stage run alone)
replaces the whole table. Everything happens inside one transaction, so a failed load leaves the
previous contents in place. The column list and types are fixed here (the contract), so a
Parquet file with extra columns still loads and a missing optional column is an error that names
the table.

Staging may be on object storage ($XXGK_STAGING_URL=s3://bucket/prefix, see stages/tables.py). It
is then listed once per load (one LIST request per 1,000 objects, giving every object's size and
ETag: a county file's signature), and a changed county file is fetched with one GET and handed to
DuckDB as an Arrow table. DuckDB's httpfs extension would have to be downloaded, and reading
through the fsspec filesystem registered on the connection cost 15 HEAD and 3 GET requests per
file (DuckDB asks for its size and time at every open), 9× the local load for the sample county.
"""
from __future__ import annotations

import contextlib
import io
import logging
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from pipelines.core.codes import ITEMS_CSV
from pipelines.stages.tables import remote_root

log = logging.getLogger(__name__)

# Contract §4: table -> [(column, DuckDB type)]
STAGING_TABLES: dict[str, list[tuple[str, str]]] = {
    "documents": [
        ("document_id", "VARCHAR"),
        ("source_id", "VARCHAR"),
        ("document_url", "VARCHAR"),
        ("detail_url", "VARCHAR"),
        ("title", "VARCHAR"),
        ("org_name", "VARCHAR"),
        ("org_id", "VARCHAR"),
        ("year", "INTEGER"),
        ("format", "VARCHAR"),
        ("status", "VARCHAR"),
        ("error_kind", "VARCHAR"),
        ("error_message", "VARCHAR"),
        ("template_s2", "VARCHAR"),
        ("template_s3", "VARCHAR"),
        ("fetched_at", "TIMESTAMPTZ"),
        ("raw_path", "VARCHAR"),
        ("is_correction", "BOOLEAN"),
        ("read_by", "VARCHAR"),
    ],
    "facts": [
        ("document_id", "VARCHAR"),
        ("code", "VARCHAR"),
        ("value", "DOUBLE"),
        ("value_state", "VARCHAR"),
        ("raw_text", "VARCHAR"),
        ("page", "INTEGER"),
        ("x0", "DOUBLE"),
        ("top", "DOUBLE"),
        ("x1", "DOUBLE"),
        ("bottom", "DOUBLE"),
        ("read_by", "VARCHAR"),
        ("machine_value", "DOUBLE"),
        ("review_kind", "VARCHAR"),
        ("reviewed_by", "VARCHAR"),
        ("reviewed_at", "VARCHAR"),
        ("review_note", "VARCHAR"),
    ],
    "identity_checks": [
        ("document_id", "VARCHAR"),
        ("identity", "VARCHAR"),
        ("scope", "VARCHAR"),
        ("ok", "BOOLEAN"),
        ("expected", "DOUBLE"),
        ("printed", "DOUBLE"),
    ],
    "expected_orgs": [
        ("org_id", "VARCHAR"),
        ("name", "VARCHAR"),
        ("org_type", "VARCHAR"),
        ("county", "VARCHAR"),
        ("source_id", "VARCHAR"),
    ],
    "expected_years": [
        ("year", "INTEGER"),
        ("source_id", "VARCHAR"),
    ],
    # Each county's last crawl attempt (pipelines/defs/ingest.py): coverage says crawl_failed.
    "crawl_status": [
        ("source_id", "VARCHAR"),
        ("status", "VARCHAR"),
        ("reason", "VARCHAR"),
        ("attempted_at", "TIMESTAMPTZ"),
        ("last_ok_at", "TIMESTAMPTZ"),
    ],
    # Optional (pipelines/stages/orgs_stage.py): registry years, and the printed names that
    # resolved to no organisation with the registry line that would place them.
    "org_validity": [
        ("org_id", "VARCHAR"),
        ("valid_from", "INTEGER"),
        ("valid_to", "INTEGER"),
    ],
    "org_suggestions": [
        ("document_id", "VARCHAR"),
        ("source_id", "VARCHAR"),
        ("org_name_printed", "VARCHAR"),
        ("suggested_org_id", "VARCHAR"),
        ("suggested_registry_line", "VARCHAR"),
        ("registry_file", "VARCHAR"),
    ],
}

# Columns added after the first contract (the review queue's): staging written without them
# loads them as null.
OPTIONAL_COLUMNS = {("facts", c) for c in ("read_by", "machine_value", "review_kind", "reviewed_by",
                                            "reviewed_at", "review_note")} | {
    ("expected_orgs", "source_id"), ("expected_years", "source_id")}

# Tables that must exist in staging; the others load as empty when absent (e.g. no document
# was parsed, so no facts and no identity checks were written).
REQUIRED = ("documents", "expected_orgs", "expected_years")

ITEMS_COLUMNS = ["code", "template", "section", "row_path_zh", "column_zh", "label_en", "unit"]


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _lit(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _parquet_source(staging_dir: Path, table: str) -> str | None:
    """`staging/<table>.parquet`, or every Parquet file under `staging/<table>/` (one per worker)."""
    single = staging_dir / f"{table}.parquet"
    if single.is_file():
        return f"read_parquet({_lit(str(single))})"
    folder = staging_dir / table
    if folder.is_dir() and any(folder.rglob("*.parquet")):
        return f"read_parquet({_lit(str(folder / '**' / '*.parquet'))}, union_by_name = true)"
    return None


class StagingUnreadable(ValueError):
    """A county's staging file that is damaged, or was removed while the load ran."""


PARTITION_COLUMN = "partition_key"  # the county (source profile id) whose staging file the row came from
LOADED = "_loaded_partitions"


def _ddl(table: str) -> str:
    cols = ", ".join(f"{_q(c)} {t}" for c, t in [*STAGING_TABLES[table], (PARTITION_COLUMN, "VARCHAR")])
    return f"CREATE TABLE IF NOT EXISTS raw.{_q(table)} ({cols})"


def _partition_files(staging_dir: Path, table: str) -> dict[str, Path] | None:
    """{county: file} in the per-county layout, or None when the table is not kept that way."""
    if (staging_dir / f"{table}.parquet").is_file():
        return None
    folder = staging_dir / table
    files = {p.stem: p for p in sorted(folder.glob("*.parquet"))} if folder.is_dir() else {}
    return files or None


def _signature(path: Path) -> str:
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"


class _LocalStaging:
    """Staging in a local folder: DuckDB reads the files itself."""

    def __init__(self, root: Path):
        self.root = root

    def __str__(self) -> str:
        return str(self.root)

    def source(self, table: str) -> str | None:
        return _parquet_source(self.root, table)

    def partition_files(self, table: str) -> dict[str, Path] | None:
        return _partition_files(self.root, table)

    def signature(self, path: Path) -> str:
        return _signature(path)

    def where(self, path: Path) -> str:
        return str(path)

    @contextlib.contextmanager
    def relation(self, con, source: str | Path) -> Iterator[str]:
        yield source if isinstance(source, str) else f"read_parquet({_lit(str(source))})"


class _RemoteStaging:
    """Staging on object storage, listed once: {key under the root: fsspec info (size, ETag)}."""

    def __init__(self, root):
        self.root, self.fs = root, root.fs
        base = root.path.rstrip("/")
        self.objects = {info["name"][len(base) + 1:]: info
                        for info in self.fs.find(base, detail=True).values() if info.get("type") != "directory"}

    def __str__(self) -> str:
        return str(self.root)

    def _parquet_under(self, table: str, nested: bool) -> list[str]:
        prefix = f"{table}/"
        return sorted(k for k in self.objects if k.startswith(prefix) and k.endswith(".parquet")
                      and (nested or "/" not in k[len(prefix):]))

    def source(self, table: str) -> list[str] | None:
        if f"{table}.parquet" in self.objects:
            return [f"{table}.parquet"]
        return self._parquet_under(table, nested=True) or None

    def partition_files(self, table: str) -> dict[str, str] | None:
        if f"{table}.parquet" in self.objects:
            return None
        return {k[len(table) + 1:-len(".parquet")]: k for k in self._parquet_under(table, nested=False)} or None

    def where(self, key: str) -> str:
        return f"{self.root}/{key}"

    def signature(self, key: str) -> str:
        """Size and ETag (a digest of the content), or the modification time where the store has no
        ETag: the same bytes written again keep their signature."""
        info = self.objects[key]
        tag = info.get("ETag") or info.get("LastModified") or info.get("mtime") or info.get("created")
        if tag is None:
            raise ValueError(f"{self.where(key)}: the store gives neither an ETag nor a modification time")
        return f"{info['size']}:{str(tag).strip(chr(34))}"

    @contextlib.contextmanager
    def relation(self, con, keys: str | list[str]) -> Iterator[str]:
        """The objects as one Arrow table registered on `con` for the block (one GET each)."""
        keys = [keys] if isinstance(keys, str) else keys
        parts = [pq.read_table(io.BytesIO(self.fs.cat_file(f"{self.root.path.rstrip('/')}/{k}"))) for k in keys]
        name = "_xxgk_staging_object"
        con.register(name, parts[0] if len(parts) == 1 else pa.concat_tables(parts, promote_options="permissive"))
        try:
            yield name
        finally:
            con.unregister(name)


def _insert(con, table: str, src: str, partition: str | None) -> None:
    cols = STAGING_TABLES[table]
    present = {r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {src}").fetchall()}
    absent = [c for c, _ in cols if c not in present and (table, c) not in OPTIONAL_COLUMNS]
    if absent:
        raise ValueError(f"staging table {table}{f' of {partition}' if partition else ''} lacks columns: "
                         f"{', '.join(absent)}")
    select = ", ".join(f"CAST({_q(c) if c in present else 'NULL'} AS {t}) AS {_q(c)}" for c, t in cols)
    names = ", ".join(_q(c) for c, _ in [*cols, (PARTITION_COLUMN, "")])
    con.execute(f"INSERT INTO raw.{_q(table)} ({names}) SELECT {select}, "
                f"{_lit(partition) if partition else 'NULL'} FROM {src}")


def _load_partitions(con, staging, table: str, files: dict, stats: dict) -> None:
    """Delete-then-insert the counties whose file changed; drop the rows of counties gone."""
    loaded = dict(con.execute(f"SELECT partition_key, signature FROM raw.{LOADED} WHERE table_name = ?",
                              [table]).fetchall())
    con.execute(f"DELETE FROM raw.{_q(table)} WHERE {PARTITION_COLUMN} IS NULL")  # single-file era rows
    for gone in sorted(set(loaded) - set(files)):
        con.execute(f"DELETE FROM raw.{_q(table)} WHERE {PARTITION_COLUMN} = ?", [gone])
        con.execute(f"DELETE FROM raw.{LOADED} WHERE table_name = ? AND partition_key = ?", [table, gone])
    for county, path in files.items():
        signature = staging.signature(path)
        if loaded.get(county) == signature:
            stats["kept"] = stats.get("kept", 0) + 1
            continue
        con.execute(f"DELETE FROM raw.{_q(table)} WHERE {PARTITION_COLUMN} = ?", [county])
        try:
            with staging.relation(con, path) as src:
                _insert(con, table, src, county)
        except FileNotFoundError as exc:  # listed, then removed (a rerun of that county on another worker)
            raise StagingUnreadable(f"staging table {table} of county {county}: {staging.where(path)} is gone "
                                    f"since it was listed ({exc}); run the load again") from exc
        except (duckdb.Error, OSError, pa.ArrowException) as exc:  # not Parquet, or cut short
            raise StagingUnreadable(f"staging table {table} of county {county}: {staging.where(path)} cannot be read "
                                    f"({type(exc).__name__}: {str(exc)[:300]}); run that county again "
                                    "to rewrite it") from exc
        con.execute(f"DELETE FROM raw.{LOADED} WHERE table_name = ? AND partition_key = ?", [table, county])
        con.execute(f"INSERT INTO raw.{LOADED} (table_name, partition_key, signature, loaded_at) "
                    "VALUES (?, ?, ?, now())", [table, county, signature])
        stats["reloaded"] = stats.get("reloaded", 0) + 1


def load_staging(staging_dir: str | Path, db_path: str | Path, stats: dict | None = None,
                 connect=None) -> dict[str, int]:
    """Bring raw.<table> up to date with every staging table, and raw.items from items.csv.

    Returns the row count per table. `stats`, when given, receives how many (table, county)
    files were reloaded and how many kept. Opens one read-write connection to `db_path`
    (creating the file and its folder if needed) and closes it before returning; `connect`, when
    given, is a context manager factory that yields that connection instead (the Dagster
    DuckDBResource's `get_connection`).
    """
    stats = {} if stats is None else stats
    remote = remote_root(staging_dir)
    staging = _RemoteStaging(remote) if remote is not None else _LocalStaging(Path(staging_dir))
    db_path = Path(db_path)
    db_path.parent.mkdir(parents=True, exist_ok=True)

    sources = {t: staging.source(t) for t in STAGING_TABLES}
    missing = [t for t in REQUIRED if sources[t] is None]
    if missing:
        raise FileNotFoundError(
            f"staging tables missing under {staging}: {', '.join(missing)} "
            "(expected <table>.parquet or <table>/*.parquet)"
        )

    counts: dict[str, int] = {}
    with (connect() if connect is not None else contextlib.closing(duckdb.connect(str(db_path)))) as con:
        _load(con, staging, sources, counts, stats)
    if counts["documents"] == 0:
        log.warning("raw.documents is empty: the crawl found nothing")
    return counts


def _load(con, staging, sources: dict, counts: dict[str, int], stats: dict) -> None:
    """The load in one transaction on `con` (rolled back on any error)."""
    try:
        # Naive timestamps in staging are UTC.
        con.execute("SET TimeZone = 'UTC'")
        con.execute("BEGIN TRANSACTION")
        con.execute("CREATE SCHEMA IF NOT EXISTS raw")
        con.execute(f"CREATE TABLE IF NOT EXISTS raw.{LOADED} (table_name VARCHAR, partition_key VARCHAR, "
                    "signature VARCHAR, loaded_at TIMESTAMPTZ)")
        # loaded_at tells dbt's incremental models which counties changed since they were built
        # (a file built before it existed gets the column, null: those counties rebuild once)
        con.execute(f"ALTER TABLE raw.{LOADED} ADD COLUMN IF NOT EXISTS loaded_at TIMESTAMPTZ")
        for table, cols in STAGING_TABLES.items():
            existing = [
                r[0]
                for r in con.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_schema = 'raw' AND table_name = ? ORDER BY ordinal_position",
                    [table],
                ).fetchall()
            ]
            if existing and existing != [c for c, _ in cols] + [PARTITION_COLUMN]:
                # The contract changed since the file was built: rebuild the table.
                con.execute(f"DROP TABLE raw.{_q(table)}")
                con.execute(f"DELETE FROM raw.{LOADED} WHERE table_name = ?", [table])
            con.execute(_ddl(table))
            files = staging.partition_files(table)
            if files is not None:
                _load_partitions(con, staging, table, files, stats)
                counts[table] = con.execute(f"SELECT count(*) FROM raw.{_q(table)}").fetchone()[0]
                continue
            con.execute(f"DELETE FROM raw.{_q(table)}")
            con.execute(f"DELETE FROM raw.{LOADED} WHERE table_name = ?", [table])
            src = sources[table]
            if src is None:
                log.warning("staging table %s not found under %s: loaded empty", table, staging)
                counts[table] = 0
                continue
            with staging.relation(con, src) as relation:
                _insert(con, table, relation, None)
            counts[table] = con.execute(f"SELECT count(*) FROM raw.{_q(table)}").fetchone()[0]

        # The canonical codes, all text.
        con.execute(
            "CREATE TABLE IF NOT EXISTS raw.items ("
            + ", ".join(f"{_q(c)} VARCHAR" for c in ITEMS_COLUMNS)
            + ")"
        )
        con.execute("DELETE FROM raw.items")
        con.execute(
            f"INSERT INTO raw.items SELECT {', '.join(_q(c) for c in ITEMS_COLUMNS)} "
            f"FROM read_csv({_lit(str(ITEMS_CSV))}, header = true, all_varchar = true)"
        )
        counts["items"] = con.execute("SELECT count(*) FROM raw.items").fetchone()[0]
        con.execute("COMMIT")
    except BaseException:
        try:
            con.execute("ROLLBACK")
        except duckdb.Error:
            pass
        raise
