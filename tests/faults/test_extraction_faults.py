"""Items 10 and 11 (extraction side) and issue 10 item 5: a DOCX zip bomb is refused with memory
bounded, missing files and reader bugs get kinds of their own, workers are reused yet killed on
time, and a killed worker's LibreOffice is not left running."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from pipelines.core import extract as E

REPO = Path(__file__).resolve().parents[2]
REAL = REPO.parent / "shared" / "corpus" / "real"
SAMPLE_DOC = REPO / "data" / "sample_portal" / "zfxxgk" / "zfxxgknb" / "202102" / "P020210225034665675908.doc"
CT = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
      '<Default Extension="xml" ContentType="application/xml"/></Types>')


def _docx_bomb(path: Path, inflated_mb: int) -> None:
    """A DOCX whose document.xml inflates to `inflated_mb` MB of valid WordprocessingML."""
    para = b"<w:p><w:r><w:t>0</w:t></w:r></w:p>" * 1000
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CT)
        with zf.open("word/document.xml", "w") as fh:
            fh.write(b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                     b'wordprocessingml/2006/main"><w:body>')
            for _ in range(inflated_mb * 1024 * 1024 // len(para)):
                fh.write(para)
            fh.write(b"</w:body></w:document>")


def test_docx_zip_bomb_is_refused_with_memory_bounded(tmp_path):
    bomb = tmp_path / "bomb.docx"
    _docx_bomb(bomb, 160)
    assert bomb.stat().st_size < 2 * 1024 * 1024
    # VmHWM, not getrusage: Linux carries the parent's peak RSS across fork+exec into ru_maxrss,
    # so inside a large pytest process the child's "peak" was the parent's (1.1 GB in a full run)
    script = ("import json, re, sys; from pipelines.core.extract import extract_path;"
              "r = extract_path(sys.argv[1]);"
              "hwm = int(re.search(r'VmHWM:\\s+(\\d+)', open('/proc/self/status').read()).group(1));"
              "print(json.dumps([r['status'], r['error'], hwm]))")
    out = subprocess.run([sys.executable, "-c", script, str(bomb)], capture_output=True, text=True,
                         cwd=REPO, timeout=300, check=True).stdout
    status, error, max_rss_kb = json.loads(out.strip().splitlines()[-1])
    assert (status, error["kind"]) == ("failed", "too_large")
    assert "zip bomb" in error["message"] and "document.xml" in error["message"]
    assert max_rss_kb < 600 * 1024  # parsing 160 MB of XML would take gigabytes


@pytest.mark.parametrize("what", ["missing", "directory"])
def test_missing_path_or_directory_is_missing_file(tmp_path, what):
    path = tmp_path / "nope.pdf" if what == "missing" else tmp_path
    r = E.extract_path(path)
    assert (r["status"], r["error"]["kind"]) == ("failed", "missing_file")
    assert str(path) in r["error"]["message"]


def test_reader_bug_is_ours_not_the_sources(monkeypatch):
    from pipelines.core import html_reader

    def broken(data):  # a bug injected into the reader: an exception no reader should raise
        return {}["no such key"]

    monkeypatch.setattr(html_reader, "read_html", broken)
    r = E.extract_bytes(b"<html><body><table><tr><td>1</td></tr></table></body></html>", "r.html")
    assert (r["status"], r["error"]["kind"]) == ("failed", "reader_bug")
    assert "KeyError" in r["error"]["message"] and "test_extraction_faults.py" in r["error"]["message"]


def _html_docs(tmp_path, n):
    paths = []
    for i in range(n):
        p = tmp_path / f"r{i}.html"
        p.write_text(f"<html><body><p>文档 {i}</p></body></html>", encoding="utf-8")
        paths.append(p)
    return paths


def test_workers_are_reused_then_recycled(tmp_path, monkeypatch):
    paths = _html_docs(tmp_path, 6)
    before = dict(E.POOL_STATS)
    results = list(E.extract_many(paths, workers=1))
    assert [r["path"] for r in results] == [str(p) for p in paths]
    assert E.POOL_STATS["workers_started"] - before["workers_started"] == 1  # one process, six documents
    monkeypatch.setattr(E, "RECYCLE_AFTER", 2)
    before = dict(E.POOL_STATS)
    list(E.extract_many(paths, workers=1))
    assert E.POOL_STATS["workers_started"] - before["workers_started"] == 3
    assert E.POOL_STATS["workers_recycled"] - before["workers_recycled"] == 3
    monkeypatch.setattr(E, "RECYCLE_AFTER", 100)
    monkeypatch.setattr(E, "RECYCLE_RSS_MB", 1)  # any worker is "grown": recycled after each document
    before = dict(E.POOL_STATS)
    list(E.extract_many(paths[:3], workers=1))
    assert E.POOL_STATS["workers_started"] - before["workers_started"] == 3


def test_timeout_kills_one_worker_and_the_rest_go_on(tmp_path):
    pdf = REAL / "hongze-2024.pdf"
    if not pdf.exists():
        pytest.skip(f"real corpus not found at {REAL}")
    paths = [pdf, *_html_docs(tmp_path, 3)]
    before = dict(E.POOL_STATS)
    results = list(E.extract_many(paths, timeout_s=0.3, workers=1))
    assert [r["error"]["kind"] if r["error"] else None for r in results][0] == "timeout"
    assert [r["path"] for r in results] == [str(p) for p in paths]
    assert all(r["error"] is None or r["error"]["kind"] != "timeout" for r in results[1:])
    assert E.POOL_STATS["workers_killed"] - before["workers_killed"] == 1
    assert E.POOL_STATS["workers_started"] - before["workers_started"] == 2


def _processes_naming(fragment: str) -> list[int]:
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if fragment.encode() in (entry / "cmdline").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            pass
    return pids


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")
def test_killed_worker_leaves_no_libreoffice_behind(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)  # TMPDIR is read again
    # a converter that never finishes (a real process, called the way soffice is): how fast the
    # real soffice starts depends on the machine and what ran before, the kill must not
    slow = tmp_path / "soffice"
    slow.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(60)\n")  # keeps its arguments in cmdline
    slow.chmod(0o755)
    from pipelines.core import legacy_doc

    monkeypatch.setattr(legacy_doc, "soffice_path", lambda: str(slow))
    results = list(E.extract_many([SAMPLE_DOC], timeout_s=1.5, workers=1))
    assert results[0]["error"]["kind"] == "timeout"
    deadline = time.monotonic() + 5
    while _processes_naming(str(tmp_path / "xxgk-doc-")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_naming(str(tmp_path / "xxgk-doc-")) == []
    assert list(tmp_path.glob("xxgk-doc-*")) == []


def test_orphans_of_a_dead_worker_are_reaped(tmp_path):
    from pipelines.core.legacy_doc import reap_orphans

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a real pid whose process has exited: the "worker" that was SIGKILLed
    folder = tmp_path / f"xxgk-doc-{gone.pid}-abc"
    (folder / "profile").mkdir(parents=True)
    soffice = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)",
                                f"-env:UserInstallation=file://{folder}/profile"], start_new_session=True)
    alive = tmp_path / f"xxgk-doc-{os.getpid()}-def"  # ours: left alone
    alive.mkdir()
    try:
        actions = reap_orphans(str(tmp_path))
        assert len(actions) == 1 and "killed 1 LibreOffice" in actions[0], actions
        # a liveness bound, not a timing: a SIGKILLed sleeper may take seconds to be reaped on a
        # loaded 2-core machine (5 s once ran out there)
        assert soffice.wait(timeout=60) == -9
        assert not folder.exists() and alive.exists()
    finally:
        if soffice.poll() is None:
            soffice.kill()


@pytest.mark.parametrize("keep", [600, 4096, 20000])
def test_truncated_doc_is_corrupt_file_not_a_reader_bug(keep):
    data = SAMPLE_DOC.read_bytes()[:keep]
    r = E.extract_bytes(data, "cut.doc")
    assert (r["status"], r["error"]["kind"]) == ("failed", "corrupt_file"), r["error"]
