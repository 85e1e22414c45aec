#!/usr/bin/env python3
"""Depot benchmark: Depot vs nginx on the same bytes, streaming transfers, hot metadata, the caching proxy, and a
scale mode, against a real `depot serve`.

Python 3.11 standard library only (plus the nginx and wrk executables, installed with apt-get when missing). Normally started by `scripts/benchmark` (which picks or builds the binary
and owns the temporary work directory); it can also be run directly:

  python3 scripts/benchmark.py --depot-bin .build/debug/depot --workdir /tmp/some-empty-dir

It starts its own server (fresh storage in the work directory, a free port, log level `notice` so the
request log does not dominate the numbers), creates a domain and repositories with the `depot` CLI, and
measures:

  0. Depot vs nginx: publishes `bench-cmp` in each format (newest artifacts ~100 KB), fetches each document once
     from Depot with the exact headers the benchmark sends (token, Accept, Accept-Encoding), writes those bytes
     into an nginx docroot served at the same URLs (with Depot's Content-Type/-Encoding), starts nginx (own config
     in the work directory, a free port, worker_processes auto, sendfile, keepalive, no access log), and runs
     `wrk -t1 -c32 --latency` against nginx and Depot alternately, --rounds rounds of --wrk-seconds each
     (a 304 run sends each server its own ETag). Medians, Depot/nginx ratios against the targets; void when
     nginx stays under 20,000 req/s on the small documents. Then Depot's VmRSS sampled under 64 connections.
  1. Transfers: Maven PUT/GET of a jar (a valid zip holding the random bytes; --maven-jar random sends the raw
     bytes), npm publish (JSON body with a base64 attachment) and tarball GET,
     PyPI twine-style multipart upload of a wheel and file GET, for each size (default 1, 16, 64 MiB of
     random bytes). Wall time, MiB/s, and the server's RSS: sampled every few ms during each transfer
     (VmRSS from /proc/<pid>/status; VmHWM only ever grows, so the per-transfer peak comes from sampling).
     Request bodies are streamed from disk; responses are read in 1 MiB chunks and dropped.
  2. Hot metadata: N threads (default 8), one persistent http.client connection each, for T seconds
     (default 5) per endpoint: npm packument (abbreviated, gzip, as `npm install` asks), PyPI simple page
     (JSON and HTML), Maven maven-metadata.xml, each also revalidated with If-None-Match when an ETag is
     served, and /healthz as the floor. Requests/s, p50/p90/p99 latency, server CPU.
  3. Proxy: packuments of a repository whose external connection (public:npmjs) points at
     scripts/upstream-stand-in.py; first (cold) fetch vs warm; a tarball through the proxy cold vs warm.

Scale mode (--scale, instead of the above): `depot seed` fills a store with --scale-packages packages and
--scale-versions versions (one with --scale-big-versions) through the store API, then: start-up until /healthz
answers (first start and a restart), RSS, the big packument cold (first request) and warm (wrk -c1 p50/p99),
package listing pages (maxResults/nextToken when the API has them), and npm search.

Results are printed as markdown tables; --json FILE also writes them as JSON.
"""

import argparse
import base64
import hashlib
import http.client
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import threading
import time
import urllib.parse
import zipfile

MiB = 1 << 20
CHUNK = 1 * MiB
CLK_TCK = os.sysconf("SC_CLK_TCK")
HERE = os.path.dirname(os.path.abspath(__file__))


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def parse_size(text):
    """`64` (MiB), `512K`, `64M`, `1G`, `64MiB` -> bytes."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)(?:i?B)?\s*", text, re.IGNORECASE)
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (use e.g. 1, 512K, 64M, 1G)")
    factor = {"": MiB, "K": 1 << 10, "M": MiB, "G": 1 << 30}[match.group(2).upper()]
    return int(float(match.group(1)) * factor)


def parse_sizes(text):
    sizes = [parse_size(part) for part in text.split(",") if part.strip()]
    if not sizes:
        raise argparse.ArgumentTypeError("no sizes given")
    return sorted(sizes)


def human_size(n):
    if n >= MiB and n % MiB == 0:
        return f"{n // MiB} MiB"
    if n >= MiB:
        return f"{n / MiB:.1f} MiB"
    return f"{n / 1024:.0f} KiB"


# MARK: Server process statistics


def proc_status(pid):
    """VmRSS and VmHWM of a process, in bytes."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                values[key] = int(value.split()[0]) * 1024
    return values


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime, stime (fields 14 and 15 of stat)


class RSSSampler:
    """Samples the server's VmRSS in a background thread while a transfer runs."""

    def __init__(self, pid, interval=0.005):
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                rss = proc_status(self.pid)["VmRSS"]
            except (OSError, KeyError):
                return
            self.samples += 1
            if rss > self.peak:
                self.peak = rss
            self._stop.wait(self.interval)

    def __enter__(self):
        self.before = proc_status(self.pid)["VmRSS"]
        self.peak = self.before
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        status = proc_status(self.pid)
        self.after = status["VmRSS"]
        self.hwm = status["VmHWM"]
        self.peak = max(self.peak, self.after)
        return False


# MARK: Processes


class Processes:
    """The server and the upstream stand-in; their pids go to <workdir>/*.pid so the shell's trap can kill them."""

    def __init__(self, workdir):
        self.workdir = workdir
        self.children = {}

    def start(self, name, argv, env, cwd, ready_pattern, timeout=120, interval=0.05):
        log_path = os.path.join(self.workdir, f"{name}.log")
        log_file = open(log_path, "wb")
        process = subprocess.Popen(
            argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT,
            start_new_session=True)  # not in the terminal's process group: Ctrl-C reaches only us, and we clean up
        log_file.close()
        self.children[name] = process
        with open(os.path.join(self.workdir, f"{name}.pid"), "w") as f:
            f.write(f"{process.pid}\n")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with open(log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
            match = re.search(ready_pattern, text)
            if match:
                return process, int(match.group(1))
            if process.poll() is not None:
                raise SystemExit(f"{name} exited with {process.returncode} before it was ready:\n{text[-4000:]}")
            time.sleep(interval)
        raise SystemExit(f"{name} was not ready after {timeout} s; see {log_path}")

    def stop(self, name):
        process = self.children.pop(name, None)
        if process and process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        try:
            os.unlink(os.path.join(self.workdir, f"{name}.pid"))
        except OSError:
            pass

    def stop_all(self):
        for name in list(self.children):
            self.stop(name)


# MARK: HTTP helpers


class Client:
    def __init__(self, port, token):
        self.host = "127.0.0.1"
        self.port = port
        self.token = token
        self.base = f"http://{self.host}:{port}"
        self.bearer = {"Authorization": f"Bearer {token}"}
        basic = base64.b64encode(f"bench:{token}".encode()).decode()
        self.basic = {"Authorization": f"Basic {basic}"}

    def connection(self, timeout=600):
        return http.client.HTTPConnection(self.host, self.port, timeout=timeout, blocksize=CHUNK)

    def request(self, method, path, body=None, headers=None, expect=(200, 201)):
        """A small request; returns (status, headers, body bytes)."""
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        if expect and response.status not in expect:
            raise RuntimeError(f"{method} {path}: HTTP {response.status}: {data[:500].decode('utf-8', 'replace')}")
        return response.status, response, data

    def stream_up(self, method, path, body, length, headers):
        """Sends a streamed body (file object or iterable of bytes) with a Content-Length; returns the response text."""
        conn = self.connection()
        try:
            headers = dict(headers, **{"Content-Length": str(length)})
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        finally:
            conn.close()
        if response.status not in (200, 201):
            raise RuntimeError(f"{method} {path}: HTTP {response.status}: {data[:500].decode('utf-8', 'replace')}")
        return data

    def stream_down(self, path, headers, expected_length=None, expected_etag=None):
        """GETs a file, reading 1 MiB at a time and dropping it; returns the byte count."""
        conn = self.connection()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            if response.status != 200:
                raise RuntimeError(f"GET {path}: HTTP {response.status}: {response.read()[:500]!r}")
            total = 0
            while True:
                chunk = response.read(CHUNK)
                if not chunk:
                    break
                total += len(chunk)
        finally:
            conn.close()
        if expected_length is not None and total != expected_length:
            raise RuntimeError(f"GET {path}: got {total} bytes, expected {expected_length}")
        etag = response.getheader("ETag")
        if expected_etag and etag and etag.strip('"') != expected_etag:
            raise RuntimeError(f"GET {path}: ETag {etag} does not match sha256 {expected_etag}")
        return total


def file_chunks(path, chunk=CHUNK):
    with open(path, "rb") as f:
        while True:
            data = f.read(chunk)
            if not data:
                return
            yield data


# MARK: Test data


class Digests:
    def __init__(self):
        self.h = {name: hashlib.new(name) for name in ("md5", "sha1", "sha256", "sha512")}
        self.size = 0

    def update(self, data):
        self.size += len(data)
        for h in self.h.values():
            h.update(data)

    def hex(self, name):
        return self.h[name].hexdigest()

    def sri512(self):
        return "sha512-" + base64.b64encode(self.h["sha512"].digest()).decode()


def digest_file(path):
    d = Digests()
    for chunk in file_chunks(path):
        d.update(chunk)
    return d


def random_file(path, size):
    d = Digests()
    with open(path, "wb") as f:
        remaining = size
        while remaining:
            data = os.urandom(min(CHUNK, remaining))
            f.write(data)
            d.update(data)
            remaining -= len(data)
    return d


def core_metadata(name, version):
    return (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: Depot benchmark payload\n"
            "Requires-Python: >=3.8\n\n").encode()


def make_jar(path, payload, payload_size):
    """A valid jar (zip): a manifest and `payload` stored uncompressed, as a fat jar's resources would be."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nCreated-By: depot-benchmark\n")
        info = zipfile.ZipInfo("bench/data.bin", date_time=(2024, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_STORED
        with zf.open(info, "w", force_zip64=payload_size > (1 << 31)) as out:
            for chunk in file_chunks(payload):
                out.write(chunk)
    return digest_file(path)


def make_wheel(path, project, version, payload=None, payload_size=0):
    """A valid wheel: a package, METADATA/WHEEL/RECORD, and `payload` (a file path) stored uncompressed."""
    stem = f"{project.replace('-', '_')}-{version}"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        package = project.replace("-", "_")
        zf.writestr(f"{package}/__init__.py", "")
        if payload:
            info = zipfile.ZipInfo(f"{package}/data.bin", date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            with zf.open(info, "w", force_zip64=payload_size > (1 << 31)) as out:
                for chunk in file_chunks(payload):
                    out.write(chunk)
        zf.writestr(f"{stem}.dist-info/METADATA", core_metadata(project, version))
        zf.writestr(f"{stem}.dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: depot-benchmark\nRoot-Is-Purelib: true\n"
                    "Tag: py3-none-any\n")
        zf.writestr(f"{stem}.dist-info/RECORD", "")
    return digest_file(path)


# MARK: Format operations


def npm_publish(client, repo_path, name, version, tarball, digests):
    """npm's publish PUT: a JSON document with the tarball base64-encoded in `_attachments`, streamed."""
    filename = f"{name.split('/')[-1]}-{version}.tgz"
    manifest = {
        "name": name, "version": version, "description": "Depot benchmark payload", "main": "index.js",
        "_id": f"{name}@{version}",
        "dist": {"integrity": digests.sri512(), "shasum": digests.hex("sha1"),
                 "tarball": f"{client.base}{repo_path}/npm/{name}/-/{filename}"},
    }
    head = {"_id": name, "name": name, "description": "Depot benchmark payload", "dist-tags": {"latest": version},
            "versions": {version: manifest}, "access": None}
    prefix = (json.dumps(head)[:-1] + ', "_attachments": {' + json.dumps(filename)
              + ': {"content_type": "application/octet-stream", "data": "').encode()
    suffix = f'", "length": {digests.size}}}}}}}'.encode()
    length = len(prefix) + 4 * ((digests.size + 2) // 3) + len(suffix)

    def body():
        yield prefix
        for chunk in file_chunks(tarball, 3 * CHUNK):  # a multiple of 3: chunks encode without padding
            yield base64.b64encode(chunk)
        yield suffix

    path = f"{repo_path}/npm/{name.replace('/', '%2f')}"
    client.stream_up("PUT", path, body(), length, dict(client.bearer, **{"Content-Type": "application/json"}))
    return f"{repo_path}/npm/{name}/-/{filename}"


def pypi_upload(client, repo_path, project, version, wheel, digests):
    """twine's legacy upload: multipart/form-data, the wheel streamed as the `content` part."""
    filename = os.path.basename(wheel)
    boundary = "----depot-benchmark-" + os.urandom(8).hex()
    fields = {":action": "file_upload", "protocol_version": "1", "metadata_version": "2.1", "name": project,
              "version": version, "filetype": "bdist_wheel", "pyversion": "py3", "summary": "Depot benchmark payload",
              "sha256_digest": digests.hex("sha256"), "md5_digest": digests.hex("md5")}
    head = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items())
    head += (f'--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="{filename}"\r\n'
             "Content-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()

    def body():
        yield head
        yield from file_chunks(wheel)
        yield tail

    client.stream_up("POST", f"{repo_path}/pypi/", body(), len(head) + digests.size + len(tail),
                     dict(client.basic, **{"Content-Type": f"multipart/form-data; boundary={boundary}"}))
    return f"{repo_path}/pypi/files/{project}/{version}/{filename}"


def maven_put(client, repo_path, group, artifact, version, path, size, extension="jar"):
    url = f"{repo_path}/maven/{group.replace('.', '/')}/{artifact}/{version}/{artifact}-{version}.{extension}"
    with open(path, "rb") as f:
        client.stream_up("PUT", url, f, size, dict(client.basic, **{"Content-Type": "application/java-archive"}))
    return url


def maven_metadata_xml(group, artifact, versions):
    listed = "".join(f"<version>{v}</version>" for v in versions)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<metadata><groupId>{group}</groupId><artifactId>{artifact}'
            f"</artifactId><versioning><latest>{versions[-1]}</latest><release>{versions[-1]}</release>"
            f"<versions>{listed}</versions><lastUpdated>20240101000000</lastUpdated></versioning></metadata>\n").encode()


def pom(group, artifact, version):
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<project xmlns="http://maven.apache.org/POM/4.0.0">'
            f"<modelVersion>4.0.0</modelVersion><groupId>{group}</groupId><artifactId>{artifact}</artifactId>"
            f"<version>{version}</version><packaging>jar</packaging></project>\n").encode()


