"""Legacy binary Word `.doc` (OLE2 compound file, magic D0CF11E0) -> Document.

The OLE directory is read just far enough to tell what the file is:
- an `EncryptedPackage` stream is a password-protected DOCX/XLSX (kind `encrypted`);
- a `WordDocument` stream whose FIB has fEncrypted set is a password-protected .doc (`encrypted`);
- a `WordDocument` stream otherwise is a .doc: LibreOffice (`soffice`) converts it to DOCX
  in a private temporary profile (parallel runs do not share a user installation) under a
  time limit, and the DOCX reader reads the result. Without `soffice` the kind is
  `needs_converter`;
- any other OLE file (Excel, PowerPoint, MSI …) is `not_a_report`.
"""
from __future__ import annotations

import os
import shutil
import signal
import struct
import subprocess
import tempfile
from pathlib import Path

from .model import Document
from .reader_errors import CORRUPT_FILE, ENCRYPTED, NEEDS_CONVERTER, NOT_A_REPORT, TIMEOUT, ReaderError

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
CONVERT_TIMEOUT_S = 60.0
_END = 0xFFFFFFFE  # ENDOFCHAIN
_MAX_SECTORS = 1 << 20


def ole_streams(data: bytes) -> dict[str, tuple[int, int]]:
    """{entry name: (start sector, size)} of an OLE2 compound file's directory; ReaderError if broken."""
    if data[:8] != OLE_MAGIC or len(data) < 512:
        raise ReaderError(CORRUPT_FILE, "not an OLE2 compound file (bad header)")
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    if shift not in (9, 12):
        raise ReaderError(CORRUPT_FILE, f"OLE2 header has sector shift {shift}; the file is damaged")
    size = 1 << shift
    n_fat, dir_start = struct.unpack_from("<I", data, 0x2C)[0], struct.unpack_from("<I", data, 0x30)[0]
    difat = list(struct.unpack_from("<109I", data, 0x4C))[: min(n_fat, 109)]

    def sector(n: int) -> bytes:
        off = (n + 1) * size
        if n >= _MAX_SECTORS or off + size > len(data):
            raise ReaderError(CORRUPT_FILE, "OLE2 sector beyond the end of the file: truncated download?")
        return data[off: off + size]

    fat: list[int] = []
    for s in difat:
        fat.extend(struct.unpack(f"<{size // 4}I", sector(s)))
    out: dict[str, tuple[int, int]] = {}
    s, seen = dir_start, set()
    while s != _END:
        if s in seen or s >= len(fat):
            raise ReaderError(CORRUPT_FILE, "OLE2 directory chain is broken")
        seen.add(s)
        block = sector(s)
        for off in range(0, size, 128):
            e = block[off: off + 128]
            name_len = struct.unpack_from("<H", e, 0x40)[0]
            if e[0x42] == 0 or not 2 <= name_len <= 64:
                continue
            name = e[: name_len - 2].decode("utf-16-le", "replace")
            out[name] = (struct.unpack_from("<I", e, 0x74)[0], struct.unpack_from("<I", e, 0x78)[0])
        s = fat[s]
    return out


