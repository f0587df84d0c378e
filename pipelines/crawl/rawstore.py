"""Content-addressed raw store and the append-only fetch log, both under the data folder.

Blobs live at `$XXGK_DATA_DIR/raw/<sha[:2]>/<sha>`, are written to a temp file first and
never overwritten. Every path is checked to stay inside the data folder.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from pipelines import settings

_SHA_RE = re.compile(r"^[0-9a-f]{64}$")


class UnsafePath(ValueError):
    """A path that would leave the data folder."""


def inside(root: Path, path: Path) -> Path:
    """`path` resolved, or UnsafePath if it is not inside `root` (symlinks resolved too)."""
    root_r = root.resolve()
    path_r = path.resolve()
    if path_r != root_r and root_r not in path_r.parents:
        raise UnsafePath(f"{path} is outside {root_r}")
    return path_r


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    path: Path  # absolute
    rel_path: str  # relative to the data folder, posix separators
    size: int
    existed: bool


class RawStore:
    """Blobs by SHA-256 plus `fetch_log.jsonl`. Thread-safe for appends."""

    def __init__(self, data_dir: Path | str | None = None):
        self.data_dir = Path(data_dir).resolve() if data_dir else settings.data_dir()
        self.root = inside(self.data_dir, self.data_dir / "raw")
        self.log_path = self.root / "fetch_log.jsonl"
        self._lock = threading.Lock()

    def path_for(self, sha: str) -> Path:
        if not _SHA_RE.match(sha or ""):
            raise ValueError(f"not a sha256 hex digest: {sha!r}")
        return inside(self.data_dir, self.root / sha[:2] / sha)

    def rel_path(self, sha: str) -> str:
        return self.path_for(sha).relative_to(self.data_dir).as_posix()

    def has(self, sha: str) -> bool:
        return bool(_SHA_RE.match(sha or "")) and self.path_for(sha).is_file()

    def get(self, sha: str) -> bytes | None:
        """Blob bytes, or None when missing or damaged (hash mismatch)."""
        path = self.path_for(sha)
        try:
            data = path.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            return None
        return data if sha256_hex(data) == sha else None

    def verify(self, sha: str) -> bool:
        """True when the blob exists and its bytes still hash to its name."""
        return self.get(sha) is not None

    def put(self, data: bytes) -> StoredBlob:
        """Store `data`; a blob already there is trusted only after its hash is checked, and a
        damaged one (a flipped byte on disk) is replaced by these good bytes."""
        sha = sha256_hex(data)
        final = self.path_for(sha)
        if final.is_file():
            if self.verify(sha):
                return StoredBlob(sha, final, self.rel_path(sha), len(data), True)
            self._replace_damaged(final, data)
            return StoredBlob(sha, final, self.rel_path(sha), len(data), False)
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
        return StoredBlob(sha, final, self.rel_path(sha), len(data), existed)

    def _replace_damaged(self, final: Path, data: bytes) -> None:
        tmp = _durable_temp(final.parent, data)
        try:
            os.replace(tmp, final)  # the one case a blob is overwritten: its bytes were wrong
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

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
