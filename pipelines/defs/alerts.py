"""Tell operators when a run fails: a webhook (JSON over HTTP POST) or a command of their choice.

Configured by environment (XXGK_ALERT_WEBHOOK_URL, XXGK_ALERT_COMMAND) or by the `failure_notifier`
resource's config; with neither, the sensor logs that nobody was told. The message is Chinese
first (the operators' language), with the machine-readable details beside it.
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import time
import urllib.error
import urllib.request

import dagster as dg

from pipelines import settings
from pipelines.automation_names import FAILURE_SENSOR

WEBHOOK_ENV = "XXGK_ALERT_WEBHOOK_URL"
COMMAND_ENV = "XXGK_ALERT_COMMAND"


DELIVERY_ATTEMPTS = 3


class AlertDeliveryError(RuntimeError):
    """The hook could not be reached or refused, after DELIVERY_ATTEMPTS tries."""


def undelivered_path():
    """Alerts no hook took, one JSON object a line, so none is lost when the hook is down."""
    return settings.logs_dir() / "undelivered-alerts.jsonl"


def failure_payload(run: dg.DagsterRun, step_failures: list[dg.DagsterEvent], run_error: str | None) -> dict:
    """What a failed run reports: Chinese summary line in `text`, details in the other keys."""
    steps = []
    for event in step_failures:
        error = getattr(event.event_specific_data, "error", None)
        while error is not None and error.cause is not None and error.cls_name in (
                "DagsterExecutionStepExecutionError", "DagsterUserCodeExecutionError"):
            error = error.cause  # the user code's own exception, not Dagster's wrapper
        message = f"{error.cls_name}: {error.message.strip()}" if error is not None else "failed"
        steps.append({"step": event.step_key, "error": message.splitlines()[0][:500]})
    first = steps[0] if steps else {"step": None, "error": (run_error or "").strip()[:500]}
    where = f"在步骤 {first['step']} " if first["step"] else ""
    text = (f"xxgk 运行失败：作业 {run.job_name}（运行 {run.run_id[:8]}）{where}失败：{first['error']}。"
            f"数据目录 {settings.data_dir()}；已发布的数据仓库保持上一次成功运行的内容。")
    return {
        "event": "run_failure", "text": text, "run_id": run.run_id, "job_name": run.job_name,
        "failed_steps": steps, "run_error": run_error, "tags": dict(run.tags),
        "data_dir": str(settings.data_dir()), "warehouse": str(settings.warehouse_path()),
    }


class FailureNotifier(dg.ConfigurableResource):
    """Where run failures are reported. Empty fields fall back to $XXGK_ALERT_WEBHOOK_URL and
    $XXGK_ALERT_COMMAND; both may be set. The command (no shell) gets the JSON on standard input."""

    webhook_url: str = ""
    command: str = ""
    timeout_s: float = 10.0

    def hooks(self) -> tuple[str, str]:
        return (self.webhook_url or os.environ.get(WEBHOOK_ENV, "")).strip(), \
               (self.command or os.environ.get(COMMAND_ENV, "")).strip()

    def notify(self, payload: dict) -> list[str]:
        """Deliver to every configured hook, each tried DELIVERY_ATTEMPTS times; returns what was
        told. When a hook still fails, the payload is appended to undelivered_path() and
        AlertDeliveryError raised (the sensor tick shows it)."""
        told, problems = [], []
        for deliver in (self._post, self._run_command):
            for attempt in range(DELIVERY_ATTEMPTS):
                try:
                    what = deliver(payload)
                except AlertDeliveryError as exc:
                    if attempt + 1 == DELIVERY_ATTEMPTS:
                        problems.append(str(exc))
                    else:
                        time.sleep(0.5 * 2 ** attempt)
                    continue
                if what:
                    told.append(what)
                break
        if problems:
            path = undelivered_path()
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("a", encoding="utf-8") as fh:
                fh.write(json.dumps({**payload, "delivery_errors": problems}, ensure_ascii=False) + "\n")
            raise AlertDeliveryError("; ".join(problems) + f" (the alert is kept in {path})")
        return told

    def _post(self, payload: dict) -> str | None:
        url = self.hooks()[0]
        if not url:
            return None
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        if not url.lower().startswith(("http://", "https://")):
            raise AlertDeliveryError(f"{WEBHOOK_ENV} must be an http(s) URL, got {url!r}")
        request = urllib.request.Request(url, data=body, method="POST",
                                         headers={"Content-Type": "application/json; charset=utf-8"})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                response.read(65536)
        except (urllib.error.URLError, OSError) as exc:  # HTTPError is a URLError
            raise AlertDeliveryError(f"webhook {url} failed: {exc}") from None
        return f"webhook {url}"

    def _run_command(self, payload: dict) -> str | None:
        command = self.hooks()[1]
        if not command:
            return None
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        env = {**os.environ, "XXGK_ALERT_RUN_ID": payload.get("run_id", ""),
               "XXGK_ALERT_JOB": payload.get("job_name", ""), "XXGK_ALERT_TEXT": payload.get("text", "")}
        try:
            done = subprocess.run(shlex.split(command), input=body, env=env, capture_output=True,
                                  timeout=self.timeout_s, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AlertDeliveryError(f"alert command {command!r} failed: {exc}") from None
        if done.returncode != 0:
            raise AlertDeliveryError(f"alert command {command!r} exited {done.returncode}: "
                                     f"{done.stderr.decode(errors='replace').strip()[:300]}")
        return f"command {command}"


@dg.run_failure_sensor(
    name=FAILURE_SENSOR,
    description=("When a run of this code location fails, POST its summary (JSON, Chinese text first) to "
                 f"${WEBHOOK_ENV} and/or pipe it to ${COMMAND_ENV} (or the failure_notifier resource's "
                 "webhook_url/command). Each hook is tried 3 times; an alert no hook took is kept in "
                 "$XXGK_DATA_DIR/logs/undelivered-alerts.jsonl and the tick shows the error."),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
)
def run_failure_alert(context: dg.RunFailureSensorContext, failure_notifier: FailureNotifier):
    run = context.dagster_run
    payload = failure_payload(run, list(context.get_step_failure_events()),
                              context.failure_event.message)
    if not any(failure_notifier.hooks()):
        context.log.warning(f"run {run.run_id} failed; no alert hook configured ({WEBHOOK_ENV} or "
                            f"{COMMAND_ENV}): {payload['text']}")
        return
    told = failure_notifier.notify(payload)
    context.log.info(f"run {run.run_id} failed; told {', '.join(told)}")


defs = dg.Definitions(sensors=[run_failure_alert], resources={"failure_notifier": FailureNotifier()})