def classify_ole(data: bytes) -> str:
    """'doc' or raise ReaderError(encrypted | not_a_report | corrupt_file)."""
    streams = ole_streams(data)
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise ReaderError(ENCRYPTED, "password-protected Office document (OLE EncryptedPackage); ask the "
                                     "publisher for an unprotected copy or supply the password")
    if "WordDocument" not in streams:
        kinds = {"Workbook": "an Excel workbook", "Book": "an Excel workbook",
                 "PowerPoint Document": "a PowerPoint presentation"}
        what = next((v for k, v in kinds.items() if k in streams), "an OLE file that is no Word document")
        raise ReaderError(NOT_A_REPORT, f"{what}, not a report")
    start, length = streams["WordDocument"]
    shift = struct.unpack_from("<H", data, 0x1E)[0]
    off = (start + 1) << shift
    if length >= 4096 and off + 12 <= len(data) and data[off: off + 2] == b"\xec\xa5":
        flags = struct.unpack_from("<H", data, off + 0x0A)[0]
        if flags & 0x0100:  # FIB fEncrypted
            raise ReaderError(ENCRYPTED, "password-protected Word .doc; ask the publisher for an "
                                         "unprotected copy or supply the password")
    return "doc"


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_doc_to_docx(data: bytes, timeout_s: float = CONVERT_TIMEOUT_S) -> bytes:
    """The DOCX LibreOffice makes of a .doc; ReaderError(needs_converter | timeout | corrupt_file)."""
    exe = soffice_path()
    if exe is None:
        raise ReaderError(NEEDS_CONVERTER, "legacy Word .doc needs LibreOffice to convert it: install it "
                                           "(apt-get install libreoffice-writer-nogui) so `soffice` is on "
                                           "PATH, or supply a DOCX/PDF copy")
    # The folder names its owner, so a later run can kill and clean what a killed worker left
    # (soffice runs in a session of its own and outlives a SIGKILL of the worker's group).
    with tempfile.TemporaryDirectory(prefix=f"{_TMP_PREFIX}{os.getpid()}-") as tmp:
        src = Path(tmp) / "report.doc"
        src.write_bytes(data)
        outdir = Path(tmp) / "out"
        cmd = [exe, f"-env:UserInstallation=file://{tmp}/profile", "--headless", "--norestore",
               "--nologo", "--convert-to", "docx", "--outdir", str(outdir), str(src)]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, env={**os.environ, "HOME": tmp})
        try:
            _, err = proc.communicate(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # soffice is a wrapper: kill soffice.bin too
            proc.communicate()
            raise ReaderError(TIMEOUT, f"LibreOffice took longer than {timeout_s:.0f} s to convert the "
                                       ".doc; convert it by hand") from None
        result = outdir / "report.docx"
        if not result.is_file():
            raise ReaderError(CORRUPT_FILE, "LibreOffice could not convert the .doc (exit code "
                                            f"{proc.returncode}: {err.decode(errors='replace')[-200:].strip()})")
        return result.read_bytes()


_TMP_PREFIX = "xxgk-doc-"


def reap_orphans(tmp_root: str | None = None) -> list[str]:
    """Kill LibreOffice processes and remove temp folders whose owning worker is gone.

    A worker killed on timeout, or a run killed with SIGKILL, cannot clean up after itself:
    its soffice keeps running (its own session) and its profile folder stays in /tmp.
    Returns one line per folder cleaned."""
    import re

    root = Path(tmp_root or tempfile.gettempdir())
    actions = []
    for folder in root.glob(f"{_TMP_PREFIX}*-*"):
        m = re.match(rf"{_TMP_PREFIX}(\d+)-", folder.name)
        if not m or not folder.is_dir() or _pid_alive(int(m.group(1))):
            continue
        killed = _kill_processes_using(str(folder))
        shutil.rmtree(folder, ignore_errors=True)
        actions.append(f"removed {folder}" + (f" and killed {killed} LibreOffice process(es)" if killed else "")
                       + " left by a killed extraction worker")
    return actions


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (exited, not yet reaped by its parent) is gone for our purpose
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def _kill_processes_using(folder: str) -> int:
    """SIGKILL every process whose command line names `folder` (soffice, oosplash, soffice.bin)."""
    killed = 0
    needle = folder.encode()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            cmdline = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if needle in cmdline:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                killed += 1
            except (ProcessLookupError, PermissionError):
                pass
    return killed


def read_doc(data: bytes, timeout_s: float = CONVERT_TIMEOUT_S) -> Document:
    classify_ole(data)
    from .docx_reader import read_docx

    doc = read_docx(convert_doc_to_docx(data, timeout_s))
    doc.format = "doc"
    return doc
