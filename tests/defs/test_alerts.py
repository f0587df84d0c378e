"""A run that really fails reaches the operator: a webhook on a real HTTP receiver on 127.0.0.1,
or a command, through real ticks of the run-failure sensor over the instance's event log."""
from __future__ import annotations

import contextlib
import http.server
import json
import shlex
import sys
import threading

import dagster as dg
import pytest

from pipelines.automation_names import ALL_ASSETS_JOB, FAILURE_SENSOR


class _Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.received.append((self.headers.get("Content-Type"), body))
        self.send_response(self.server.status)
        self.end_headers()

    def log_message(self, *args):
        pass


@contextlib.contextmanager
def receiver(status: int = 200):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    server.received, server.status = [], status
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory, dbt_manifest):
    """One run of the whole job that really fails (the portal's front page links to no report, so
    the crawl fails), on an instance whose run-failure sensor had started before it:
    (instance, the sensor's cursor from before the run, the run's result)."""
    from pipelines.crawl.serve import serve_directory
    from pipelines.definitions import defs

    tmp = tmp_path_factory.mktemp("alerts")
    site = tmp / "site"
    site.mkdir()
    (site / "index.html").write_text("<html><body><p>维护中</p></body></html>", encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp, dg.DagsterInstance.ephemeral() as instance, \
            serve_directory(site) as base_url:
        mp.setenv("XXGK_DATA_DIR", str(tmp / "data"))
        mp.setenv("XXGK_SAMPLE_BASE_URL", base_url)
        for var in ("XXGK_SOURCES", "XXGK_ALERT_WEBHOOK_URL", "XXGK_ALERT_COMMAND"):
            mp.delenv(var, raising=False)
        start = _tick(instance, None)  # a run-status sensor starts from "now"
        from pipelines.launch import execute_county_in_process
        result = execute_county_in_process(instance, raise_on_error=False)
        assert not result.success
        yield instance, start.cursor, result


def _tick(instance, cursor, **notifier):
    """One evaluation of the sensor as the daemon does it: from the cursor over the event log."""
    from pipelines.defs.alerts import FailureNotifier
    from pipelines.definitions import defs

    sensor = defs.get_repository_def().get_sensor_def(FAILURE_SENSOR)
    context = dg.build_sensor_context(instance=instance, cursor=cursor,
                                      resources={"failure_notifier": FailureNotifier(**notifier)})
    return sensor.evaluate_tick(context)


def test_a_failed_run_is_posted_to_the_webhook_once(failed_run):
    instance, start, result = failed_run
    with receiver() as (server, url):
        tick = _tick(instance, start, webhook_url=url)
        assert [r.error for r in tick.dagster_run_reactions] == [None]
        assert len(server.received) == 1
        content_type, body = server.received[0]
        assert content_type.startswith("application/json")
        payload = json.loads(body)
        assert payload["run_id"] == result.run_id and payload["job_name"] == ALL_ASSETS_JOB
        assert [s["step"] for s in payload["failed_steps"]] == ["downloaded_reports"]
        # the crawl's own exception, not Dagster's wrapper around it
        (failure,) = result.get_step_failure_events()
        cause = failure.event_specific_data.error.cause
        assert payload["failed_steps"][0]["error"] == f"{cause.cls_name}: {cause.message.strip()}".splitlines()[0]
        assert "Dagster" not in cause.cls_name
        assert payload["text"].startswith("xxgk 运行失败") and "downloaded_reports" in payload["text"]
        # the next tick has nothing new to tell
        _tick(instance, tick.cursor, webhook_url=url)
        assert len(server.received) == 1


def test_a_command_set_by_environment_gets_the_alert(failed_run, tmp_path, monkeypatch):
    instance, start, result = failed_run
    out = tmp_path / "alert.json"
    script = f"import sys; open({str(out)!r}, 'wb').write(sys.stdin.buffer.read())"
    monkeypatch.setenv("XXGK_ALERT_COMMAND", f"{shlex.quote(sys.executable)} -c {shlex.quote(script)}")
    tick = _tick(instance, start)
    assert [r.error for r in tick.dagster_run_reactions] == [None]
    assert json.loads(out.read_text(encoding="utf-8"))["run_id"] == result.run_id


def test_a_hook_that_refuses_keeps_the_alert_and_shows_on_the_tick(failed_run):
    from pipelines.defs.alerts import DELIVERY_ATTEMPTS, undelivered_path

    instance, start, result = failed_run
    with receiver(status=500) as (server, url):
        tick = _tick(instance, start, webhook_url=url)
    (reaction,) = tick.dagster_run_reactions
    assert reaction.error is not None and "HTTP Error 500" in reaction.error.to_string()
    assert len(server.received) == DELIVERY_ATTEMPTS
    kept = [json.loads(line) for line in undelivered_path().read_text(encoding="utf-8").splitlines()]
    assert [k["run_id"] for k in kept] == [result.run_id]


def test_without_a_hook_the_sensor_only_logs(failed_run):
    instance, start, _ = failed_run
    tick = _tick(instance, start)
    assert [r.error for r in tick.dagster_run_reactions] == [None]
    assert not [r for r in tick.run_requests or []]