# MARK: 1. Transfers


def timed_transfer(server_pid, operation, size):
    with RSSSampler(server_pid) as sampler:
        start = time.perf_counter()
        operation()
        wall = time.perf_counter() - start
    return {
        "seconds": wall, "mib_per_s": size / MiB / wall if wall > 0 else 0.0,
        "rss_before": sampler.before, "rss_peak": sampler.peak, "rss_after": sampler.after, "vm_hwm": sampler.hwm,
        "rss_peak_delta": sampler.peak - sampler.before, "samples": sampler.samples,
    }


def run_transfers(args, client, server_pid, data_dir, repo_path):
    results = []
    group, artifact = "com.example.bench", "bench-big"

    def record(fmt, op, size, operation):
        # Uploads run once (a second one would be the idempotent re-publish); downloads `--get-repeats` times,
        # and the run with the median RSS peak is reported (the allocator makes single peaks noisy).
        runs = []
        for _ in range(1 if op != "GET" else max(1, args.get_repeats)):
            time.sleep(0.3)  # let the previous request's buffers go
            runs.append(timed_transfer(server_pid, operation, size))
        runs.sort(key=lambda r: r["rss_peak_delta"])
        r = dict(runs[len(runs) // 2])
        r.update(format=fmt, operation=op, size=size, runs=len(runs),
                 rss_peak_delta_min=runs[0]["rss_peak_delta"], rss_peak_delta_max=runs[-1]["rss_peak_delta"],
                 seconds_all=[x["seconds"] for x in runs])
        results.append(r)
        log(f"  {fmt:5} {op:8} {human_size(size):>8}: {r['seconds']:7.2f} s {r['mib_per_s']:8.1f} MiB/s  "
            f"RSS {r['rss_before'] / MiB:6.1f} -> peak {r['rss_peak'] / MiB:6.1f} MiB"
            + (f" (peak - before over {len(runs)} runs: {runs[0]['rss_peak_delta'] / MiB:.1f}.."
               f"{runs[-1]['rss_peak_delta'] / MiB:.1f} MiB)" if len(runs) > 1 else ""))

    for index, size in enumerate(args.sizes):
        log(f"preparing {human_size(size)} of random bytes")
        payload = os.path.join(data_dir, f"payload-{index}.bin")
        digests = random_file(payload, size)
        version = f"1.0.{index}"
        project = "bench-big"
        wheel = os.path.join(data_dir, f"bench_big-{version}-py3-none-any.whl")
        wheel_digests = make_wheel(wheel, project, version, payload, size)
        if args.maven_jar == "zip":
            jar = os.path.join(data_dir, f"bench-big-{version}.jar")
            jar_digests = make_jar(jar, payload, size)
        else:  # the raw random bytes, not a zip
            jar, jar_digests = payload, digests

        if "maven" in args.formats:
            holder = {}
            record("maven", "PUT", jar_digests.size, lambda: holder.setdefault(
                "url", maven_put(client, repo_path, group, artifact, version, jar, jar_digests.size)))
            record("maven", "GET", jar_digests.size, lambda: client.stream_down(
                holder["url"], client.basic, jar_digests.size))
        if "npm" in args.formats:
            holder = {}
            record("npm", "publish", size, lambda: holder.setdefault(
                "url", npm_publish(client, repo_path, project, version, payload, digests)))
            record("npm", "GET", size, lambda: client.stream_down(
                holder["url"], client.bearer, size, digests.hex("sha256")))
        if "pypi" in args.formats:
            holder = {}
            record("pypi", "upload", wheel_digests.size, lambda: holder.setdefault(
                "url", pypi_upload(client, repo_path, project, version, wheel, wheel_digests)))
            record("pypi", "GET", wheel_digests.size, lambda: client.stream_down(
                holder["url"], client.basic, wheel_digests.size, wheel_digests.hex("sha256")))
        for path in {payload, wheel, jar}:
            os.unlink(path)
    return results


def flatness(results, sizes):
    """Per (format, operation): how the RSS peak above baseline changes from the smallest to the largest size."""
    verdicts = []
    keys = []
    for r in results:
        if (r["format"], r["operation"]) not in keys:
            keys.append((r["format"], r["operation"]))
    for fmt, op in keys:
        rows = sorted((r for r in results if r["format"] == fmt and r["operation"] == op), key=lambda r: r["size"])
        if len(rows) < 2:
            continue
        small, large = rows[0], rows[-1]
        growth = large["rss_peak_delta"] - small["rss_peak_delta"]
        span = large["size"] - small["size"]
        ratio = growth / span if span else 0.0
        # Flat: the extra peak for the largest artifact is under 16 MiB and under 10% of the size difference.
        flat = growth < 16 * MiB or ratio < 0.10
        verdicts.append({"format": fmt, "operation": op, "smallest": small["size"], "largest": large["size"],
                         "delta_small": small["rss_peak_delta"], "delta_large": large["rss_peak_delta"],
                         "growth_per_mib": ratio, "flat": flat})
    return verdicts


# MARK: 2. Hot metadata


def hot_loop(client, path, headers, threads, seconds, expect_status):
    """`threads` persistent connections GETting `path` for `seconds`; latencies in seconds."""
    latencies = [[] for _ in range(threads)]
    errors = [0] * threads
    statuses = [dict() for _ in range(threads)]
    body_bytes = [0] * threads
    barrier = threading.Barrier(threads + 1)
    state = {}

    def worker(i):
        conn = client.connection(timeout=30)
        mine = latencies[i]
        barrier.wait()
        deadline = state["deadline"]
        while True:
            start = time.perf_counter()
            if start >= deadline:
                break
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except (OSError, http.client.HTTPException):
                errors[i] += 1
                conn.close()
                conn = client.connection(timeout=30)
                continue
            mine.append(time.perf_counter() - start)
            body_bytes[i] += len(data)
            statuses[i][response.status] = statuses[i].get(response.status, 0) + 1
            if response.status != expect_status:
                errors[i] += 1
        conn.close()

    workers = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(threads)]
    for w in workers:
        w.start()
    cpu_before = cpu_seconds(client.server_pid)
    begin = time.perf_counter()
    state["deadline"] = begin + seconds
    barrier.wait()
    for w in workers:
        w.join()
    wall = time.perf_counter() - begin
    cpu = cpu_seconds(client.server_pid) - cpu_before
    merged = sorted(x for per in latencies for x in per)
    status_counts = {}
    for s in statuses:
        for k, v in s.items():
            status_counts[k] = status_counts.get(k, 0) + v

    def pct(p):
        if not merged:
            return float("nan")
        return merged[min(len(merged) - 1, int(round(p / 100 * (len(merged) - 1))))] * 1000

    ok = len(merged) - sum(errors)
    return {
        "requests": len(merged), "errors": sum(errors), "seconds": wall, "rps": len(merged) / wall,
        "p50_ms": pct(50), "p90_ms": pct(90), "p99_ms": pct(99), "max_ms": merged[-1] * 1000 if merged else float("nan"),
        "server_cpu_pct": 100 * cpu / wall, "statuses": {str(k): v for k, v in sorted(status_counts.items())},
        "avg_body_bytes": sum(body_bytes) / len(merged) if merged else 0, "ok": ok,
    }


def seed_metadata(args, client, data_dir, repo_path):
    """A package with `--meta-versions` versions in each format, so the metadata documents are realistic."""
    n = args.meta_versions
    log(f"seeding {n} versions of bench-meta in each format")
    small = os.path.join(data_dir, "small.bin")
    versions = [f"2.{i}.0" for i in range(n)]
    for version in versions:
        digests = random_file(small, 16 * 1024)
        if "npm" in args.formats:
            npm_publish(client, repo_path, "bench-meta", version, small, digests)
        if "maven" in args.formats:
            maven_put(client, repo_path, "com.example.bench", "bench-meta", version, small, digests.size)
            body = pom("com.example.bench", "bench-meta", version)
            client.request("PUT", f"{repo_path}/maven/com/example/bench/bench-meta/{version}/bench-meta-{version}.pom",
                           body=body, headers=dict(client.basic, **{"Content-Type": "application/xml"}))
        if "pypi" in args.formats:
            wheel = os.path.join(data_dir, f"bench_meta-{version}-py3-none-any.whl")
            wheel_digests = make_wheel(wheel, "bench-meta", version)
            pypi_upload(client, repo_path, "bench-meta", version, wheel, wheel_digests)
            os.unlink(wheel)
    if "maven" in args.formats:
        client.request("PUT", f"{repo_path}/maven/com/example/bench/bench-meta/maven-metadata.xml",
                       body=maven_metadata_xml("com.example.bench", "bench-meta", versions),
                       headers=dict(client.basic, **{"Content-Type": "application/xml"}))
    os.unlink(small)


NPM_INSTALL_ACCEPT = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"


def metadata_endpoints(args, client, repo_path):
    """(label, path, headers) of each hot document; the If-None-Match variants are added where an ETag is served."""
    endpoints = [("healthz (floor)", "/healthz", {})]
    if "npm" in args.formats:
        endpoints.append(("npm packument (abbreviated, gzip)", f"{repo_path}/npm/bench-meta",
                          dict(client.bearer, **{"Accept": NPM_INSTALL_ACCEPT, "Accept-Encoding": "gzip"})))
        endpoints.append(("npm packument (full JSON)", f"{repo_path}/npm/bench-meta",
                          dict(client.bearer, **{"Accept": "application/json"})))
    if "pypi" in args.formats:
        endpoints.append(("pypi simple page (JSON)", f"{repo_path}/pypi/simple/bench-meta/",
                          dict(client.basic, **{"Accept": "application/vnd.pypi.simple.v1+json"})))
        endpoints.append(("pypi simple page (HTML)", f"{repo_path}/pypi/simple/bench-meta/",
                          dict(client.basic, **{"Accept": "text/html"})))
    if "maven" in args.formats:
        endpoints.append(("maven maven-metadata.xml", f"{repo_path}/maven/com/example/bench/bench-meta/maven-metadata.xml",
                          dict(client.basic)))
    return endpoints


def run_metadata(args, client, endpoints):
    results = []
    for label, path, headers in endpoints:
        status, response, body = client.request("GET", path, headers=headers, expect=(200,))
        etag = response.getheader("ETag")
        variants = [(label, headers, 200)]
        if etag and not label.startswith("healthz"):
            variants.append((label + " 304 If-None-Match", dict(headers, **{"If-None-Match": etag}), 304))
        for name, h, expect in variants:
            log(f"  {name}: {args.threads} threads x {args.seconds} s")
            r = hot_loop(client, path, h, args.threads, args.seconds, expect)
            r.update(endpoint=name, path=path, body_bytes=len(body) if expect == 200 else 0)
            results.append(r)
        if not etag and not label.startswith("healthz"):
            results.append({"endpoint": label + " 304 If-None-Match", "path": path, "skipped": "no ETag served"})
    return results


# MARK: 3. Proxy (external connection to the upstream stand-in)


def write_standin_tree(root, packages, versions, tarball_size):
    """npm packuments (`versions` versions each) and one package with a real tarball of `tarball_size` bytes."""
    for p in range(packages):
        name = f"proxied-{p}"
        entries, times = {}, {"created": "2024-01-01T00:00:00.000Z", "modified": "2024-06-01T00:00:00.000Z"}
        for v in range(versions):
            version = f"1.{v}.0"
            fake = hashlib.sha512(f"{name}@{version}".encode()).digest()
            entries[version] = {
                "name": name, "version": version, "description": f"upstream package {name}", "_id": f"{name}@{version}",
                "dependencies": {"left-pad": "^1.3.0", "lodash": "^4.17.21"},
                "dist": {"tarball": f"{{{{STAND_IN_URL}}}}/{name}/-/{name}-{version}.tgz",
                         "integrity": "sha512-" + base64.b64encode(fake).decode(),
                         "shasum": hashlib.sha1(fake).hexdigest()},
            }
            times[version] = f"2024-01-{1 + v % 28:02d}T00:00:00.000Z"
        packument = {"_id": name, "name": name, "dist-tags": {"latest": f"1.{versions - 1}.0"}, "versions": entries,
                     "time": times, "description": f"upstream package {name}"}
        os.makedirs(os.path.join(root, name), exist_ok=True)
        with open(os.path.join(root, name, "index.json"), "w") as f:
            json.dump(packument, f)
    name, version = "proxied-big", "1.0.0"
    os.makedirs(os.path.join(root, name, "-"), exist_ok=True)
    tarball = os.path.join(root, name, "-", f"{name}-{version}.tgz")
    digests = random_file(tarball, tarball_size)
    packument = {"_id": name, "name": name, "dist-tags": {"latest": version},
                 "versions": {version: {"name": name, "version": version, "_id": f"{name}@{version}",
                                        "dist": {"tarball": f"{{{{STAND_IN_URL}}}}/{name}/-/{name}-{version}.tgz",
                                                 "integrity": digests.sri512(), "shasum": digests.hex("sha1")}}},
                 "time": {"created": "2024-01-01T00:00:00.000Z", version: "2024-01-01T00:00:00.000Z"}}
    with open(os.path.join(root, name, "index.json"), "w") as f:
        json.dump(packument, f)
    return digests


def run_proxy(args, client, server_pid, proxy_path, tarball_digests):
    headers = dict(client.bearer, **{"Accept": NPM_INSTALL_ACCEPT, "Accept-Encoding": "gzip"})
    results = {}
    cold = []
    for p in range(args.proxy_packages):
        start = time.perf_counter()
        client.request("GET", f"{proxy_path}/npm/proxied-{p}", headers=headers, expect=(200,))
        cold.append(time.perf_counter() - start)
    warm = []
    for p in range(args.proxy_packages):
        start = time.perf_counter()
        client.request("GET", f"{proxy_path}/npm/proxied-{p}", headers=headers, expect=(200,))
        warm.append(time.perf_counter() - start)
    cold.sort()
    warm.sort()
    results["packument_cold"] = {"n": len(cold), "p50_ms": cold[len(cold) // 2] * 1000, "max_ms": cold[-1] * 1000}
    results["packument_warm_sequential"] = {"n": len(warm), "p50_ms": warm[len(warm) // 2] * 1000,
                                            "max_ms": warm[-1] * 1000}
    log(f"  proxied packument warm: {args.threads} threads x {args.seconds} s")
    results["packument_warm_concurrent"] = hot_loop(client, f"{proxy_path}/npm/proxied-0", headers, args.threads,
                                                    args.seconds, 200)
    url = f"{proxy_path}/npm/proxied-big/-/proxied-big-1.0.0.tgz"
    client.request("GET", f"{proxy_path}/npm/proxied-big", headers=headers, expect=(200,))
    size = tarball_digests.size
    for phase in ("cold", "warm"):
        r = timed_transfer(server_pid, lambda: client.stream_down(url, client.bearer, size, tarball_digests.hex("sha256")),
                           size)
        r["size"] = size
        results[f"tarball_{phase}"] = r
        log(f"  proxied tarball {phase}: {r['seconds']:.2f} s, {r['mib_per_s']:.1f} MiB/s, RSS peak "
            f"{r['rss_peak'] / MiB:.1f} MiB")
        time.sleep(0.3)
    return results


# MARK: 4. Depot vs nginx serving the same bytes (wrk)

NGINX_FLOOR_RPS = 20_000  # below this on the small documents the load generator (or the machine) is the limit
RSS_LIMIT_MB = 150
PIP_ACCEPT = ("application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01")


def find_executable(name):
    """`name` on PATH, or in /usr/sbin and /sbin (nginx lives there and a non-root PATH may lack them)."""
    found = shutil.which(name)
    if found:
        return found
    for directory in ("/usr/sbin", "/sbin", "/usr/local/sbin"):
        candidate = os.path.join(directory, name)
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def ensure_packages(wanted):
    """Installs the Debian packages of missing executables ({executable: package}) with apt-get; idempotent."""
    missing = sorted({package for executable, package in wanted.items() if not find_executable(executable)})
    if missing:
        if os.geteuid() == 0:
            prefix = []
        elif shutil.which("sudo"):
            prefix = ["sudo", "-n"]
        else:
            raise SystemExit(f"missing {', '.join(missing)}: install with `apt-get install {' '.join(missing)}` as root")
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        log(f"installing {', '.join(missing)} (apt-get update; apt-get install)")
        for argv in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]):
            result = subprocess.run(prefix + argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True)
            if result.returncode != 0:
                raise SystemExit(f"{' '.join(argv)} failed ({result.returncode}):\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    paths = {executable: find_executable(executable) for executable in wanted}
    for executable, path in paths.items():
        if not path:
            raise SystemExit(f"{executable} is still missing after installing {wanted[executable]}")
    return paths


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_npm_tarball(path, name, version, payload=None):
    """A real npm tarball (gzip'd tar under package/): package.json, index.js and `payload` (a file) as data.bin."""
    def add(tf, member, data):
        info = tarfile.TarInfo(member)
        info.size, info.mtime, info.mode = len(data), 499162500, 0o644
        tf.addfile(info, io.BytesIO(data))

    manifest = {"name": name, "version": version, "description": "Depot benchmark payload", "main": "index.js",
                "license": "MIT"}
    with tarfile.open(path, "w:gz") as tf:
        add(tf, "package/package.json", json.dumps(manifest, indent=2).encode())
        add(tf, "package/index.js", b"module.exports = require('./data.bin');\n")
        if payload:
            with open(payload, "rb") as f:
                add(tf, "package/data.bin", f.read())
    return digest_file(path)


def seed_comparison(args, client, data_dir, repo_path):
    """`bench-cmp` in each format with --meta-versions versions; the newest one's artifacts are ~--compare-size."""
    n = max(1, args.meta_versions)
    versions = [f"3.{i}.0" for i in range(n)]
    group, artifact, name = "com.example.bench", "bench-cmp", "bench-cmp"
    big = os.path.join(data_dir, "cmp-payload.bin")
    random_file(big, args.compare_size)
    tiny = os.path.join(data_dir, "cmp-tiny.bin")
    random_file(tiny, 1024)
    log(f"publishing {name} {versions[0]}..{versions[-1]} in npm, pypi and maven (newest artifacts "
        f"{human_size(args.compare_size)})")
    urls = {}
    for i, version in enumerate(versions):
        payload = big if i == n - 1 else tiny
        tgz = os.path.join(data_dir, f"{name}-{version}.tgz")
        urls["tarball"] = npm_publish(client, repo_path, name, version, tgz, make_npm_tarball(tgz, name, version, payload))
        wheel = os.path.join(data_dir, f"bench_cmp-{version}-py3-none-any.whl")
        size = os.path.getsize(payload)
        urls["wheel"] = pypi_upload(client, repo_path, name, version, wheel, make_wheel(wheel, name, version, payload, size))
        jar = os.path.join(data_dir, f"{artifact}-{version}.jar")
        jar_digests = make_jar(jar, payload, size)
        urls["jar"] = maven_put(client, repo_path, group, artifact, version, jar, jar_digests.size)
        client.request("PUT", f"{repo_path}/maven/com/example/bench/{artifact}/{version}/{artifact}-{version}.pom",
                       body=pom(group, artifact, version), headers=dict(client.basic, **{"Content-Type": "application/xml"}))
        for path in (tgz, wheel, jar):
            os.unlink(path)
    client.request("PUT", f"{repo_path}/maven/com/example/bench/{artifact}/maven-metadata.xml",
                   body=maven_metadata_xml(group, artifact, versions),
                   headers=dict(client.basic, **{"Content-Type": "application/xml"}))
    for path in (big, tiny):
        os.unlink(path)
    return urls


def comparison_endpoints(client, repo_path, urls):
    """(label, path, request headers, small document?, target ratio, expected status) as the real clients ask."""
    npm = dict(client.bearer, **{"Accept-Encoding": "gzip, deflate"})
    install = dict(npm, **{"Accept": NPM_INSTALL_ACCEPT})
    basic = dict(client.basic, **{"Accept-Encoding": "gzip, deflate"})
    return [
        ("/healthz", "/healthz", {}, True, 0.8),
        ("npm tarball GET (token)", urls["tarball"], npm, False, 0.5),
        ("pypi wheel GET (token)", urls["wheel"], basic, False, 0.5),
        ("maven jar GET (token)", urls["jar"], basic, False, 0.5),
        ("npm packument (abbreviated, gzip)", f"{repo_path}/npm/bench-cmp", install, True, 0.5),
        ("pypi simple page (pip's Accept, gzip)", f"{repo_path}/pypi/simple/bench-cmp/",
         dict(basic, **{"Accept": PIP_ACCEPT}), True, 0.5),
        ("maven-metadata.xml", f"{repo_path}/maven/com/example/bench/bench-cmp/maven-metadata.xml", basic, True, 0.5),
        ("npm packument 304 (If-None-Match)", f"{repo_path}/npm/bench-cmp", install, True, 0.6),
    ]


class Nginx:
    """nginx serving files at Depot's paths: own config, pid, logs and temp paths in `root`, a free port."""

    MIRRORED_HEADERS = ("Content-Type", "Content-Encoding", "Cache-Control")

    def __init__(self, binary, root):
        self.binary = binary
        self.root = root
        self.docroot = os.path.join(root, "docroot")
        self.locations = []
        self.process = None
        self.port = None
        os.makedirs(self.docroot, exist_ok=True)

    def add(self, path, body, headers):
        """Serves `body` at URL `path` with Depot's Content-Type, Content-Encoding and Cache-Control.

        One file per document (a packument's URL is also a tarball URL's directory, so the URL tree cannot be a
        file tree), each served at its URL by an exact `location` with `alias`."""
        file = os.path.join(self.docroot, f"{len(self.locations)}-{os.path.basename(path.rstrip('/')) or 'root'}")
        with open(file, "wb") as f:
            f.write(body)
        os.chmod(file, 0o644)
        if any(p == path for p, _, _ in self.locations):
            return
        self.locations.append((path, file, {k: headers[k] for k in self.MIRRORED_HEADERS if headers.get(k)}))

    def config(self):
        built = subprocess.run([self.binary, "-V"], capture_output=True, text=True).stderr
        temp = [f"    client_body_temp_path {self.root}/tmp/body;"]
        for module in ("proxy", "fastcgi", "uwsgi", "scgi"):
            if f"--without-http_{module}_module" not in built:
                temp.append(f"    {module}_temp_path {self.root}/tmp/{module};")
        locations = []
        for path, file, headers in self.locations:
            # A URI ending in / would go to the index module, which `alias` cannot satisfy: try_files serves the
            # file (from `root`) in this same location instead.
            source = f"try_files /{os.path.basename(file)} =404" if path.endswith("/") else f"alias {file}"
            lines = [f"        location = {path} {{", f"            {source};",
                     f"            default_type \"{headers.get('Content-Type', 'application/octet-stream')}\";"]
            for key in ("Content-Encoding", "Cache-Control"):
                if key in headers:
                    lines.append(f"            add_header {key} \"{headers[key]}\";")
            locations.append("\n".join(lines + ["        }"]))
        # Running as root, workers would switch to `nobody`, which cannot enter the 0700 work directory.
        user = "user root;\n" if os.geteuid() == 0 else ""
        return f"""{user}worker_processes auto;
daemon off;
pid {self.root}/nginx.pid;
error_log {self.root}/error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    types {{ }}
    default_type application/octet-stream;
{chr(10).join(temp)}
    server {{
        listen 127.0.0.1:{self.port};
        server_name localhost;
        root {self.docroot};
{chr(10).join(locations)}
        location / {{
            return 404;
        }}
    }}
}}
"""

    def start(self):
        os.makedirs(os.path.join(self.root, "tmp"), exist_ok=True)
        for attempt in range(5):
            self.port = free_port()
            conf = os.path.join(self.root, "nginx.conf")
            with open(conf, "w") as f:
                f.write(self.config())
            log_file = open(os.path.join(self.root, "nginx.out"), "wb")
            self.process = subprocess.Popen(
                [self.binary, "-p", self.root, "-e", os.path.join(self.root, "error.log"), "-c", conf],
                stdin=subprocess.DEVNULL, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True)
            log_file.close()
            with open(os.path.join(os.path.dirname(self.root), "nginx.pid"), "w") as f:
                f.write(f"{self.process.pid}\n")  # for scripts/benchmark's trap
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                        return
                except OSError:
                    time.sleep(0.05)
            self.stop()
        with open(os.path.join(self.root, "error.log"), errors="replace") as f:
            raise SystemExit(f"nginx did not start:\n{f.read()[-3000:]}")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()  # SIGTERM: fast shutdown of master and workers
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None
        try:
            os.unlink(os.path.join(os.path.dirname(self.root), "nginx.pid"))
        except OSError:
            pass


WRK_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
BYTE_UNITS = {"B": 1, "KB": 1 << 10, "MB": 1 << 20, "GB": 1 << 30, "TB": 1 << 40}


def parse_wrk(text):
    """Requests/s, p50/p99 (ms), request count, bytes read, non-2xx/3xx and socket errors from wrk --latency output."""
    def latency(pct):
        match = re.search(rf"^\s+{pct}%\s+([\d.]+)(us|ms|s|m|h)\s*$", text, re.M)
        return float(match.group(1)) * WRK_UNITS[match.group(2)] if match else float("nan")

    rps = re.search(r"^Requests/sec:\s+([\d.]+)", text, re.M)
    total = re.search(r"^\s+(\d+) requests in ([\d.]+)(\w+), ([\d.]+)(\w+) read", text, re.M)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if not rps or not total:
        raise RuntimeError(f"unexpected wrk output:\n{text}")
    requests = int(total.group(1))
    return {
        "rps": float(rps.group(1)), "p50_ms": latency(50), "p90_ms": latency(90), "p99_ms": latency(99),
        "requests": requests, "bytes_read": float(total.group(4)) * BYTE_UNITS.get(total.group(5), 1),
        "non_2xx_3xx": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(int(x) for x in sock.groups()) if sock else 0,
    }


def run_wrk(wrk, url, headers, connections, seconds, threads=1):
    argv = [wrk, f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "10s"]
    for key, value in headers.items():
        argv += ["-H", f"{key}: {value}"]
    argv.append(url)
    result = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120)
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}): {result.stderr}{result.stdout}")
    parsed = parse_wrk(result.stdout)
    parsed["bytes_per_response"] = parsed["bytes_read"] / parsed["requests"] if parsed["requests"] else 0
    return parsed


