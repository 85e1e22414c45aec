#!/usr/bin/env python3
"""Seed corpora for the fuzz targets, made from the unit tests' fixtures.

Usage: make-seeds.py REPO_ROOT OUT_DIR  (called by scripts/fuzz; standard library and `tar` only)

The tests build most fixtures in code, so the seeds are (1) the string literals of the tests that exercise
each parser (versions, file names, paths, XML, YAML, publish bodies, Authorization headers) and (2) archives
and bodies built the way the tests build theirs (tar in every format GNU tar writes, gzip, wheels, twine
multipart bodies, npm publish bodies). Targets with a selector byte (see Tests/Fuzz/Sources) get it prefixed.
"""
import base64
import gzip
import hashlib
import io
import json
import os
import re
import struct
import subprocess
import sys
import tempfile
import zipfile

root, out = sys.argv[1], sys.argv[2]
count = {}


def seed(target, data, selector=None):
    if isinstance(data, str):
        data = data.encode()
    if selector is not None:
        data = bytes([selector]) + data
    os.makedirs(os.path.join(out, target), exist_ok=True)
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, target, name), "wb") as f:
        f.write(data)
    count[target] = count.get(target, 0) + 1


ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "0": "\0", '"': '"', "\\": "\\", "'": "'"}


def unescape(text):
    def sub(m):
        c = m.group(1)
        if c.startswith("u{"):
            return chr(int(c[2:-1], 16))
        return ESCAPES.get(c, c)

    return re.sub(r"\\(u\{[0-9a-fA-F]+\}|.)", sub, text, flags=re.S)


def literals(path):
    """String literals of a Swift file: multi-line ones dedented as Swift does; interpolated ones skipped."""
    with open(os.path.join(root, path), encoding="utf-8") as f:
        source = f.read()
    found = []
    for m in re.finditer(r'"""\n(.*?)\n([ \t]*)"""', source, flags=re.S):
        indent = m.group(2)
        body = "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip() for line in m.group(1).split("\n"))
        if "\\(" not in body:
            found.append(unescape(body.replace("\\\n", "")))
    single = re.sub(r'""".*?"""', "", source, flags=re.S)
    for m in re.finditer(r'"((?:[^"\\\n]|\\.)*)"', single):
        if "\\(" not in m.group(1):
            found.append(unescape(m.group(1)))
    return [s for s in found if s]


def metadata(name="pkg", version="1.0"):
    return (f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nSummary: A test package\n"
            'Requires-Python: >=3.8\nRequires-Dist: requests>=2.0\nRequires-Dist: tomli; python_version < "3.11"\n'
            f"\n# {name}\n\nLong description.\n")


# names: selector % 5 picks the parser (PEP 440, distribution file name, semver, npm name, Maven version).
for selector, path in [
    (0, "Tests/DepotPyPITests/PEP440VersionTests.swift"),
    (1, "Tests/DepotPyPITests/DistributionFilenameTests.swift"),
    (2, "Tests/DepotCoreTests/SemanticVersionTests.swift"),
    (3, "Tests/DepotNPMTests/NpmPackageNameTests.swift"),
    (4, "Tests/DepotMavenTests/MavenVersionTests.swift"),
]:
    for text in literals(path):
        if len(text) < 300:
            seed("names", text, selector)

for text in literals("Tests/DepotPyPITests/CoreMetadataTests.swift"):
    if ":" in text:
        seed("core-metadata", text)
seed("core-metadata", metadata())

for text in literals("Tests/DepotMavenTests/MavenPathTests.swift"):
    if "/" in text and len(text) < 1000:
        seed("maven-path", text)

# maven-xml: 0 maven-metadata.xml, 1 pom, 2 plugin descriptor.
for path in ["Tests/DepotMavenTests/MavenMetadataTests.swift", "Tests/DepotMavenTests/MavenPluginInfoTests.swift",
             "Tests/DepotMavenTests/MavenUpstreamFormatTests.swift", "Tests/EndToEndTests/Support/MavenTools.swift",
             "Tests/EndToEndTests/MavenPluginTests.swift"]:
    for text in literals(path):
        if "<metadata" in text:
            seed("maven-xml", text, 0)
        elif "<project" in text:
            seed("maven-xml", text, 1)
        elif "<plugin" in text:
            seed("maven-xml", text, 2)

