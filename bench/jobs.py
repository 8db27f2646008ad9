#!/usr/bin/env python3
"""Background jobs' budgets (issue 14), on PostgreSQL with real messages:

  - jobs claimed and completed per second by one `anxin serve` instance and by three
    on the same database (each message composed from its booking, signed and POSTed
    to the webhook receiver of scripts/message-sinks.py, which checks the signature);
  - how late a due message goes out (a reminder is such a message): p50, p99 and the
    worst, from its due second to its arrival at the receiver.

Usage: bench/jobs.py POSTGRES_URL [N]   (after a release build; bench/run.sh calls it)
Prints Markdown for bench/RESULTS.md.
"""

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

PG_URL = sys.argv[1]
N = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
ANXIN = "target/release/anxin"
PSQL = sorted(
    os.path.join("/usr/lib/postgresql", v, "bin/psql") for v in os.listdir("/usr/lib/postgresql")
)[-1]
work = tempfile.mkdtemp()
received = os.path.join(work, "received.jsonl")
key = subprocess.check_output([ANXIN, "key", "generate"], text=True).strip()

sinks = subprocess.Popen(
    ["tools/venv/bin/python", "scripts/message-sinks.py", received],
    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
)
ports = json.loads(sinks.stdout.readline())


def sql(statement):
    return subprocess.check_output([PSQL, PG_URL, "-qtAc", statement], text=True).strip()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(name, workers, demo=False):
    port = free_port()
    env = dict(os.environ, DATABASE_URL=PG_URL, ANXIN_DATA_KEY=key, RUST_LOG="warn",
               LEPTOS_SITE_ROOT="target/site",
               ANXIN_WEBHOOK_URL=f"http://127.0.0.1:{ports['webhook']}/ok",
               ANXIN_WEBHOOK_SECRET=ports["secret"])
    args = [ANXIN, "serve", "--addr", f"127.0.0.1:{port}", "--data-dir", os.path.join(work, name),
            "--trust-proxy", "--job-workers", str(workers)] + (["--demo-data"] if demo else [])
    process = subprocess.Popen(args, env=env)
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            urllib.request.urlopen(base + "/healthz")
            return process, base
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{name} did not start")


def stop(processes):
    for p in processes:
        p.terminate()
    for p in processes:
        p.wait()


def arrivals():
    if not os.path.exists(received):
        return []
    with open(received, encoding="utf-8") as log:
        return [json.loads(line) for line in log if '"webhook"' in line]


def wait_done(expected):
    for _ in range(6000):
        if int(sql("SELECT COUNT(*) FROM jobs WHERE kind = 'message' AND state = 'done'")) >= expected:
            return
        time.sleep(0.05)
    raise SystemExit("the workers never finished")


# Load: a web-only instance takes N bookings that asked for messages (no reminders),
# which queues N confirmations while nothing sends them.
loader, base = serve("loader", 0, demo=True)
clinics = json.load(urllib.request.urlopen(base + "/api/v1/clinics"))
service = next(s["id"] for c in clinics for s in c["services"] if s["places"] == 80)
slot = json.load(urllib.request.urlopen(f"{base}/api/v1/services/{service}/slots"))["slots"][0]["id"]
sql(f"UPDATE services SET remind_hours = '', max_active_per_phone = 20 WHERE id = {service}")
sql(f"UPDATE slots SET places = {N + 80} WHERE id = {slot}")
for n in range(N):
    body = json.dumps({"slot": slot, "name": "bench", "phone": f"135{n:08d}", "attendee": "parent",
                       "stage": "junior", "messages": True}).encode()
    request = urllib.request.Request(base + "/api/v1/bookings", body, {
        "Content-Type": "application/json", "X-Forwarded-For": f"10.5.{n // 250}.{n % 250}"})
    urllib.request.urlopen(request).read()
stop([loader])
assert int(sql("SELECT COUNT(*) FROM jobs WHERE kind = 'message' AND state = 'queued'")) == N


def requeue(run_at_sql="0"):
    sql("UPDATE jobs SET state = 'queued', attempts = 0, finished_at = NULL, last_error = '', "
        f"run_at = {run_at_sql} WHERE kind = 'message'")


def throughput(instances):
    requeue()
    before = len(arrivals())
    processes = [serve(f"w{instances}-{i}", 2)[0] for i in range(instances)]
    wait_done(N)
    got = arrivals()[before:]
    ids = [e["id"] for e in got]
    assert len(ids) == N and len(set(ids)) == N, (len(ids), len(set(ids)))
    assert all(e["signed"] for e in got)
    seconds = max(e["at"] for e in got) - min(e["at"] for e in got)
    return processes, N / seconds, seconds


def receiver_baseline():
    """The receiver alone: N signed POSTs from six threads (the ceiling for any sender)."""
    from concurrent.futures import ThreadPoolExecutor
    from datetime import datetime, timezone
    from standardwebhooks.webhooks import Webhook
    signer = Webhook(ports["secret"])
    body = json.dumps({"type": "baseline", "data": {}})

    def post(n):
        now = int(time.time())
        headers = {"webhook-id": f"base_{n}", "webhook-timestamp": str(now), "content-type": "application/json",
                   "webhook-signature": signer.sign(f"base_{n}", datetime.fromtimestamp(now, timezone.utc), body)}
        request = urllib.request.Request(f"http://127.0.0.1:{ports['webhook']}/ok", body.encode(), headers)
        urllib.request.urlopen(request).read()

    started = time.time()
    with ThreadPoolExecutor(6) as pool:
        list(pool.map(post, range(N)))
    return N / (time.time() - started)


baseline = receiver_baseline()
print(f"## Background jobs — {time.strftime('%Y-%m-%d', time.gmtime())}")
print()
print(f"{N} message jobs (confirmations: composed from the booking, signed, POSTed to the")
print("webhook receiver, which checks each signature), each delivered exactly once, on one")
print("PostgreSQL; two workers per instance.")
print()
print("| sender | per second | seconds for all | ÷ one instance | ÷ receiver alone |")
print("|---|---|---|---|---|")
print(f"| the receiver alone (six threads POSTing signed requests) | {baseline:.0f} | {N / baseline:.2f} | | 1 |")
one, one_rate, one_s = throughput(1)
stop(one)
print(f"| one instance | {one_rate:.0f} | {one_s:.2f} | 1 | {one_rate / baseline:.2f} |")
three, three_rate, three_s = throughput(3)
print(f"| three instances | {three_rate:.0f} | {three_s:.2f} | {three_rate / one_rate:.2f} | {three_rate / baseline:.2f} |")

# Lateness: with the three instances idle, the same jobs fall due over 30 seconds.
before = len(arrivals())
now = int(time.time())
requeue(f"{now + 5} + (id % 30)")
due = dict(line.split("|") for line in sql("SELECT id, run_at FROM jobs WHERE kind = 'message'").splitlines())
wait_done(N)
late = sorted(e["at"] - int(due[e["id"].removeprefix("msg_")]) for e in arrivals()[before:])
stop(three)
sinks.stdin.close()
sinks.wait()
pick = lambda q: late[min(len(late) - 1, int(q * len(late)))]
print()
print(f"A due message's delay (its due second to its arrival), {len(late)} messages falling due")
print("over 30 s with three idle instances (workers look for due jobs every second):")
print()
print("| p50 | p99 | worst |")
print("|---|---|---|")
print(f"| {pick(0.5):.2f} s | {pick(0.99):.2f} s | {late[-1]:.2f} s |")