def fetch(port, path, headers, expect):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
    finally:
        conn.close()
    if response.status != expect:
        raise RuntimeError(f"GET :{port}{path}: HTTP {response.status}, expected {expect}: {body[:300]!r}")
    return response, body


def median(values):
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if len(ordered) % 2 else (ordered[len(ordered) // 2 - 1] + ordered[len(ordered) // 2]) / 2


def run_comparison(args, client, server_pid, workdir, data_dir, repo_path, tools):
    urls = seed_comparison(args, client, data_dir, repo_path)
    endpoints = comparison_endpoints(client, repo_path, urls)
    nginx = Nginx(tools["nginx"], os.path.join(workdir, "nginx"))
    os.chmod(workdir, 0o711)  # nginx's workers (nobody unless root) only need to pass through
    os.chmod(nginx.root, 0o755)
    depot_etags = {}
    bodies = {}
    for label, path, headers, _, _ in endpoints:
        if "304" in label:
            continue
        response, body = fetch(client.port, path, headers, 200)
        nginx.add(path, body, {k: response.getheader(k) for k in Nginx.MIRRORED_HEADERS})
        depot_etags[path] = response.getheader("ETag")
        bodies[label] = body
    nginx.start()
    log(f"nginx {nginx.port} serves the same bytes ({len(nginx.locations)} documents, docroot {nginx.docroot})")
    runs = []
    try:
        plans = []
        for label, path, headers, small, target in endpoints:
            revalidate = "304" in label
            response, body = fetch(nginx.port, path, headers, 200)
            if not revalidate and body != bodies[label]:
                raise RuntimeError(f"nginx serves different bytes at {path}")
            depot_headers, nginx_headers, expect = dict(headers), dict(headers), 200
            if revalidate:
                if not depot_etags.get(path) or not response.getheader("ETag"):
                    runs.append({"endpoint": label, "skipped": "no ETag served"})
                    continue
                depot_headers["If-None-Match"] = depot_etags[path]
                nginx_headers["If-None-Match"] = response.getheader("ETag")  # nginx's own (mtime-size) ETag
                expect = 304
            fetch(client.port, path, depot_headers, expect)
            fetch(nginx.port, path, nginx_headers, expect)
            plans.append((label, path, small, target, expect,
                          {"depot": (client.port, depot_headers), "nginx": (nginx.port, nginx_headers)},
                          len(bodies.get(label, b""))))
        for label, path, small, target, expect, sides, size in plans:
            rounds = {"depot": [], "nginx": []}
            for side, (port, headers) in sides.items():  # warm-up: connections, caches, allocator
                run_wrk(tools["wrk"], f"http://127.0.0.1:{port}{path}", headers, args.wrk_connections, 1, args.wrk_threads)
            for r in range(args.rounds):
                order = ("nginx", "depot") if r % 2 == 0 else ("depot", "nginx")
                for side in order:
                    port, headers = sides[side]
                    result = run_wrk(tools["wrk"], f"http://127.0.0.1:{port}{path}", headers, args.wrk_connections,
                                     args.wrk_seconds, args.wrk_threads)
                    rounds[side].append(result)
                    log(f"  {label} round {r + 1} {side:5}: {result['rps']:9.0f} req/s  p99 {result['p99_ms']:.2f} ms"
                        + (f"  non-2xx/3xx {result['non_2xx_3xx']}" if result["non_2xx_3xx"] else "")
                        + (f"  socket errors {result['socket_errors']}" if result["socket_errors"] else ""))
            depot_rps = median([x["rps"] for x in rounds["depot"]])
            nginx_rps = median([x["rps"] for x in rounds["nginx"]])
            per_round = [d["rps"] / n["rps"] for d, n in zip(rounds["depot"], rounds["nginx"]) if n["rps"]]
            runs.append({
                "endpoint": label, "path": path, "small": small, "target": target, "status": expect, "body_bytes": size,
                "depot_rps": depot_rps, "nginx_rps": nginx_rps, "ratio": depot_rps / nginx_rps if nginx_rps else 0.0,
                "ratio_min": min(per_round, default=0.0), "ratio_max": max(per_round, default=0.0),
                "depot_p99_ms": median([x["p99_ms"] for x in rounds["depot"]]),
                "nginx_p99_ms": median([x["p99_ms"] for x in rounds["nginx"]]),
                "depot_p50_ms": median([x["p50_ms"] for x in rounds["depot"]]),
                "nginx_p50_ms": median([x["p50_ms"] for x in rounds["nginx"]]),
                "errors": sum(x["non_2xx_3xx"] + x["socket_errors"] for side in rounds.values() for x in side),
                "rounds": rounds,
            })
    finally:
        nginx.stop()
    small_nginx = [r["nginx_rps"] for r in runs if r.get("small")]
    floor = min(small_nginx) if small_nginx else 0.0
    void = floor < NGINX_FLOOR_RPS
    for r in runs:
        if "skipped" not in r:
            r["verdict"] = "void" if void else ("pass" if r["ratio"] >= r["target"] and not r["errors"] else "FAIL")
    rss = measure_rss_under_load(args, client, server_pid, tools["wrk"], endpoints)
    return {"runs": runs, "nginx_small_min_rps": floor, "void": void, "rss": rss,
            "wrk": {"threads": args.wrk_threads, "connections": args.wrk_connections, "seconds": args.wrk_seconds,
                    "rounds": args.rounds}}


def measure_rss_under_load(args, client, server_pid, wrk, endpoints):
    """Depot's VmRSS sampled every 20 ms while wrk holds 64 connections on the tarball, then the packument."""
    results = []
    for label, path, headers, _, _ in endpoints:
        if label not in ("npm tarball GET (token)", "npm packument (abbreviated, gzip)"):
            continue
        with RSSSampler(server_pid, interval=0.02) as sampler:
            result = run_wrk(wrk, f"{client.base}{path}", headers, 64, args.wrk_seconds, args.wrk_threads)
        results.append({"endpoint": label, "connections": 64, "rps": result["rps"], "p99_ms": result["p99_ms"],
                        "rss_before": sampler.before, "rss_peak": sampler.peak, "rss_after": sampler.after,
                        "samples": sampler.samples})
        log(f"  RSS under 64 connections, {label}: peak {sampler.peak / MiB:.1f} MiB ({result['rps']:.0f} req/s)")
    return results


# MARK: 5. Scale (--scale): a store of 100,000 packages and 1,000,000 versions


def timed_requests(client, path, headers, count, budget_seconds, expect=200):
    """Up to `count` sequential GETs on one persistent connection within `budget_seconds`; (latencies s, last body)."""
    conn = client.connection(timeout=600)
    latencies, body = [], b""
    deadline = time.monotonic() + budget_seconds
    try:
        while len(latencies) < count and (not latencies or time.monotonic() < deadline):
            start = time.perf_counter()
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            latencies.append(time.perf_counter() - start)
            if response.status != expect:
                raise RuntimeError(f"GET {path}: HTTP {response.status}: {body[:300]!r}")
    finally:
        conn.close()
    return latencies, body


def latency_summary(latencies):
    ordered = sorted(latencies)

    def pct(p):
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] * 1000

    return {"n": len(ordered), "p50_ms": pct(50), "p99_ms": pct(99), "max_ms": ordered[-1] * 1000}


def seed_scale_store(args, depot, storage, data_dir):
    marker = os.path.join(storage, "seed.json")
    if os.path.exists(marker):
        with open(marker) as f:
            seed = json.load(f)
        log(f"reusing the seeded store {storage} ({seed['packages']} packages, {seed['versions']} versions)")
        seed["reused"] = True
        return seed
    tgz = os.path.join(data_dir, "scale-payload.tgz")
    payload = os.path.join(data_dir, "scale-payload.bin")
    random_file(payload, 16 * 1024)
    make_npm_tarball(tgz, "seeded", "1.0.0", payload)
    argv = [depot, "seed", "--storage", storage, "--packages", str(args.scale_packages), "--versions",
            str(args.scale_versions), "--big-package-versions", str(args.scale_big_versions), "--tarball", tgz]
    log(f"seeding {args.scale_packages} packages / {args.scale_versions} versions through the store: {' '.join(argv[1:])}")
    start = time.perf_counter()
    result = subprocess.run(argv, stdout=subprocess.PIPE, stderr=None, text=True, cwd=os.path.dirname(storage))
    if result.returncode != 0:
        raise SystemExit(f"depot seed failed ({result.returncode}): {result.stdout}")
    seed = json.loads(result.stdout.strip().splitlines()[-1])
    seed["wall_seconds"] = time.perf_counter() - start
    seed["reused"] = False
    with open(marker, "w") as f:
        json.dump(seed, f)
    return seed


def start_timed(processes, name, depot, storage, env, cwd):
    """Starts `depot serve` on `storage`; seconds from exec until /healthz answers 200."""
    port = free_port()
    start = time.perf_counter()
    server, _ = processes.start(
        name, [depot, "serve", "--host", "127.0.0.1", "--port", str(port), "--storage", storage], env, cwd,
        r"Depot ready at http://[^:/]+:(\d+)/", timeout=300, interval=0.005)
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                break
            conn.close()
        except OSError:
            pass
        time.sleep(0.002)
    return server, port, time.perf_counter() - start


def run_scale(args, depot, workdir, data_dir, processes, env, wrk):
    storage = os.path.abspath(args.scale_storage or os.path.join(workdir, "scale-storage"))
    os.makedirs(storage, exist_ok=True)
    seed = seed_scale_store(args, depot, storage, data_dir)
    domain, repo, big = seed["domain"], seed["repository"], seed["bigPackage"]
    out = {"seed": seed, "storage": storage}

    # Start-up: the first start after seeding (mints the bootstrap token), then a restart.
    server, port, first = start_timed(processes, "scale-server", depot, storage, env, workdir)
    processes.stop("scale-server")
    server, port, again = start_timed(processes, "scale-server", depot, storage, env, workdir)
    out["startup_first_s"], out["startup_restart_s"] = first, again
    out["rss_start"] = proc_status(server.pid)["VmRSS"]
    log(f"  start-up {first:.2f} s, restart {again:.2f} s, RSS {out['rss_start'] / MiB:.1f} MiB")
    with open(os.path.join(storage, "admin.token")) as f:
        client = Client(port, f.read().strip())
    client.server_pid = server.pid

    # The big package's packument: the first request of each variant renders it (cold), then wrk on one connection.
    path = f"/{domain}/{repo}/npm/{big}"
    variants = [("abbreviated, gzip", dict(client.bearer, **{"Accept": NPM_INSTALL_ACCEPT, "Accept-Encoding": "gzip"})),
                ("full JSON, gzip", dict(client.bearer, **{"Accept": "application/json", "Accept-Encoding": "gzip"}))]
    out["packument"] = []
    for label, headers in variants:
        cold, body = timed_requests(client, path, headers, 1, 0)
        second, _ = timed_requests(client, path, headers, 1, 0)
        warm = run_wrk(wrk, f"{client.base}{path}", headers, 1, args.scale_seconds)
        row = {"variant": label, "cold_ms": cold[0] * 1000, "second_ms": second[0] * 1000, "body_bytes": len(body),
               "warm_p50_ms": warm["p50_ms"], "warm_p99_ms": warm["p99_ms"], "warm_rps": warm["rps"],
               "errors": warm["non_2xx_3xx"] + warm["socket_errors"]}
        out["packument"].append(row)
        log(f"  packument of {big} ({label}, {len(body)} B): cold {row['cold_ms']:.1f} ms, warm p50 "
            f"{row['warm_p50_ms']:.2f} ms p99 {row['warm_p99_ms']:.2f} ms")
    out["rss_after_packument"] = proc_status(server.pid)["VmRSS"]

    # Package listing pages (maxResults/nextToken when the API has them, else the whole listing).
    base = f"/api/v1/domains/{domain}/repositories/{repo}/packages"
    page_size = args.scale_page_size
    cold, body = timed_requests(client, f"{base}?maxResults={page_size}", client.bearer, 1, 0)
    first_page = json.loads(body)
    # Paginated: the server honoured maxResults (a nextToken, or everything fit one page); else it listed all.
    paginated = "nextToken" in first_page or len(first_page.get("packages", [])) <= page_size
    listing = {"paginated": paginated, "cold_ms": cold[0] * 1000, "page_size": page_size,
               "first_page_packages": len(first_page.get("packages", []))}
    budget = args.scale_seconds
    if paginated:
        latencies, _ = timed_requests(client, f"{base}?maxResults={page_size}", client.bearer, 200, budget)
        listing["first_page"] = latency_summary(latencies)
        walk, token, pages = [], first_page.get("nextToken"), 0
        conn_deadline = time.monotonic() + 4 * budget
        while token and pages < args.scale_pages and time.monotonic() < conn_deadline:
            query = urllib.parse.urlencode({"maxResults": page_size, "nextToken": token})
            latencies, body = timed_requests(client, f"{base}?{query}", client.bearer, 1, 0)
            walk += latencies
            token = json.loads(body).get("nextToken")
            pages += 1
        listing["walk"] = latency_summary(walk) if walk else None
        listing["walk_pages"] = pages
        latencies, body = timed_requests(client, f"{base}?format=npm&prefix=fast-json&maxResults={page_size}",
                                         client.bearer, 50, budget)
        listing["prefix"] = latency_summary(latencies)
    else:
        latencies, body = timed_requests(client, base, client.bearer, 3, budget)
        listing["whole"] = latency_summary(latencies)
        listing["whole_packages"] = len(json.loads(body).get("packages", []))
        listing["whole_bytes"] = len(body)
        latencies, body = timed_requests(client, f"{base}?format=npm&prefix=fast-json", client.bearer, 10, budget)
        listing["prefix"] = latency_summary(latencies)
        listing["prefix_packages"] = len(json.loads(body).get("packages", []))
    out["listing"] = listing
    log(f"  listing: {'paginated' if paginated else 'NOT paginated'}, first request {listing['cold_ms']:.1f} ms")

    # The console's package list of the repository (server-rendered HTML, one page), plain and filtered.
    out["console"] = []
    ui = f"/ui/domains/{domain}/repositories/{repo}"
    for label, target in (("first page", ui), ("format npm, prefix fast-json", f"{ui}?format=npm&q=fast-json")):
        latencies, body = timed_requests(client, target, client.bearer, 50, budget)
        out["console"].append({"label": label, "cold_ms": latencies[0] * 1000, "bytes": len(body), **latency_summary(latencies)})
        log(f"  console package list ({label}): first {latencies[0] * 1000:.1f} ms")

    # npm search: a word in many names, one exact name, no match.
    out["search"] = []
    for text in ("json", big, "zzz-no-such-package"):
        query = urllib.parse.urlencode({"text": text, "size": 20})
        latencies, body = timed_requests(client, f"/{domain}/{repo}/npm/-/v1/search?{query}", client.bearer, 10, budget)
        result = json.loads(body)
        out["search"].append({"text": text, "total": result.get("total"), "cold_ms": latencies[0] * 1000,
                              **latency_summary(latencies)})
        log(f"  search {text!r}: {result.get('total')} hits, first {latencies[0] * 1000:.1f} ms")
    status = proc_status(server.pid)
    out["rss_end"], out["vm_hwm_end"] = status["VmRSS"], status["VmHWM"]
    processes.stop("scale-server")
    return out


def report_scale(out, info, scale):
    mib = lambda n: f"{n / MiB:.1f}"
    seed = scale["seed"]
    print("\n## Depot benchmark: scale\n", file=out)
    print(f"binary `{info['binary']}`{' (DEBUG build: absolute numbers are not representative)' if info['debug'] else ''}; "
          f"{info['cpus']} CPUs; store: {seed['packages']} npm packages, {seed['versions']} versions, `{seed['bigPackage']}` "
          f"with {seed['bigPackageVersions']} versions; database {seed.get('databaseBytes', 0) / MiB:.0f} MiB"
          + (" (reused)" if seed.get("reused") else f", seeded in {seed['wall_seconds']:.1f} s through the store API "
             f"(`depot seed`, {seed['versions'] / max(seed['seconds'], 1e-9):.0f} versions/s)") + ". "
          "Latencies are client-side on loopback (an upper bound of server time); page cache warm.\n", file=out)

    def verdict(value, limit):
        return "pass" if value <= limit else "FAIL"

    rows = [
        ["start-up, first after seeding (until /healthz)", f"{scale['startup_first_s']:.2f} s", "<= 5 s",
         verdict(scale["startup_first_s"], 5)],
        ["start-up, restart (until /healthz)", f"{scale['startup_restart_s']:.2f} s", "<= 5 s",
         verdict(scale["startup_restart_s"], 5)],
        ["RSS after start", f"{mib(scale['rss_start'])} MiB", "", ""],
    ]
    for p in scale["packument"]:
        rows.append([f"packument {seed['bigPackageVersions']} versions ({p['variant']}, {p['body_bytes']} B): cold",
                     f"{p['cold_ms']:.1f} ms (2nd {p['second_ms']:.1f} ms)", "", ""])
        rows.append([f"packument {seed['bigPackageVersions']} versions ({p['variant']}): warm p50 / p99 (wrk -c1)",
                     f"{p['warm_p50_ms']:.2f} / {p['warm_p99_ms']:.2f} ms ({p['warm_rps']:.0f} req/s)", "p50 <= 2 ms",
                     verdict(p["warm_p50_ms"], 2) if not p["errors"] else "FAIL (errors)"])
    rows.append(["RSS after the packuments", f"{mib(scale['rss_after_packument'])} MiB", "", ""])
    listing = scale["listing"]
    if listing["paginated"]:
        first = listing["first_page"]
        rows.append([f"package listing, first page of {listing['page_size']}: first request", f"{listing['cold_ms']:.1f} ms",
                     "<= 20 ms", verdict(listing["cold_ms"], 20)])
        rows.append([f"package listing, first page: p50 / p99 (x{first['n']})",
                     f"{first['p50_ms']:.1f} / {first['p99_ms']:.1f} ms", "<= 20 ms", verdict(first["p50_ms"], 20)])
        if listing.get("walk"):
            walk = listing["walk"]
            rows.append([f"package listing, next {listing['walk_pages']} pages (nextToken): p50 / p99",
                         f"{walk['p50_ms']:.1f} / {walk['p99_ms']:.1f} ms", "<= 20 ms", verdict(walk["p99_ms"], 20)])
        prefix = listing["prefix"]
        rows.append(["package listing, prefix=fast-json: p50 / p99", f"{prefix['p50_ms']:.1f} / {prefix['p99_ms']:.1f} ms",
                     "<= 20 ms", verdict(prefix["p50_ms"], 20)])
    else:
        whole = listing["whole"]
        rows.append([f"package listing: NO pagination, one response of {listing['whole_packages']} packages "
                     f"({listing['whole_bytes'] / MiB:.1f} MiB): p50 / max", f"{whole['p50_ms']:.0f} / {whole['max_ms']:.0f} ms",
                     "page <= 20 ms", verdict(whole["p50_ms"], 20)])
        prefix = listing["prefix"]
        rows.append([f"package listing, prefix=fast-json ({listing['prefix_packages']} packages): p50 / max",
                     f"{prefix['p50_ms']:.1f} / {prefix['max_ms']:.1f} ms", "<= 20 ms", verdict(prefix["p50_ms"], 20)])
    for page in scale.get("console", []):
        rows.append([f"console package list ({page['label']}, {page['bytes']} B HTML): first / p50 / p99 (x{page['n']})",
                     f"{page['cold_ms']:.1f} / {page['p50_ms']:.1f} / {page['p99_ms']:.1f} ms", "p50 <= 50 ms",
                     verdict(page["p50_ms"], 50)])
    for s in scale["search"]:
        rows.append([f"npm search text={s['text']!r} ({s['total']} hits): first / p50 / max (x{s['n']})",
                     f"{s['cold_ms']:.0f} / {s['p50_ms']:.0f} / {s['max_ms']:.0f} ms", "", ""])
    rows.append(["RSS at the end / VmHWM", f"{mib(scale['rss_end'])} / {mib(scale['vm_hwm_end'])} MiB", "", ""])
    print(md_table(["measurement", "value", "target", "verdict"], rows), file=out)
    print(file=out)


# MARK: Report


def report_comparison(out, cmp):
    mib = lambda n: f"{n / MiB:.1f}"
    w = cmp["wrk"]
    print(f"### Depot vs nginx serving the same bytes (wrk -t{w['threads']} -c{w['connections']} --latency, "
          f"{w['rounds']} rounds x {w['seconds']} s per server, alternating; medians)\n", file=out)
    if cmp["void"]:
        print(f"**RATIOS VOID**: nginx reached only {cmp['nginx_small_min_rps']:.0f} req/s on a small document "
              f"(< {NGINX_FLOOR_RPS:,}): the load generator or the machine is the bottleneck in this run, not the servers.\n",
              file=out)
    else:
        print(f"nginx reached at least {cmp['nginx_small_min_rps']:.0f} req/s on every small document "
              f"(>= {NGINX_FLOOR_RPS:,}): the load generator is not the bottleneck.\n", file=out)
    rows = []
    for r in cmp["runs"]:
        if "skipped" in r:
            rows.append([r["endpoint"], "n/a", "n/a", "n/a", "n/a", "n/a", "", r["skipped"], "n/a", "n/a"])
            continue
        rows.append([r["endpoint"], f"{r['body_bytes']}" if r["status"] == 200 else "304", f"{r['depot_rps']:.0f}",
                     f"{r['nginx_rps']:.0f}", f"{r['ratio']:.2f}", f"{r['ratio_min']:.2f}..{r['ratio_max']:.2f}",
                     f">= {r['target']}", r["verdict"] + (f" ({r['errors']} errors)" if r["errors"] else ""),
                     f"{r['depot_p99_ms']:.2f}", f"{r['nginx_p99_ms']:.2f}"])
    print(md_table(["endpoint", "body (B)", "Depot req/s", "nginx req/s", "Depot/nginx", "per round", "target", "verdict",
                    "Depot p99 (ms)", "nginx p99 (ms)"], rows), file=out)
    if cmp["rss"]:
        print(f"\nDepot RSS under load (VmRSS sampled every 20 ms while wrk holds 64 connections):\n", file=out)
        rows = [[r["endpoint"], f"{r['rps']:.0f}", f"{r['p99_ms']:.2f}", mib(r["rss_before"]), mib(r["rss_peak"]),
                 f"<= {RSS_LIMIT_MB} MiB", "pass" if r["rss_peak"] <= RSS_LIMIT_MB * MiB else "FAIL"] for r in cmp["rss"]]
        print(md_table(["endpoint (64 connections)", "req/s", "p99 (ms)", "RSS before (MiB)", "RSS peak (MiB)", "target",
                        "verdict"], rows), file=out)
    print(file=out)



def md_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    numeric = [all(re.fullmatch(r"[-+]?[\d.,]+( ?%| MiB| KiB)?|n/a|", str(row[i])) for row in rows) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(
            (str(c).rjust(w) if num else str(c).ljust(w)) for c, w, num in zip(cells, widths, numeric)) + " |"

    sep = "| " + " | ".join(("-" * (w - 1) + ":") if num else "-" * w for w, num in zip(widths, numeric)) + " |"
    return "\n".join([line(header), sep] + [line(r) for r in rows])


def report(out, info, transfers, verdicts, metadata, proxy, comparison=None):
    mib = lambda n: f"{n / MiB:.1f}"
    print(f"\n## Depot benchmark\n", file=out)
    print(f"binary `{info['binary']}`{' (DEBUG build: absolute numbers are not representative)' if info['debug'] else ''}; "
          f"{info['cpus']} CPUs; log level `{info['log_level']}`; server RSS after start {mib(info['rss_start'])} MiB; "
          f"clients: wrk (vs nginx), Python http.client (sections 1-3), on the same machine.\n", file=out)
    if comparison:
        report_comparison(out, comparison)
    if transfers:
        print("### 1. Transfers (server RSS sampled every 5 ms during each transfer)\n", file=out)
        rows = [[r["format"], r["operation"], human_size(r["size"]), f"{r['seconds']:.2f}", f"{r['mib_per_s']:.1f}",
                 mib(r["rss_before"]), mib(r["rss_peak"]), mib(r["rss_peak_delta"]),
                 f"{mib(r['rss_peak_delta_min'])}..{mib(r['rss_peak_delta_max'])}" if r["runs"] > 1 else "",
                 mib(r["vm_hwm"])]
                for r in transfers]
        print(md_table(["format", "operation", "size", "time (s)", "MiB/s", "RSS before (MiB)", "RSS peak (MiB)",
                        "peak - before (MiB)", "range over runs", "VmHWM (MiB)"], rows), file=out)
        print(f"\nDownloads ran {info['get_repeats']} times each (the median run by RSS peak is shown); "
              f"Maven jar: {info['maven_jar']}.", file=out)
        if verdicts:
            print("\nMemory vs. artifact size (flat = the extra RSS peak at the largest size is < 16 MiB or "
                  "< 10% of the size difference):\n", file=out)
            rows = [[v["format"], v["operation"], f"{human_size(v['smallest'])} -> {human_size(v['largest'])}",
                     f"{mib(v['delta_small'])} -> {mib(v['delta_large'])}", f"{v['growth_per_mib']:.2f}",
                     "flat" if v["flat"] else "GROWS WITH SIZE"] for v in verdicts]
            print(md_table(["format", "operation", "sizes", "peak - before (MiB)", "MiB RSS per MiB artifact",
                            "verdict"], rows), file=out)
    if metadata:
        print(f"\n### 2. Hot metadata ({info['threads']} threads, persistent connections, {info['seconds']} s each)\n",
              file=out)
        rows = []
        for r in metadata:
            if "skipped" in r:
                rows.append([r["endpoint"], "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", "n/a", r["skipped"]])
                continue
            statuses = ", ".join(f"{k}x{v}" for k, v in r["statuses"].items())
            rows.append([r["endpoint"], f"{r['requests']}", f"{r['rps']:.0f}", f"{r['p50_ms']:.2f}", f"{r['p90_ms']:.2f}",
                         f"{r['p99_ms']:.2f}", f"{r['server_cpu_pct']:.0f}%", f"{r['body_bytes']}",
                         f"{statuses}; errors {r['errors']}"])
        print(md_table(["endpoint", "requests", "req/s", "p50 (ms)", "p90 (ms)", "p99 (ms)", "server CPU", "body (B)",
                        "statuses"], rows), file=out)
    if proxy:
        print(f"\n### 3. Proxy (repository with external connection public:npmjs -> upstream stand-in)\n", file=out)
        pc, pw, hot = proxy["packument_cold"], proxy["packument_warm_sequential"], proxy["packument_warm_concurrent"]
        rows = [
            [f"packument, first fetch (cold) x{pc['n']}", f"{pc['p50_ms']:.1f}", f"{pc['max_ms']:.1f}", "", ""],
            [f"packument, again (warm) x{pw['n']}", f"{pw['p50_ms']:.1f}", f"{pw['max_ms']:.1f}", "", ""],
            [f"packument warm, {info['threads']} threads", f"{hot['p50_ms']:.2f}", f"{hot['max_ms']:.1f}",
             f"{hot['rps']:.0f} req/s", f"errors {hot['errors']}"],
        ]
        for phase in ("cold", "warm"):
            t = proxy[f"tarball_{phase}"]
            rows.append([f"tarball {human_size(t['size'])} ({phase})", f"{t['seconds'] * 1000:.0f}", "",
                         f"{t['mib_per_s']:.1f} MiB/s", f"RSS peak - before {mib(t['rss_peak_delta'])} MiB"])
        print(md_table(["what", "p50 / time (ms)", "max (ms)", "rate", "notes"], rows), file=out)
    print(file=out)


# MARK: Main


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    env = os.environ.get

    def number(flag, kind, env_key, default, help):
        parser.add_argument(flag, type=kind, default=kind(env(env_key, str(default))), help=f"{help} (env {env_key})")

    parser.add_argument("--depot-bin", default=env("DEPOT_BIN"), required=env("DEPOT_BIN") is None)
    parser.add_argument("--workdir", required=True, help="an empty directory for storage, payloads and logs")
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes(env("BENCH_SIZES", "1,16,64")),
                        help="artifact sizes, comma-separated, in MiB unless suffixed K/M/G (env BENCH_SIZES; "
                             "default 1,16,64)")
    parser.add_argument("--formats", default=env("BENCH_FORMATS", "maven,npm,pypi"),
                        type=lambda s: [f.strip() for f in s.split(",") if f.strip()],
                        help="formats to measure (default maven,npm,pypi)")
    number("--threads", int, "BENCH_THREADS", 8, "client threads (8)")
    number("--seconds", float, "BENCH_SECONDS", 5, "seconds per hot-metadata endpoint (5)")
    number("--meta-versions", int, "BENCH_META_VERSIONS", 30, "versions of the hot-metadata package in each format (30)")
    number("--proxy-packages", int, "BENCH_PROXY_PACKAGES", 10, "upstream packuments fetched cold through the proxy (10)")
    number("--proxy-versions", int, "BENCH_PROXY_VERSIONS", 100, "versions in each upstream packument (100)")
    parser.add_argument("--proxy-tarball-size", type=parse_size, default=parse_size(env("BENCH_PROXY_TARBALL", "16")),
                        help="size of the tarball fetched through the proxy (16 MiB)")
    number("--get-repeats", int, "BENCH_GET_REPEATS", 3, "downloads per artifact; the median RSS peak is reported (3)")
    parser.add_argument("--maven-jar", choices=("zip", "random"), default=env("BENCH_MAVEN_JAR", "zip"),
                        help="zip: a valid jar holding the random bytes (default); random: the raw bytes, not a zip")
    parser.add_argument("--log-level", default=env("BENCH_LOG_LEVEL", "notice"),
                        help="server log level (notice: no per-request lines; `info` logs every request)")
    parser.add_argument("--skip", default=env("BENCH_SKIP", ""), type=lambda s: {x.strip() for x in s.split(",") if x},
                        help="parts to skip: compare, transfers, metadata, proxy")
    number("--rounds", int, "BENCH_ROUNDS", 3, "compare: wrk rounds per server and endpoint, alternating (3)")
    number("--wrk-seconds", int, "BENCH_WRK_SECONDS", 5, "compare: seconds per wrk run (5)")
    number("--wrk-connections", int, "BENCH_WRK_CONNECTIONS", 32, "compare: wrk connections (32; the RSS check always uses 64)")
    number("--wrk-threads", int, "BENCH_WRK_THREADS", 1, "compare: wrk threads (1)")
    parser.add_argument("--compare-size", type=parse_size, default=parse_size(env("BENCH_COMPARE_SIZE", "100K")),
                        help="compare: size of the tarball, wheel and jar fetched (100K)")
    parser.add_argument("--scale", action="store_true",
                        help="scale mode instead of the other parts: seed 100,000 packages / 1,000,000 versions "
                             "through the store (`depot seed`), then start-up, packument, listing and search")
    number("--scale-packages", int, "BENCH_SCALE_PACKAGES", 100000, "scale: packages in the store (100000)")
    number("--scale-versions", int, "BENCH_SCALE_VERSIONS", 1000000, "scale: versions in the store (1000000)")
    number("--scale-big-versions", int, "BENCH_SCALE_BIG_VERSIONS", 10000, "scale: versions of the one big package (10000)")
    number("--scale-seconds", int, "BENCH_SCALE_SECONDS", 5, "scale: seconds per warm measurement (5)")
    number("--scale-page-size", int, "BENCH_SCALE_PAGE_SIZE", 100, "scale: maxResults of a listing page (100)")
    number("--scale-pages", int, "BENCH_SCALE_PAGES", 50, "scale: listing pages walked with nextToken (50)")
    parser.add_argument("--scale-storage", default=env("BENCH_SCALE_STORAGE"),
                        help="scale: keep the seeded store in this directory and reuse it on later runs "
                             "(default: inside the work directory, removed on exit)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    args = parser.parse_args()
    unknown = set(args.formats) - {"maven", "npm", "pypi"}
    if unknown:
        parser.error(f"unknown formats: {', '.join(sorted(unknown))}")

    depot = os.path.abspath(args.depot_bin)
    workdir = os.path.abspath(args.workdir)
    storage = os.path.join(workdir, "storage")
    data_dir = os.path.join(workdir, "data")
    standin_root = os.path.join(workdir, "upstream")
    for d in (storage, data_dir, standin_root):
        os.makedirs(d, exist_ok=True)
    processes = Processes(workdir)

    def on_signal(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGHUP, on_signal)
    try:
        if args.scale:
            run_scale_mode(args, depot, workdir, data_dir, processes)
        else:
            run(args, depot, workdir, storage, data_dir, standin_root, processes)
    finally:
        processes.stop_all()


def server_environment(**settings):
    env = dict(os.environ, **settings)
    for key in ("DEPOT_HOST", "DEPOT_PORT", "DEPOT_STORAGE", "DEPOT_PUBLIC_URL", "DEPOT_URL", "DEPOT_TOKEN"):
        env.pop(key, None)
    return env


def run_scale_mode(args, depot, workdir, data_dir, processes):
    tools = ensure_packages({"wrk": "wrk"})
    info = {"binary": depot, "debug": "/debug/" in depot, "cpus": os.cpu_count()}
    env = server_environment(DEPOT_LOG_LEVEL=args.log_level)
    log("scale mode")
    scale = run_scale(args, depot, workdir, data_dir, processes, env, tools["wrk"])
    report_scale(sys.stdout, info, scale)
    sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "scale": scale}, f, indent=2)
        log(f"wrote {args.json}")