# buildspec: 0 buildspec YAML, 1 JUnit XML, 2 a path pattern.
for path in ["Tests/DepotBuildTests/BuildspecParserTests.swift", "Tests/DepotBuildTests/BuildExecutorTests.swift",
             "Tests/EndToEndTests/BuildNpmTests.swift", "Tests/EndToEndTests/BuildPythonTests.swift",
             "Tests/EndToEndTests/BuildMavenTests.swift", "Tests/DepotBuildTests/OutputsTests.swift",
             "Tests/DepotBuildTests/GlobPatternTests.swift"]:
    if not os.path.exists(os.path.join(root, path)):
        continue
    for text in literals(path):
        if "<testsuite" in text:
            seed("buildspec", text, 1)
        elif "phases:" in text or "version: 0.2" in text:
            seed("buildspec", text, 0)
        elif "*" in text and len(text) < 100:
            seed("buildspec", text, 2)

# pipeline: 0 a pipeline definition, 1 an appspec.yml, 2 a git repository for the allow-list.
pipeline_tests = os.path.join(root, "Tests/DepotBuildTests/Pipeline")
for name in sorted(os.listdir(pipeline_tests)) if os.path.isdir(pipeline_tests) else []:
    for text in literals(os.path.join("Tests/DepotBuildTests/Pipeline", name)):
        if "stages" in text:
            seed("pipeline", text, 0)
        elif "hooks:" in text or "files:" in text:
            seed("pipeline", text, 1)
        elif text.startswith(("/", "https://", "ssh://", "file://", "git@", "ext::")):
            seed("pipeline", text, 2)
with open(os.path.join(root, "README.md"), encoding="utf-8") as f:
    readme = f.read()
example = re.search(r"## Pipelines.*?```yaml\n(.*?)```", readme, flags=re.S)
if example:
    seed("pipeline", example.group(1), 0)

for text in literals("Tests/DepotHTTPTests/AuthenticationTests.swift"):
    if text.split(" ")[0].lower() in ("bearer", "basic"):
        seed("authorization", text)
seed("authorization", "Bearer dpt_0123456789abcdef")
seed("authorization", "Basic " + base64.b64encode(b"aws:dpt_0123456789abcdef").decode())

# sigv4: botocore's Authorization headers and dates from the known-answer vectors (0), paths (2), queries (3),
# the presigned URL's query (4).
for text in literals("Tests/DepotAWSTests/SigV4Vectors.swift"):
    if text.startswith("AWS4-HMAC-SHA256"):
        seed("sigv4", text, 0)
    elif text.startswith("http"):
        rest = text.split("/", 3)[-1]
        path, _, query = rest.partition("?")
        seed("sigv4", "/" + path, 2)
        seed("sigv4", query, 3)
        if "X-Amz-Signature" in query:
            seed("sigv4", query, 4)
    elif len(text) == 16 and text.endswith("Z"):
        seed("sigv4", text, 1)

# aws-logs: CloudWatch filter patterns with a line to match (0), next tokens (1), build logs with stamps (2).
for pattern in ['ERROR build\nERROR in build step', '"exit status 1"\nexit status 1', '?ERROR ?WARN -DEBUG\nWARN x',
                '{ $.level = 1 }\n', '[a, b]\n']:
    seed("aws-logs", pattern, 0)
for token in ["f/0/0", "b/120/1700000000000", "f/9223372036854775807/0", "x/1/2"]:
    seed("aws-logs", token, 1)
seed("aws-logs", "[Container] 2026/12/03 18:00:00.123 Entering phase BUILD\nhello\n"
     "[Container] 999999999/01/01 00:00:00.000 far\nno newline at the end", 2)

# npm-publish: the tests' bodies, and one as `npm publish` sends it; whole (0) and in 6-byte pieces (0x85).
for text in literals("Tests/DepotNPMTests/PublishBodySplitterTests.swift"):
    if text.lstrip().startswith("{"):
        seed("npm-publish", text, 0)
        seed("npm-publish", text, 0x85)
