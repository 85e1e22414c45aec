"""boto3 against Depot's CodeArtifact API (argv[1] is the endpoint URL; the key pair comes from AWS_* variables).

Every response body is checked against the botocore model's output shape (no member the model lacks, each value of
the model's type) before botocore parses it; listings are followed with boto3's paginators; signatures botocore
makes and then spoils are refused with the right AWS error type. Prints "boto3 checks passed" at the end."""
import base64
import datetime
import hashlib
import io
import json
import sys
import tarfile
import urllib.error
import urllib.request
from unittest import mock

import boto3
import botocore.auth
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError

ENDPOINT = sys.argv[1]
client = boto3.client("codeartifact", endpoint_url=ENDPOINT, region_name="eu-west-1")
model = client.meta.service_model
checked = []


def conforms(shape, value, path):
    """Raises when `value` does not fit `shape` (the model's own member names, types and enums)."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), f"{path}: expected an object, got {value!r}"
        members = {m.serialization.get("name", name): m for name, m in shape.members.items()}
        for key, item in value.items():
            assert key in members, f"{path}: '{key}' is not a member of {shape.name}"
            conforms(members[key], item, f"{path}.{key}")
    elif kind == "list":
        assert isinstance(value, list), f"{path}: expected a list"
        for index, item in enumerate(value):
            conforms(shape.member, item, f"{path}[{index}]")
    elif kind == "map":
        assert isinstance(value, dict), f"{path}: expected a map"
        for key, item in value.items():
            conforms(shape.value, item, f"{path}[{key}]")
    elif kind == "string":
        assert isinstance(value, str), f"{path}: expected a string, got {value!r}"
        if shape.enum:
            assert value in shape.enum, f"{path}: {value!r} is not one of {shape.enum}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: expected an integer, got {value!r}"
    elif kind == "boolean":
        assert isinstance(value, bool), f"{path}: expected a boolean"
    elif kind == "timestamp":
        assert isinstance(value, (int, float)), f"{path}: expected epoch seconds, got {value!r}"


def check_body(http_response, model, **kwargs):
    if http_response.status_code >= 300 or not model.output_shape:
        return
    body = http_response.content
    if model.output_shape.serialization.get("payload"):  # GetPackageVersionAsset: the bytes are the payload
        return
    conforms(model.output_shape, json.loads(body) if body else {}, model.name)
    checked.append(model.name)


client.meta.events.register("after-call.codeartifact", lambda http_response, model, **kw: check_body(http_response, model))

# Domains, repositories with upstreams, endpoints and an authorization token.
client.create_domain(domain="boto")
for name, upstreams in [("base", []), ("mid", [{"repositoryName": "base"}]), ("top", [{"repositoryName": "mid"}])]:
    client.create_repository(domain="boto", repository=name, upstreams=upstreams, description=f"{name} repository")
described = client.describe_repository(domain="boto", repository="top")["repository"]
assert described["upstreams"] == [{"repositoryName": "mid"}], described
assert described["arn"] == "arn:aws:codeartifact:eu-west-1:000000000000:repository/boto/top", described
assert client.describe_domain(domain="boto")["domain"]["repositoryCount"] == 3
updated = client.update_repository(domain="boto", repository="top", description="changed", upstreams=[{"repositoryName": "base"}])
assert updated["repository"]["description"] == "changed" and updated["repository"]["upstreams"] == [{"repositoryName": "base"}]

pages = list(client.get_paginator("list_repositories_in_domain").paginate(domain="boto", PaginationConfig={"PageSize": 1}))
assert len(pages) == 3 and [r["name"] for p in pages for r in p["repositories"]] == ["base", "mid", "top"], pages
names = [r["name"] for p in client.get_paginator("list_repositories").paginate(PaginationConfig={"PageSize": 2}) for r in p["repositories"]]
assert sorted(names) == ["base", "mid", "top"], names
domains = [d["name"] for p in client.get_paginator("list_domains").paginate(PaginationConfig={"PageSize": 1}) for d in p["domains"]]
assert domains == ["boto"], domains

for fmt, suffix in [("npm", "/boto/top/npm/"), ("pypi", "/boto/top/pypi/"), ("maven", "/boto/top/maven/")]:
    endpoint = client.get_repository_endpoint(domain="boto", repository="top", format=fmt)["repositoryEndpoint"]
    assert endpoint.endswith(suffix), endpoint
token = client.get_authorization_token(domain="boto", durationSeconds=900)
assert token["authorizationToken"].startswith("dpt_") and isinstance(token["expiration"], datetime.datetime), token
assert list(client.get_paginator("list_packages").paginate(domain="boto", repository="top"))[0]["packages"] == []

# AWS's error types for Depot's failures.
for call, expected in [
    (lambda: client.describe_repository(domain="boto", repository="missing"), "ResourceNotFoundException"),
    (lambda: client.create_repository(domain="boto", repository="top"), "ConflictException"),
    (lambda: client.delete_domain(domain="boto"), "ConflictException"),
    (lambda: client.list_domains(nextToken="not-a-token"), "ValidationException"),
    (lambda: client.create_repository(domain="boto", repository="tagged", tags=[{"key": "aws:k", "value": "v"}]), "ValidationException"),
    (lambda: client.list_tags_for_resource(resourceArn="arn:aws:codeartifact:eu-west-1:999999999999:domain/boto"), "ResourceNotFoundException"),
    (lambda: client.tag_resource(resourceArn="arn:aws:codeartifact:eu-west-1:000000000000:repository/boto/nope", tags=[]),
     "ResourceNotFoundException"),
    (lambda: client.untag_resource(resourceArn="arn:aws:codeartifact:eu-west-1:000000000000:package/boto/top", tagKeys=["k"]),
     "ValidationException"),
    (lambda: client.describe_package(domain="boto", repository="top", format="npm", package="nothing"), "ResourceNotFoundException"),
]:
    try:
        call()
        raise AssertionError(f"expected {expected}")
    except ClientError as error:
        assert error.response["Error"]["Code"] == expected, error.response

# Presigned URLs (the query form of SigV4): good while they last, refused after or when changed; ARNs name the
# region the URL was signed for.
url = client.generate_presigned_url("describe_domain", Params={"domain": "boto"}, ExpiresIn=60)
with urllib.request.urlopen(url) as response:
    presigned = json.loads(response.read())["domain"]
    assert presigned["name"] == "boto" and presigned["arn"] == "arn:aws:codeartifact:eu-west-1:000000000000:domain/boto", presigned
other_region = boto3.client("codeartifact", endpoint_url=ENDPOINT, region_name="ap-south-1")
with urllib.request.urlopen(other_region.generate_presigned_url("describe_domain", Params={"domain": "boto"}, ExpiresIn=60)) as response:
    assert json.loads(response.read())["domain"]["arn"].startswith("arn:aws:codeartifact:ap-south-1:"), "presigned region"
for spoiled in [url.replace("domain=boto", "domain=other"), url.replace("X-Amz-Expires=60", "X-Amz-Expires=600")]:
    try:
        urllib.request.urlopen(spoiled)
        raise AssertionError("a spoiled presigned URL was accepted")
    except urllib.error.HTTPError as error:
        assert (error.code, error.headers.get("x-amzn-ErrorType")) == (403, "InvalidSignatureException"), error


# Tags on domains and repositories, named by their ARNs.
more = client.create_domain(domain="more", tags=[{"key": "team", "value": "core"}])["domain"]
assert client.list_tags_for_resource(resourceArn=more["arn"])["tags"] == [{"key": "team", "value": "core"}]
for index in range(4):
    client.create_repository(domain="more", repository=f"mx{index}", tags=[{"key": "index", "value": str(index)}])
mx2 = client.describe_repository(domain="more", repository="mx2")["repository"]["arn"]
assert client.tag_resource(resourceArn=mx2, tags=[{"key": "tier", "value": "gold"}, {"key": "index", "value": "two"}]) is not None
assert client.list_tags_for_resource(resourceArn=mx2)["tags"] == [{"key": "index", "value": "two"}, {"key": "tier", "value": "gold"}]
client.untag_resource(resourceArn=mx2, tagKeys=["index", "absent"])
assert client.list_tags_for_resource(resourceArn=mx2)["tags"] == [{"key": "tier", "value": "gold"}]
try:
    client.tag_resource(resourceArn=mx2, tags=[{"key": f"k{i}", "value": ""} for i in range(50)])
    raise AssertionError("51 tags were accepted")
except ClientError as error:
    assert error.response["Error"]["Code"] == "ServiceQuotaExceededException", error.response
    assert error.response["ResponseMetadata"]["HTTPStatusCode"] == 402, error.response
assert len(client.list_tags_for_resource(resourceArn=mx2)["tags"]) == 1

# Paginators with one item a page, across domains, repositories, packages and versions.
def walk(operation, key, **params):
    pages = list(client.get_paginator(operation).paginate(PaginationConfig={"PageSize": 1}, **params))
    items = [item for page in pages for item in page[key]]
    assert all(len(page[key]) == 1 for page in pages), (operation, pages)
    return items, len(pages)

everywhere, count = walk("list_repositories", "repositories")
assert [(r["domainName"], r["name"]) for r in everywhere] == [("boto", "base"), ("boto", "mid"), ("boto", "top")] + [
    ("more", f"mx{i}") for i in range(4)], everywhere
assert count == 7, count
assert [r["name"] for r in walk("list_repositories", "repositories", repositoryPrefix="mx")[0]] == ["mx0", "mx1", "mx2", "mx3"]
assert [r["name"] for r in walk("list_repositories_in_domain", "repositories", domain="more")[0]] == ["mx0", "mx1", "mx2", "mx3"]
for index in range(5):
    restrictions = {"publish": "BLOCK" if index % 2 else "ALLOW", "upstream": "ALLOW" if index % 2 else "BLOCK"}
    client.put_package_origin_configuration(
        domain="more", repository="mx0", format="npm", package=f"pkg-{index}", restrictions=restrictions)
packages, _ = walk("list_packages", "packages", domain="more", repository="mx0")
assert [p["package"] for p in packages] == [f"pkg-{i}" for i in range(5)], packages
blocked, _ = walk("list_packages", "packages", domain="more", repository="mx0", publish="BLOCK")
assert [p["package"] for p in blocked] == ["pkg-1", "pkg-3"], blocked


def npm_publish(repository, name, version):
    """A minimal npm publish, as npm sends it, with a token from GetAuthorizationToken."""
    token = client.get_authorization_token(domain="more")["authorizationToken"]
    endpoint = client.get_repository_endpoint(domain="more", repository=repository, format="npm")["repositoryEndpoint"]
    manifest = {"name": name, "version": version}
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        data = json.dumps(manifest).encode()
        info = tarfile.TarInfo("package/package.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    tgz = buffer.getvalue()
    dist = {"shasum": hashlib.sha1(tgz).hexdigest(), "integrity": "sha512-" + base64.b64encode(hashlib.sha512(tgz).digest()).decode(),
            "tarball": f"{endpoint}{name}/-/{name}-{version}.tgz"}
    document = {"_id": name, "name": name, "dist-tags": {"latest": version}, "versions": {version: {**manifest, "dist": dist}},
                "_attachments": {f"{name}-{version}.tgz": {
                    "content_type": "application/octet-stream", "data": base64.b64encode(tgz).decode(), "length": len(tgz)}}}
    request = urllib.request.Request(endpoint + name, data=json.dumps(document).encode(), method="PUT",
                                     headers={"Content-Type": "application/json", "Authorization": "Bearer " + token})
    with urllib.request.urlopen(request) as response:
        assert response.status in (200, 201), response.status


for version in ["1.0.0", "1.1.0", "2.0.0", "1.2.0"]:
    npm_publish("mx1", "paged", version)
versions, pages_count = walk("list_package_versions", "versions", domain="more", repository="mx1", format="npm", package="paged")
assert [v["version"] for v in versions] == ["1.0.0", "1.1.0", "2.0.0", "1.2.0"] and pages_count == 4, versions
listed = client.list_package_versions(domain="more", repository="mx1", format="npm", package="paged", maxResults=1)
assert listed["defaultDisplayVersion"] == "1.2.0", listed  # the `latest` tag: the last publish moved it

for name in ["mx0", "mx1", "mx2", "mx3"]:
    client.delete_repository(domain="more", repository=name)
client.delete_domain(domain="more")
for name in ["top", "mid", "base"]:
    client.delete_repository(domain="boto", repository=name)
assert client.delete_domain(domain="boto")["domain"]["name"] == "boto"


# Signatures botocore makes, then spoils: each refused with AWS's error type.
credentials = client._request_signer._credentials


def send(method, path, body=b"", service="codeartifact", when=None, tamper=None):
    request = AWSRequest(method=method, url=ENDPOINT + path, data=body, headers={"Content-Type": "application/json"})
    if when is None:
        SigV4Auth(credentials, service, "eu-west-1").add_auth(request)
    else:
        class Clock(datetime.datetime):
            @classmethod
            def utcnow(cls):
                return when

            @classmethod
            def now(cls, tz=None):
                return when.replace(tzinfo=tz) if tz else when
        with mock.patch("botocore.auth.datetime.datetime", Clock):
            SigV4Auth(credentials, service, "eu-west-1").add_auth(request)
    headers = dict(request.headers.items())
    if tamper:
        body, headers = tamper(body, headers)
    sent = urllib.request.Request(ENDPOINT + path, data=body if method != "GET" else None, method=method, headers=headers)
    try:
        with urllib.request.urlopen(sent) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("x-amzn-ErrorType")


assert send("POST", "/v1/domains", b"{}")[0] == 200
stale = datetime.datetime.utcnow() - datetime.timedelta(minutes=20)
for label, outcome in [
    ("expired date", send("POST", "/v1/domains", b"{}", when=stale)),
    ("tampered payload", send("POST", "/v1/domains", b'{"maxResults": 1}', tamper=lambda b, h: (b'{"maxResults": 2}', h))),
    ("tampered header", send("POST", "/v1/domains", b"{}", tamper=lambda b, h: (b, {**h, "Content-Type": "text/plain"}))),
    ("wrong service", send("POST", "/v1/domains", b"{}", service="codebuild")),
]:
    assert outcome == (403, "InvalidSignatureException"), (label, outcome)
assert send("POST", "/v1/domains", b"{}", tamper=lambda b, h: (b, {k: v for k, v in h.items() if k != "Authorization"})) == (
    403, "MissingAuthenticationTokenException")
# Signed but bad input: a clear 4xx, nothing changed.
assert send("POST", "/v1/domains", b'{"maxResults": ') == (400, "ValidationException")
assert send("POST", "/v1/domains", b'{"maxResults": 0}') == (400, "ValidationException")
assert send("POST", "/v1/domains", b'{"pad": "' + b"x" * (1 << 20) + b'"}') == (413, "ValidationException")
assert send("POST", "/v1/domain?domain=Upper_Case") == (400, "ValidationException")
assert client.list_domains()["domains"] == []

assert {"CreateDomain", "ListDomains", "ListRepositories", "GetAuthorizationToken", "DeleteDomain", "ListTagsForResource", "TagResource",
        "UntagResource", "ListPackages", "ListPackageVersions", "ListRepositoriesInDomain"} <= set(checked), checked
print("boto3 checks passed:", len(checked), "responses conform to the model")
