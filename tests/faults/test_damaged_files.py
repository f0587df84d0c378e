"""Items 2 and 9: a damaged raw file never reaches extraction; a damaged registry or crawl-state
file is set aside, rebuilt and reported instead of failing every later run."""
from __future__ import annotations

import json
import os

from crawl_testkit import Route, fast_http, serve_routes

from pipelines.core.extract import extract_path
from pipelines.crawl.fetch import Fetcher
from pipelines.stages import crawl_stage, tables

ROBOTS = Route(b"User-agent: *\nDisallow:\n", headers={"Content-Type": "text/plain"})
HTML_REPORT = ("<html><head><meta charset='utf-8'><title>城关镇2022年政府信息公开工作年度报告</title></head>"
               "<body><table><tr><td>本年新收政府信息公开申请数量</td><td>17</td></tr></table></body></html>"
               ).encode()


def _damage(path):
    """Change one digit in place, as a bad sector or a stray edit would."""
    os.chmod(path, 0o644)
    data = path.read_bytes()
    path.write_bytes(data.replace(b"17", b"18", 1))


def test_damaged_blob_is_healed_by_the_next_put(store):
    blob = store.put(HTML_REPORT)
    _damage(blob.path)
    assert store.get(blob.sha256) is None and not store.verify(blob.sha256)
    again = store.put(HTML_REPORT)  # used to answer "already exists" without looking
    assert again.existed is False and again.path.read_bytes() == HTML_REPORT
    assert store.verify(blob.sha256)


def test_damaged_blob_is_refused_by_extraction(store):
    blob = store.put(HTML_REPORT)
    _damage(blob.path)
    result = extract_path(blob.path)
    assert result["status"] == "failed" and result["error"]["kind"] == "raw_corrupt"
    assert result["cells"] == {}  # no 18 anywhere
    assert result["sha256"] != blob.sha256


def test_304_with_a_damaged_blob_downloads_again(store):
    def etag_page(h):
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("ETag", '"v1"')
        h.send_header("Content-Length", str(len(HTML_REPORT)))
        h.end_headers()
        h.wfile.write(HTML_REPORT)

    with serve_routes({"/robots.txt": ROBOTS, "/r.html": Route(etag_page)}) as (base, hits):
        f = Fetcher(allowed_hosts=("127.0.0.1",), http=fast_http(), store=store)
        first = f.fetch(base + "/r.html")
        _damage(store.path_for(first.sha256))
        second = f.fetch(base + "/r.html")
    assert second.ok and second.body == HTML_REPORT and not second.from_cache
    assert hits.hits["/r.html"] == 3  # 200, 304 (blob damaged), unconditional 200
    assert store.verify(first.sha256)


def _row(url, sha, raw_path, **kw):
    row = {c: None for c in crawl_stage.CRAWL_COLUMNS}
    row.update(document_url=url, detail_url=url, title="t", sha256=sha, raw_path=raw_path,
               fetched_at="2024-01-01T00:00:00+00:00", source_id="s", in_latest_crawl=True, **kw)
    return row


def test_registry_row_with_a_damaged_blob_is_marked_raw_corrupt(store):
    good = store.put(b"%PDF-1.4 good")
    bad = store.put(HTML_REPORT)
    _damage(bad.path)
    rows = crawl_stage.verify_raw([_row("http://x/a", good.sha256, good.rel_path),
                                   _row("http://x/b", bad.sha256, bad.rel_path),
                                   _row("http://x/c", None, None, error_kind="http_error")], store)
    assert [r["error_kind"] for r in rows] == [None, "raw_corrupt", "http_error"]
    assert "no longer matches its sha256" in rows[1]["error_message"]


def test_damaged_registry_parquet_is_set_aside_and_rebuilt(data_dir):
    path = tables.write_table("crawl_documents", [_row("http://x/a", "a" * 64, "raw/aa/x")],
                              crawl_stage.CRAWL_COLUMNS)
    path.write_bytes(path.read_bytes()[:40] + b"\0garbage\0" + path.read_bytes()[60:])
    rows, notes = crawl_stage.read_registry()
    assert rows == [] and len(notes) == 1 and "unreadable" in notes[0]
    aside = list(path.parent.glob("crawl_documents.parquet.damaged-*"))
    assert len(aside) == 1 and not path.exists()  # renamed, never deleted
    merged = crawl_stage.merge_history([_row("http://x/b", "b" * 64, "raw/bb/y")])
    assert [r["document_url"] for r in merged] == ["http://x/b"]


def test_damaged_http_state_is_set_aside(store):
    state = store.root / "http_state.json"
    state.parent.mkdir(parents=True, exist_ok=True)
    state.write_text('{"http://x/": {"etag": "v1", "sha2', encoding="utf-8")
    f = Fetcher(allowed_hosts=("127.0.0.1",), http=fast_http(), store=store)
    assert f.state.get("http://x/") is None and len(f.state.set_aside) == 1
    assert len(list(store.root.glob("http_state.json.damaged-*"))) == 1
    f.state.set("http://x/", {"etag": "v2", "sha256": "c" * 64})
    f.close()
    assert json.loads(state.read_text(encoding="utf-8"))["http://x/"]["etag"] == "v2"


def test_documents_without_results_are_not_skipped_as_unchanged(data_dir, monkeypatch):
    """An interrupted --force (or extractor bump) leaves registry documents without results; the
    next plain run must finish them, not skip and print counters that disagree with the warehouse."""
    from pipelines.stages import change_detection as C
    from pipelines.stages.extract_stage import cache_path

    def _store_result(sha, result):  # the cache entry an extraction leaves (existence is what counts)
        cache_path(sha).parent.mkdir(parents=True, exist_ok=True)
        cache_path(sha).write_text(json.dumps({"result": result}), encoding="utf-8")

    (data_dir / "warehouse.duckdb").write_bytes(b"published")
    rows = [_row("http://x/a", "a" * 64, "raw/aa/a"), _row("http://x/b", "b" * 64, "raw/bb/b")]
    tables.write_table("crawl_documents", rows, crawl_stage.CRAWL_COLUMNS)
    fp = C.crawl_fingerprint(rows)
    C.record_crawl(fp)
    C.mark_published()
    _store_result("a" * 64, {"status": "ok"})
    assert C.documents_pending_extraction() == ["b" * 64]
    assert not C.unchanged_since_publish(fp)  # was True: the run skipped with b never extracted
    _store_result("b" * 64, {"status": "ok"})
    assert C.unchanged_since_publish(fp)


def test_damaged_fingerprint_file_costs_one_rebuild_not_every_run(data_dir):
    from pipelines.stages import change_detection as C

    (data_dir / "warehouse.duckdb").write_bytes(b"published")
    (data_dir / "staging").mkdir(exist_ok=True)
    (data_dir / "staging" / "published_fingerprint.json").write_text('{"fingerp', encoding="utf-8")
    assert not C.unchanged_since_publish("x")
    assert len(list((data_dir / "staging").glob("published_fingerprint.json.damaged-*"))) == 1
