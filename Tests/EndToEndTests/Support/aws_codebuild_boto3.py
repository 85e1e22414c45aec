"""boto3 against Depot's CodeBuild and CloudWatch Logs APIs (argv[1] is the server's URL; the key pair, of a token of
the domain `acme` whose repository `main` exists, comes from AWS_* variables).

Every response body is held against the botocore model's output shape before botocore parses it: no member the model
lacks, each value of the model's type and enum, and every member the model requires present. Listings are followed with
boto3's paginators; a signature for another service or over another body is refused. Prints "boto3 codebuild checks
passed" at the end."""
import json
import sys
import time
import urllib.error
import urllib.request

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import ClientError

SERVER = sys.argv[1]
codebuild = boto3.client("codebuild", endpoint_url=SERVER + "/api/aws/codebuild", region_name="eu-central-1")
logs = boto3.client("logs", endpoint_url=SERVER + "/api/aws/logs", region_name="eu-central-1")
validated = []


SCALARS = {"string": (str,), "integer": (int,), "long": (int,), "boolean": (bool,), "timestamp": (int, float)}


def validate(shape, value, where):
    """Raises when `value` is not what `shape` describes (members, types, enums, required members)."""
    kind = shape.type_name
    if kind in SCALARS:
        wanted = SCALARS[kind]
        assert isinstance(value, wanted) and (kind == "boolean" or not isinstance(value, bool)), f"{where}: not a {kind}: {value!r}"
        enum = getattr(shape, "enum", None)
        assert not enum or value in enum, f"{where}: {value!r} not in {enum}"
        return
    assert isinstance(value, list if kind == "list" else dict), f"{where}: not a {kind}: {value!r}"
    if kind == "structure":
        missing = [name for name in shape.required_members if name not in value]
        assert not missing, f"{where}: the model requires {missing} in {shape.name}"
        items, member_of = value.items(), shape.members.get
    elif kind == "map":
        items, member_of = value.items(), lambda key: shape.value
    else:
        items, member_of = enumerate(value), lambda key: shape.member
    for key, item in items:
        member = member_of(key)
        assert member is not None, f"{where}: {shape.name} has no member '{key}'"
        validate(member, item, f"{where}.{key}")


def on_response(http_response, model, **kwargs):
    if http_response.status_code < 300 and model.output_shape:
        body = http_response.content
        validate(model.output_shape, json.loads(body) if body else {}, model.name)
        validated.append(model.name)


codebuild.meta.events.register("after-call.codebuild", on_response)
logs.meta.events.register("after-call.cloudwatch-logs", on_response)


def expect_error(call, code):
    try:
        call()
    except ClientError as error:
        assert error.response["Error"]["Code"] == code, error.response
        return
    raise AssertionError(f"expected {code}")


IGNORED = dict(
    artifacts={"type": "NO_ARTIFACTS"},
    environment={"type": "LINUX_CONTAINER", "image": "aws/codebuild/standard:7.0", "computeType": "BUILD_GENERAL1_SMALL"},
    serviceRole="arn:aws:iam::000000000000:role/ignored",
    tags=[{"key": "depot:repository", "value": "main"}],
)
BUILDSPEC = "version: 0.2\nphases:\n  build:\n    commands:\n      - echo \"line one $WHO\"\n      - echo \"line two $WHO\"\n"

# More projects than one page of ListProjects holds (100), followed by the paginator.
for index in range(101):
    codebuild.create_project(name=f"p{index:03d}", source={"type": "NO_SOURCE", "buildspec": BUILDSPEC}, **IGNORED)
pages = list(codebuild.get_paginator("list_projects").paginate())
names = [name for page in pages for name in page["projects"]]
assert len(pages) == 2 and names == [f"p{index:03d}" for index in range(101)], (len(pages), names[:3])
projects = codebuild.batch_get_projects(names=["p000", "p100", "ghost"])
assert [p["name"] for p in projects["projects"]] == ["p000", "p100"] and projects["projectsNotFound"] == ["ghost"], projects
assert projects["projects"][0]["arn"] == "arn:aws:codebuild:eu-central-1:000000000000:project/p000", projects
updated = codebuild.update_project(
    name="p000", environment={**IGNORED["environment"], "environmentVariables": [{"name": "WHO", "value": "boto", "type": "PLAINTEXT"}]})
assert updated["project"]["environment"]["environmentVariables"][0]["name"] == "WHO", updated

# Builds: started, followed until they end, listed with paginators, stopped, retried.
first = codebuild.start_build(projectName="p000", environmentVariablesOverride=[{"name": "EXTRA", "value": "x", "type": "PLAINTEXT"}])["build"]
assert first["buildStatus"] == "IN_PROGRESS" and first["currentPhase"] in ("QUEUED", "DOWNLOAD_SOURCE", "PROVISIONING"), first


def finished(build_id):
    deadline = time.time() + 120
    while time.time() < deadline:
        build = codebuild.batch_get_builds(ids=[build_id])["builds"][0]
        if build["buildComplete"]:
            return build
        time.sleep(0.3)
    raise AssertionError(f"{build_id} did not end")