def run(args, depot, workdir, storage, data_dir, standin_root, processes):
    tools = ensure_packages({"nginx": "nginx-light", "wrk": "wrk"}) if "compare" not in args.skip else {}
    tarball_digests = None
    standin_url = "http://127.0.0.1:9"  # unused unless the proxy part runs
    if "proxy" not in args.skip:
        log(f"writing the upstream stand-in's tree ({args.proxy_packages} packuments, "
            f"{human_size(args.proxy_tarball_size)} tarball)")
        tarball_digests = write_standin_tree(standin_root, args.proxy_packages, args.proxy_versions,
                                             args.proxy_tarball_size)
        _, standin_port = processes.start(
            "standin", [sys.executable, os.path.join(HERE, "upstream-stand-in.py"), "--root", standin_root, "--port", "0"],
            dict(os.environ), workdir, r"listening on (\d+)")
        standin_url = f"http://127.0.0.1:{standin_port}/"

    largest = max(args.sizes + [args.proxy_tarball_size])
    # The stand-in listens on 127.0.0.1, which upstreams may only reach when private addresses are allowed.
    server_env = server_environment(DEPOT_LOG_LEVEL=args.log_level, DEPOT_NPMJS_URL=standin_url,
                                    DEPOT_UPSTREAM_ALLOW_PRIVATE_ADDRESSES="true",
                                    DEPOT_MAX_UPLOAD_SIZE=str(max(2 << 30, 2 * largest + 64 * MiB)))
    log(f"starting {depot} serve (storage {storage})")
    # cwd = the work directory: no config/depot.yaml there, so only the embedded defaults and our settings apply.
    server, port = processes.start(
        "server", [depot, "serve", "--host", "127.0.0.1", "--port", "0", "--storage", storage], server_env, workdir,
        r"Depot ready at http://[^:/]+:(\d+)/")
    with open(os.path.join(storage, "admin.token")) as f:
        token = f.read().strip()
    client = Client(port, token)
    client.server_pid = server.pid
    client.request("GET", "/healthz", expect=(200,))
    info = {"binary": depot, "debug": "/debug/" in depot, "cpus": os.cpu_count(), "log_level": args.log_level,
            "threads": args.threads, "seconds": args.seconds, "port": port, "get_repeats": args.get_repeats,
            "maven_jar": "valid zip" if args.maven_jar == "zip" else "raw random bytes (not a zip)"}

    cli_env = dict(os.environ, DEPOT_URL=client.base, DEPOT_TOKEN=token)

    def cli(*argv):
        result = subprocess.run([depot, *argv], env=cli_env, cwd=workdir, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"depot {' '.join(argv)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")

    cli("domain", "create", "bench")
    cli("repo", "create", "--domain", "bench", "main", "--description", "benchmark")
    if "proxy" not in args.skip:
        cli("repo", "create", "--domain", "bench", "proxy", "--external-connection", "public:npmjs")
    repo_path = "/bench/main"
    time.sleep(0.5)
    info["rss_start"] = proc_status(server.pid)["VmRSS"]

    transfers, verdicts, metadata, proxy, comparison = [], [], [], None, None
    if "compare" not in args.skip:
        log("Depot vs nginx (wrk)")
        comparison = run_comparison(args, client, server.pid, workdir, data_dir, repo_path, tools)
    if "transfers" not in args.skip:
        log(f"1. transfers: {', '.join(human_size(s) for s in args.sizes)} via {', '.join(args.formats)}")
        transfers = run_transfers(args, client, server.pid, data_dir, repo_path)
        verdicts = flatness(transfers, args.sizes)
    if "metadata" not in args.skip:
        seed_metadata(args, client, data_dir, repo_path)
        log("2. hot metadata")
        metadata = run_metadata(args, client, metadata_endpoints(args, client, repo_path))
    if "proxy" not in args.skip:
        log("3. proxy")
        proxy = run_proxy(args, client, server.pid, "/bench/proxy", tarball_digests)
    info["rss_end"] = proc_status(server.pid)["VmRSS"]
    info["vm_hwm_end"] = proc_status(server.pid)["VmHWM"]
    if server.poll() is not None:
        raise SystemExit(f"the server exited with {server.returncode}")

    report(sys.stdout, info, transfers, verdicts, metadata, proxy, comparison)
    sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "comparison": comparison, "transfers": transfers, "memory": verdicts,
                       "metadata": metadata, "proxy": proxy}, f, indent=2)
        log(f"wrote {args.json}")


if __name__ == "__main__":
    main()