tarball = gzip.compress(b"package/package.json\0" + b"x" * 600)
body = json.dumps({
    "_id": "@demo/lib", "name": "@demo/lib", "dist-tags": {"latest": "1.0.0"},
    "versions": {"1.0.0": {"name": "@demo/lib", "version": "1.0.0", "dist": {
        "shasum": hashlib.sha1(tarball).hexdigest(),
        "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tarball).digest()).decode()}}},
    "readme": "# lib", "_attachments": {"lib-1.0.0.tgz": {
        "content_type": "application/octet-stream", "data": base64.b64encode(tarball).decode(), "length": len(tarball)}},
})
seed("npm-publish", body, 0)
seed("npm-publish", body.replace("/", "\\/"), 0x83)

# multipart: first line the Content-Type, then a twine body (as UploadFormTests builds it).
boundary = "----depot-test-boundary"
fields = [(":action", "file_upload"), ("name", "pkg"), ("version", "1.0"), ("filetype", "sdist"),
          ("sha256_digest", hashlib.sha256(b"file").hexdigest())]
form = "".join(f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields)
form += (f'--{boundary}\r\nContent-Disposition: form-data; name="content"; filename="pkg-1.0.tar.gz"\r\n'
         "Content-Type: application/octet-stream\r\n\r\nfile\r\n" + f"--{boundary}--\r\n")
seed("multipart", f"multipart/form-data; boundary={boundary}\n" + form, 0)
seed("multipart", f'multipart/form-data; charset=utf-8; boundary="{boundary}"\n' + form, 0x87)

# sdist: tars in every format GNU tar writes (long names as in TarStreamReaderTests); raw whole (0),
# raw in 16-byte pieces (0x8f), gzipped (1).
with tempfile.TemporaryDirectory() as tmp:
    src = os.path.join(tmp, "src")
    long = "pkg-1.0/" + "long_directory_name/" * 4 + "file.txt"
    longer = "pkg-1.0/" + "much_longer_directory/" * 5 + "data.bin"
    files = {"pkg-1.0/empty": b"", long: b"long\n", longer: bytes(range(256)) * 2, "pkg-1.0/PKG-INFO": metadata().encode()}
    for name, data in files.items():
        os.makedirs(os.path.dirname(os.path.join(src, name)), exist_ok=True)
        with open(os.path.join(src, name), "wb") as f:
            f.write(data)
    for fmt in ["gnu", "pax", "ustar", "v7"]:
        names = [n for n in files if fmt != "v7" or len(n) <= 100]
        tar = os.path.join(tmp, f"{fmt}.tar")
        subprocess.run(["tar", f"--format={fmt}", "-cf", tar] + names, cwd=src, check=True)
        with open(tar, "rb") as f:
            data = f.read()
        seed("sdist", data, 0)
        seed("sdist", data, 0x8f)
        seed("sdist", gzip.compress(data), 1)

    # wheel: a zip with the dist-info METADATA, deflated as the tests make them.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as wheel:
        wheel.writestr("pkg/__init__.py", "")
        wheel.writestr("pkg-1.0.dist-info/METADATA", metadata())
        wheel.writestr("pkg-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
    seed("wheel", buffer.getvalue())

# cargo-publish: Cargo's publish body (u32 LE lengths, JSON, .crate) whole and in 5-byte pieces; names, versions,
# an index file.
cargo_json = json.dumps({"name": "depot-demo", "vers": "1.0.0-rc.1+b", "deps": [{"name": "serde", "version_req": "^1", "features": ["derive"],
    "optional": True, "default_features": False, "target": None, "kind": "normal", "registry": None, "explicit_name_in_toml": "serde1"}],
    "features": {"default": ["std"], "std": [], "json": ["dep:serde1"]}, "links": None, "rust_version": "1.70"}).encode()
cargo_crate = gzip.compress(b"tar bytes")
cargo_body = struct.pack("<I", len(cargo_json)) + cargo_json + struct.pack("<I", len(cargo_crate)) + cargo_crate
seed("cargo-publish", cargo_body, 0)
seed("cargo-publish", cargo_body, 0x84)
for text in ["serde_json", "Inflector", "1.2.3-alpha.1+build.5", "se/rd/serde", "3/a/abc",
        '{"name":"fuzz","vers":"1.0.0","deps":[],"cksum":"' + "a" * 64 + '","features":{},"yanked":false}\n']:
    seed("cargo-publish", text, 1)

print("[fuzz] seeds: " + ", ".join(f"{t} {n}" for t, n in sorted(count.items())))
