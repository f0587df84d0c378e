"""Content-addressed raw store and the append-only fetch log.

Blobs are named by their SHA-256 (`<sha[:2]>/<sha>`), written whole before they become visible,
never overwritten (except a damaged one, by its good bytes), and checked against their name on
every read. Where they live is `settings.raw_url()` ($XXGK_RAW_URL):

- by default `$XXGK_DATA_DIR/raw/` on the local disk: the fast path, with POSIX guarantees
  (fsynced read-only temp file, then a hard link that cannot overwrite); every path is checked to
  stay inside the data folder;
- or an fsspec URL such as `s3://bucket/prefix` (S3-compatible object storage through s3fs; the
  endpoint from $XXGK_S3_ENDPOINT_URL, credentials from the standard AWS variables), so the
  workers of a distributed run share one store.

Either way a blob's `rel_path` is `raw/<sha[:2]>/<sha>`, so the document registry does not depend
on where the bytes are. The fetch log and the HTTP validator state stay in the local
`$XXGK_DATA_DIR/raw/` (an object store cannot append). Readers that need a file on disk (the
extractor, its worker processes) get one through `local_copy` / `local_files`.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from pipelines import settings

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_LOCAL_PROTOCOLS = ("file", "local")


class UnsafePath(ValueError):
    """A path that would leave the data folder."""


class RawCorrupt(ValueError):
    """A stored blob whose bytes no longer hash to its name."""


def inside(root: Path, path: Path) -> Path:
    """`path` resolved, or UnsafePath if it is not inside `root` (symlinks resolved too)."""
    root_r = root.resolve()
    path_r = path.resolve()
    if path_r != root_r and root_r not in path_r.parents:
        raise UnsafePath(f"{path} is outside {root_r}")
    return path_r


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def is_remote(url: str) -> bool:
    """True for an fsspec URL of a non-local filesystem (`s3://…`, `memory://…`)."""
    from fsspec.utils import get_protocol

    return get_protocol(str(url)) not in _LOCAL_PROTOCOLS


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    path: Path | None  # absolute local path; None when the store is remote (see `url`)
    rel_path: str  # "raw/<sha[:2]>/<sha>", relative to the data folder, posix separators
    size: int
    existed: bool
    url: str | None = None  # where a remote store keeps it (s3://bucket/prefix/ab/ab…)


class RawStore:
    """Blobs by SHA-256 plus `fetch_log.jsonl`. Thread-safe for appends.

    `url`: where the blobs live (default `settings.raw_url()`); `storage_options`: passed to
    fsspec for a remote URL (default: `settings.raw_storage_options()`)."""

    def __init__(self, data_dir: Path | str | None = None, url: str | None = None,
                 storage_options: dict | None = None):
        self.data_dir = Path(data_dir).resolve() if data_dir else settings.data_dir()
        # the local raw/ folder: blobs of a local store, and always the fetch log and HTTP state
        self.root = inside(self.data_dir, self.data_dir / "raw")
        self.log_path = self.root / "fetch_log.jsonl"
        self._lock = threading.Lock()
        url = str(url if url is not None else settings.raw_url())
        self.remote = is_remote(url)
        self.fs = None
        if self.remote:
            import fsspec

            options = settings.raw_storage_options(url) if storage_options is None else storage_options
            self.fs, base = fsspec.core.url_to_fs(url, **options)
            self._base = base.rstrip("/")
            self.url = url.rstrip("/")
        else:
            local = Path(url[len("file://"):] if url.startswith("file://") else url)
            if local.resolve() not in (self.root, settings.raw_dir().resolve()):
                raise UnsafePath(f"XXGK_RAW_URL {url}: a local raw store is the data folder's raw/ "
                                 f"({self.root}); use an object-store URL (s3://bucket/prefix) to keep "
                                 "the blobs elsewhere")
            self.url = str(self.root)

    # -- names

    def path_for(self, sha: str) -> Path:
        """The local file of a blob (a local store only)."""
        _check_sha(sha)
        if self.remote:
            raise ValueError(f"the raw store is remote ({self.url}): use local_copy() for a file")
        return inside(self.data_dir, self.root / sha[:2] / sha)

    def key_for(self, sha: str) -> str:
        """The object's path in the remote filesystem (bucket/prefix/ab/ab…)."""
        _check_sha(sha)
        return f"{self._base}/{sha[:2]}/{sha}"

    def rel_path(self, sha: str) -> str:
        _check_sha(sha)
        return f"raw/{sha[:2]}/{sha}"

    def _blob(self, sha: str, size: int, existed: bool) -> StoredBlob:
        if self.remote:
            return StoredBlob(sha, None, self.rel_path(sha), size, existed,
                              f"{self.url}/{sha[:2]}/{sha}")
        return StoredBlob(sha, self.path_for(sha), self.rel_path(sha), size, existed)

    # -- reading

    def has(self, sha: str) -> bool:
        if not _SHA_RE.match(sha or ""):
            return False
        if self.remote:
            return self.fs.isfile(self.key_for(sha))
        return self.path_for(sha).is_file()

    def _read(self, sha: str) -> bytes | None:
        """The stored bytes as they are (unverified), or None when there is no blob."""
        try:
            if self.remote:
                return self.fs.cat_file(self.key_for(sha))
            return self.path_for(sha).read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None

    def get(self, sha: str) -> bytes | None:
        """Blob bytes, or None when missing or damaged (hash mismatch)."""
        _check_sha(sha)
        data = self._read(sha)
        return data if data is not None and sha256_hex(data) == sha else None

    def verify(self, sha: str) -> bool:
        """True when the blob exists and its bytes still hash to its name."""
        return self.get(sha) is not None

    # -- writing

    def put(self, data: bytes) -> StoredBlob:
        """Store `data`; a blob already there is trusted only after its hash is checked, and a
        damaged one (a flipped byte on disk) is replaced by these good bytes."""
        sha = sha256_hex(data)
        if self.remote:
            return self._put_remote(sha, data)
        final = self.path_for(sha)
        if final.is_file():
            if self.verify(sha):
                return self._blob(sha, len(data), True)
            self._replace_damaged(final, data)
            return self._blob(sha, len(data), False)
        final.parent.mkdir(parents=True, exist_ok=True)
        inside(self.data_dir, final.parent)
        tmp = _durable_temp(final.parent, data)
        existed = False
        try:
            try:
                # link() fails if the blob appeared meanwhile: never overwrite.
                os.link(tmp, final)
            except FileExistsError:
                existed = True
            except OSError:  # filesystems without hard links
                if final.exists():
                    existed = True
                else:
                    os.replace(tmp, final)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return self._blob(sha, len(data), existed)

    def _put_remote(self, sha: str, data: bytes) -> StoredBlob:
        key = self.key_for(sha)
        stored = self._read(sha)
        if stored is not None and sha256_hex(stored) == sha:
            return self._blob(sha, len(data), True)
        # One PUT of the whole body: an S3 object becomes visible only complete (a PUT is atomic
        # per object, and a multipart upload only at its completion), so no temp key and rename
        # are needed, and a reader never sees half a blob. Two writers of the same name write the
        # same bytes (the name is their hash). This also replaces a damaged object by good bytes.
        self.fs.pipe_file(key, data)
        return self._blob(sha, len(data), False)

    def _replace_damaged(self, final: Path, data: bytes) -> None:
        tmp = _durable_temp(final.parent, data)
        try:
            os.replace(tmp, final)  # the one case a blob is overwritten: its bytes were wrong
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    # -- files on disk for readers that need one

    @contextmanager
    def local_copy(self, sha: str) -> Iterator[Path]:
        """A verified file on disk holding the blob, for the length of the `with` block.

        A local store yields its own file (no copy); a remote store downloads the blob to a
        temporary folder inside the data folder, removed afterwards. FileNotFoundError when there
        is no blob, RawCorrupt when its bytes no longer hash to its name."""
        _check_sha(sha)
        data = self._read(sha)
        if data is None:
            raise FileNotFoundError(f"no blob {sha} in the raw store {self.url}")
        if sha256_hex(data) != sha:
            raise RawCorrupt(f"the stored copy of {sha} in {self.url} no longer matches its sha256")
        if not self.remote:
            yield self.path_for(sha)
            return
        with self._scratch() as folder:
            yield _write_named(folder, sha, data)

    @contextmanager
    def local_files(self, items: Iterable[tuple[str, Path | str]]) -> Iterator[list[tuple[str, Path]]]:
        """(sha256, local file) for each (sha256, path in the data folder) of the registry, for
        the length of the `with` block, for the extractor and its worker processes.

        A local store yields the pairs as given. A remote store downloads each blob into a
        temporary folder inside the data folder, named `<sha[:2]>/<sha>` like the local store, with
        its bytes exactly as stored: the extractor checks them against that name and records a
        damaged blob as `raw_corrupt` and a missing one as `missing_file`, as it does locally."""
        items = [(sha, Path(path)) for sha, path in items]
        if not self.remote:
            yield items
            return
        with self._scratch() as folder:
            out = []
            for sha, _ in items:
                data = self._read(sha) if _SHA_RE.match(sha or "") else None
                out.append((sha, _write_named(folder, sha, data) if data is not None
                            else folder / "missing" / str(sha)))
            yield out

    @contextmanager
    def _scratch(self) -> Iterator[Path]:
        """A temporary folder under the data folder (never outside it), removed afterwards."""
        parent = inside(self.data_dir, self.data_dir / "tmp")
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix="raw-copies-", dir=parent))
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    # -- the fetch log

    def append_log(self, entry: dict) -> None:
        """One JSON line per HTTP exchange; the file is only ever appended to."""
        line = json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n"
        with self._lock:
            self.root.mkdir(parents=True, exist_ok=True)
            with open(self.log_path, "a", encoding="utf-8") as fh:
                fh.write(line)

    def read_log(self) -> list[dict]:
        if not self.log_path.exists():
            return []
        with open(self.log_path, encoding="utf-8") as fh:
            return [json.loads(line) for line in fh if line.strip()]


def _check_sha(sha: str) -> None:
    if not _SHA_RE.match(sha or ""):
        raise ValueError(f"not a sha256 hex digest: {sha!r}")


def _write_named(folder: Path, sha: str, data: bytes) -> Path:
    """`data` in `folder/<sha[:2]>/<sha>`, read-only: the raw store's layout, which the extractor
    checks file names against."""
    path = folder / sha[:2] / sha
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.chmod(path, 0o444)
    return path


def _durable_temp(folder: Path, data: bytes) -> str:
    """`data` in a read-only temporary file in `folder`, on disk (fsynced): its path."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o444)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp
