#!/usr/bin/env python3
"""Depot benchmark: streaming transfers, hot metadata, and the caching proxy, against a real `depot serve`.

Python 3.11 standard library only. Normally started by `scripts/benchmark` (which picks or builds the binary
and owns the temporary work directory); it can also be run directly:

  python3 scripts/benchmark.py --depot-bin .build/debug/depot --workdir /tmp/some-empty-dir

It starts its own server (fresh storage in the work directory, a free port, log level `notice` so the
request log does not dominate the numbers), creates a domain and repositories with the `depot` CLI, and
measures:

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

Results are printed as markdown tables; --json FILE also writes them as JSON.
"""

import argparse
import base64
import hashlib
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
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

    def start(self, name, argv, env, cwd, ready_pattern, timeout=120):
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
            time.sleep(0.05)
        raise SystemExit(f"{name} was not ready after {timeout} s; see {log_path}")

    def stop_all(self):
        for name, process in list(self.children.items()):
            if process.poll() is None:
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
        self.children.clear()


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


# MARK: Report


def md_table(header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    numeric = [all(re.fullmatch(r"[-+]?[\d.,]+( ?%| MiB| KiB)?|n/a|", str(row[i])) for row in rows) for i in range(len(header))]

    def line(cells):
        return "| " + " | ".join(
            (str(c).rjust(w) if num else str(c).ljust(w)) for c, w, num in zip(cells, widths, numeric)) + " |"

    sep = "| " + " | ".join(("-" * (w - 1) + ":") if num else "-" * w for w, num in zip(widths, numeric)) + " |"
    return "\n".join([line(header), sep] + [line(r) for r in rows])


def report(out, info, transfers, verdicts, metadata, proxy):
    mib = lambda n: f"{n / MiB:.1f}"
    print(f"\n## Depot benchmark\n", file=out)
    print(f"binary `{info['binary']}`{' (DEBUG build: absolute numbers are not representative)' if info['debug'] else ''}; "
          f"{info['cpus']} CPUs; log level `{info['log_level']}`; server RSS after start {mib(info['rss_start'])} MiB; "
          f"client: Python http.client on the same machine.\n", file=out)
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
    parser.add_argument("--depot-bin", default=env("DEPOT_BIN"), required=env("DEPOT_BIN") is None)
    parser.add_argument("--workdir", required=True, help="an empty directory for storage, payloads and logs")
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes(env("BENCH_SIZES", "1,16,64")),
                        help="artifact sizes, comma-separated, in MiB unless suffixed K/M/G (env BENCH_SIZES; "
                             "default 1,16,64)")
    parser.add_argument("--formats", default=env("BENCH_FORMATS", "maven,npm,pypi"),
                        type=lambda s: [f.strip() for f in s.split(",") if f.strip()],
                        help="formats to measure (default maven,npm,pypi)")
    parser.add_argument("--threads", type=int, default=int(env("BENCH_THREADS", "8")), help="client threads (8)")
    parser.add_argument("--seconds", type=float, default=float(env("BENCH_SECONDS", "5")),
                        help="seconds per hot-metadata endpoint (5)")
    parser.add_argument("--meta-versions", type=int, default=int(env("BENCH_META_VERSIONS", "30")),
                        help="versions of the hot-metadata package in each format (30)")
    parser.add_argument("--proxy-packages", type=int, default=int(env("BENCH_PROXY_PACKAGES", "10")),
                        help="upstream packuments fetched cold through the proxy (10)")
    parser.add_argument("--proxy-versions", type=int, default=int(env("BENCH_PROXY_VERSIONS", "100")),
                        help="versions in each upstream packument (100)")
    parser.add_argument("--proxy-tarball-size", type=parse_size, default=parse_size(env("BENCH_PROXY_TARBALL", "16")),
                        help="size of the tarball fetched through the proxy (16 MiB)")
    parser.add_argument("--get-repeats", type=int, default=int(env("BENCH_GET_REPEATS", "3")),
                        help="downloads per artifact; the median RSS peak is reported (3)")
    parser.add_argument("--maven-jar", choices=("zip", "random"), default=env("BENCH_MAVEN_JAR", "zip"),
                        help="zip: a valid jar holding the random bytes (default); random: the raw bytes, not a zip")
    parser.add_argument("--log-level", default=env("BENCH_LOG_LEVEL", "notice"),
                        help="server log level (notice: no per-request lines; `info` logs every request)")
    parser.add_argument("--skip", default=env("BENCH_SKIP", ""), type=lambda s: {x.strip() for x in s.split(",") if x},
                        help="parts to skip: transfers, metadata, proxy")
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
        run(args, depot, workdir, storage, data_dir, standin_root, processes)
    finally:
        processes.stop_all()


def run(args, depot, workdir, storage, data_dir, standin_root, processes):
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
    server_env = dict(os.environ, DEPOT_LOG_LEVEL=args.log_level, DEPOT_NPMJS_URL=standin_url,
                      DEPOT_UPSTREAM_ALLOW_PRIVATE_ADDRESSES="true",
                      DEPOT_MAX_UPLOAD_SIZE=str(max(2 << 30, 2 * largest + 64 * MiB)))
    for key in ("DEPOT_HOST", "DEPOT_PORT", "DEPOT_STORAGE", "DEPOT_PUBLIC_URL", "DEPOT_URL", "DEPOT_TOKEN"):
        server_env.pop(key, None)
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

    transfers, verdicts, metadata, proxy = [], [], [], None
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

    report(sys.stdout, info, transfers, verdicts, metadata, proxy)
    sys.stdout.flush()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"info": info, "transfers": transfers, "memory": verdicts, "metadata": metadata, "proxy": proxy},
                      f, indent=2)
        log(f"wrote {args.json}")


if __name__ == "__main__":
    main()