done = finished(first["id"])
assert done["buildStatus"] == "SUCCEEDED" and done["phases"][-1]["phaseType"] == "COMPLETED", done
retried = codebuild.retry_build(id=first["id"])["build"]
assert finished(retried["id"])["buildStatus"] == "SUCCEEDED"
slow = codebuild.start_build(projectName="p000", buildspecOverride="version: 0.2\nphases:\n  build:\n    commands:\n      - sleep 300\n")["build"]
deadline = time.time() + 60
while codebuild.batch_get_builds(ids=[slow["id"]])["builds"][0]["currentPhase"] != "BUILD" and time.time() < deadline:
    time.sleep(0.3)
codebuild.stop_build(id=slow["id"])
assert finished(slow["id"])["buildStatus"] == "STOPPED"
ids = [i for page in codebuild.get_paginator("list_builds_for_project").paginate(projectName="p000") for i in page["ids"]]
assert ids == [slow["id"], retried["id"], first["id"]], ids
assert set(ids) <= {i for page in codebuild.get_paginator("list_builds").paginate() for i in page["ids"]}
missing = codebuild.batch_get_builds(ids=[first["id"], "p000:00000000-0000-0000-0000-000000000000"])
assert len(missing["builds"]) == 1 and missing["buildsNotFound"] == ["p000:00000000-0000-0000-0000-000000000000"], missing

# The log: forward from the head a few events at a time until the token stays put; the same lines filtered.
group, stream = done["logs"]["groupName"], done["logs"]["streamName"]
messages, token = [], None
for _ in range(1000):
    page = logs.get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True, limit=3, **({"nextToken": token} if token else {}))
    messages += [event["message"] for event in page["events"]]
    if page["nextForwardToken"] == token:
        break
    token = page["nextForwardToken"]
assert "line one boto" in messages and "line two boto" in messages, messages
backward = logs.get_log_events(logGroupName=group, logStreamName=stream, nextToken=page["nextBackwardToken"], limit=2)
assert [event["message"] for event in backward["events"]] == messages[-2:], (backward, messages)
filtered = [
    event for page in logs.get_paginator("filter_log_events").paginate(
        logGroupName=group, filterPattern="?\"line one boto\" ?\"line two boto\"", PaginationConfig={"PageSize": 1})
    for event in page["events"]]
# Both builds of p000 that ran the project's buildspec (the first and its retry), newest first.
assert [event["message"] for event in filtered] == ["line one boto", "line two boto"] * 2, filtered
assert {event["logStreamName"] for event in filtered} == {stream, retried["id"].split(":", 1)[1]}, filtered

# CodeBuild's and Logs' error types.
expect_error(lambda: codebuild.create_project(name="p000", source={"type": "NO_SOURCE", "buildspec": BUILDSPEC}, **IGNORED),
             "ResourceAlreadyExistsException")
expect_error(lambda: codebuild.create_project(name="s3", source={"type": "S3", "location": "bucket/key"}, **IGNORED), "InvalidInputException")
expect_error(lambda: codebuild.create_project(name="bad.name", source={"type": "NO_SOURCE", "buildspec": BUILDSPEC}, **IGNORED),
             "InvalidInputException")
expect_error(lambda: codebuild.update_project(name="ghost"), "ResourceNotFoundException")
expect_error(lambda: codebuild.stop_build(id="p000:00000000-0000-0000-0000-000000000000"), "ResourceNotFoundException")
expect_error(lambda: codebuild.start_build(projectName="p000", buildspecOverride="x" * (300 * 1024)), "InvalidInputException")
expect_error(lambda: logs.get_log_events(logGroupName="/aws/codebuild/p000", logStreamName="nothing"), "ResourceNotFoundException")
expect_error(lambda: logs.get_log_events(logGroupName=group, logStreamName=stream, limit=20000), "InvalidParameterException")

# Signatures made for another service or over another body are refused.
credentials = codebuild._request_signer._credentials


def send(service, body, sent_body=None):
    request = AWSRequest(method="POST", url=SERVER + "/api/aws/codebuild", data=body, headers={
        "Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "CodeBuild_20161006.ListProjects"})
    SigV4Auth(credentials, service, "eu-central-1").add_auth(request)
    sent = urllib.request.Request(SERVER + "/api/aws/codebuild", data=sent_body or body, method="POST", headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(sent) as response:
            return response.status, None
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("x-amzn-ErrorType")


assert send("codebuild", b"{}") == (200, None)
assert send("logs", b"{}") == (403, "InvalidSignatureException")
assert send("codebuild", b"{}", sent_body=b'{"sortBy":"NAME"}') == (403, "InvalidSignatureException")

for index in range(101):
    codebuild.delete_project(name=f"p{index:03d}")
assert list(codebuild.get_paginator("list_projects").paginate())[0]["projects"] == []
expected = {"CreateProject", "BatchGetProjects", "ListProjects", "UpdateProject", "StartBuild", "BatchGetBuilds", "RetryBuild",
            "StopBuild", "ListBuildsForProject", "ListBuilds", "DeleteProject", "GetLogEvents", "FilterLogEvents"}
assert expected <= set(validated), expected - set(validated)
print("boto3 codebuild checks passed:", len(validated), "responses conform to the model")
