"""The city load test: what a bureau's evening looks like when a school sends the
parent-school link to every class group and students open the self-check.

Three kinds of visitor, by weight:
- parents (6): the parent-school page, a grade band, a catalogue of a school, a course,
  a lesson, an article: first visits (with the page's CSS and script files);
- students (3): the self-check list and a questionnaire, with the WebAssembly it loads;
- people booking (1): the booking page, a service's free slots (page and API), and a
  booking through the API (most slots are full: a refusal is the expected answer).

Every visitor comes from its own address (X-Forwarded-For; the server runs with
--trust-proxy, as behind the deployment's reverse proxy), so rate limits apply per
person, as they would. With several instances (BENCH_HOSTS, a comma-separated list of
their origins), each visitor keeps to one of them, as behind a proxy with sticky
sessions, and each booking attempt goes to the next.

Run by bench/city.sh; the ids come from the public API at the start.
"""

import itertools
import json
import os
import random
import re
import threading
import urllib.request

from locust import FastHttpUser, LoadTestShape, between, events, task

IDS = {"courses": [], "lessons": [], "articles": [], "services": [], "schools": []}
ASSETS = {}
_phones = itertools.count(1)
_lock = threading.Lock()
HOSTS = [host for host in os.environ.get("BENCH_HOSTS", "").split(",") if host]


def _get_json(host, path):
    with urllib.request.urlopen(host + path, timeout=30) as response:
        return json.load(response)


@events.test_start.add_listener
def collect_ids(environment, **_kwargs):
    host = environment.host
    try:
        _get_json(host, "/api/v1/clinics")
    except Exception:
        return  # the plain baseline: nothing to collect
    for kind in ("courses", "articles"):
        for page in range(1, 6):
            listing = _get_json(host, f"/api/v1/{kind}?per_page=100&page={page}")
            IDS[kind] += [item["id"] for item in listing["items"]]
    for course in IDS["courses"][:50]:
        IDS["lessons"] += [lesson["id"] for lesson in _get_json(host, f"/api/v1/courses/{course}").get("lessons", [])]
    for clinic in _get_json(host, "/api/v1/clinics"):
        IDS["services"] += [(service["id"], [c["id"] for c in service["categories"]]) for service in clinic["services"]]
    IDS["schools"] = [f"city-s{n}" for n in range(336)]
    # The files a first visit loads, as the pages name them.
    for page, key in (("/zh/parent-school", "content"), ("/zh/self-check/phq9", "self-check")):
        with urllib.request.urlopen(host + page, timeout=30) as response:
            html = response.read().decode()
        files = set(re.findall(r'(?:href|src)="(/pkg/[^"]+)"', html))
        files |= set(re.findall(r"'(/pkg/[^']+)'", html))
        ASSETS[key] = sorted(files)


def identity(n):
    """The headers of visitor `n`: a phone's browser, from its own address."""
    return {
        "Accept-Encoding": "br, gzip",
        "Accept-Language": "zh-CN,zh;q=0.9",
        "User-Agent": "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.47 (Anxin load test)",
        "X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}",
    }


def next_visitor():
    with _lock:
        return next(_phones)


class Visitor(FastHttpUser):
    abstract = True
    wait_time = between(1, 4)

    def on_start(self):
        self.n = next_visitor()
        self.headers = identity(self.n)

    def url(self, path):
        """`path` on this visitor's instance (the one --host names unless BENCH_HOSTS)."""
        return HOSTS[self.n % len(HOSTS)] + path if HOSTS else path

    def get(self, path, name):
        return self.client.get(self.url(path), name=name, headers=self.headers)

    def first_visit(self, path, name, assets):
        self.get(path, name)
        for file in ASSETS.get(assets, []):
            self.get(file, "/pkg/[file]")


class Parent(Visitor):
    weight = 6

    @task(3)
    def parent_school(self):
        self.first_visit("/zh/parent-school", "/zh/parent-school", "content")
        band = random.choice(["primary", "junior", "senior"])
        self.get(f"/zh/parent-school/{band}?org={random.choice(IDS['schools'])}", "/zh/parent-school/[band]?org=[school]")

    @task(2)
    def lesson(self):
        if IDS["lessons"]:
            self.first_visit(f"/zh/lessons/{random.choice(IDS['lessons'])}", "/zh/lessons/[id]", "content")

    @task(2)
    def course_and_catalogue(self):
        self.get(f"/zh/courses?org={random.choice(IDS['schools'])}", "/zh/courses?org=[school]")
        if IDS["courses"]:
            self.get(f"/zh/courses/{random.choice(IDS['courses'])}", "/zh/courses/[id]")

    @task(1)
    def article(self):
        if IDS["articles"]:
            self.get(f"/zh/articles/{random.choice(IDS['articles'])}", "/zh/articles/[id]")


class Student(Visitor):
    weight = 3

    @task
    def self_check(self):
        self.get("/zh/self-check", "/zh/self-check")
        self.first_visit("/zh/self-check/phq9", "/zh/self-check/[id]", "self-check")


class Booker(Visitor):
    weight = 1

    @task
    def book(self):
        """One person's attempt: a new phone and address each time (a person does not
        retry every few seconds; the limits per phone and address are tested elsewhere)."""
        if not IDS["services"]:
            return
        self.n = next_visitor()
        self.headers = identity(self.n)
        service, categories = random.choice(IDS["services"])
        category = random.choice(categories) if categories else None
        self.get("/zh/booking", "/zh/booking")
        self.get(f"/zh/booking/services/{service}", "/zh/booking/services/[id]")
        query = f"?category={category}" if category else ""
        slots = self.get(f"/api/v1/services/{service}/slots{query}", "/api/v1/services/[id]/slots")
        if slots.status_code != 200:
            return
        free = [slot for slot in slots.json()["slots"] if slot["left"] > 0 or slot["waitlist_left"] > 0]
        if not free:
            return
        request = {
            "slot": random.choice(free)["id"],
            "name": "压测家长",
            "phone": f"137{self.n:08d}",
            "attendee": "parent",
            "stage": "junior",
        }
        if category:
            request["category"] = category
        with self.client.post(
            self.url("/api/v1/bookings"), json=request, name="/api/v1/bookings", headers=self.headers, catch_response=True
        ) as response:
            # Booked, waitlisted, or refused because the places went to someone quicker:
            # the service working as it should.
            if response.status_code in (200, 201, 409):
                response.success()


class PlainBaseline(Visitor):
    """The same visitors against the plain-text axum baseline (`locust … PlainBaseline`):
    what this machine and Locust themselves allow, in the same run."""

    @task
    def plain(self):
        for _ in range(5):
            self.get("/", "baseline /")


class Steps(LoadTestShape):
    """Load in steps (users: 50, 100, 200, 400, 800 by default; BENCH_STEPS to change),
    each held BENCH_STEP_SECONDS (45), so latency can be read against load."""

    steps = [int(n) for n in os.environ.get("BENCH_STEPS", "50,100,200,400,800").split(",")]
    hold = int(os.environ.get("BENCH_STEP_SECONDS", "45"))

    def tick(self):
        step = int(self.get_run_time() // self.hold)
        if step >= len(self.steps):
            return None
        users = self.steps[step]
        return users, users  # all of a step's visitors arrive within a second
