"""boto3 against Depot's CodeArtifact API (argv[1] is the endpoint URL; the key pair comes from AWS_* variables).

Every response body is checked against the botocore model's output shape (no member the model lacks, each value of
the model's type) before botocore parses it; listings are followed with boto3's paginators; signatures botocore
makes and then spoils are refused with the right AWS error type. Prints "boto3 checks passed" at the end."""
import datetime
import json
import sys
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
    (lambda: client.create_repository(domain="boto", repository="tagged", tags=[{"key": "k", "value": "v"}]), "ValidationException"),
    (lambda: client.describe_package(domain="boto", repository="top", format="npm", package="nothing"), "ResourceNotFoundException"),
]:
    try:
        call()
        raise AssertionError(f"expected {expected}")
    except ClientError as error:
        assert error.response["Error"]["Code"] == expected, error.response

# Presigned URLs (the query form of SigV4): good while they last, refused after or when changed.
url = client.generate_presigned_url("describe_domain", Params={"domain": "boto"}, ExpiresIn=60)
with urllib.request.urlopen(url) as response:
    assert json.loads(response.read())["domain"]["name"] == "boto"
for spoiled in [url.replace("domain=boto", "domain=other"), url.replace("X-Amz-Expires=60", "X-Amz-Expires=600")]:
    try:
        urllib.request.urlopen(spoiled)
        raise AssertionError("a spoiled presigned URL was accepted")
    except urllib.error.HTTPError as error:
        assert (error.code, error.headers.get("x-amzn-ErrorType")) == (403, "InvalidSignatureException"), error

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

assert {"CreateDomain", "ListDomains", "ListRepositories", "GetAuthorizationToken", "DeleteDomain"} <= set(checked), checked
print("boto3 checks passed:", len(checked), "responses conform to the model")
