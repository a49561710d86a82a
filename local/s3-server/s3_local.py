"""s3-local: moto's S3-compatible server behind S3's own authorization.

moto's server stores buckets and objects as S3 does, but answers anyone.
In front of it, every request goes through the checks S3 makes of an
identity in the bucket's own account, in this order:

1. Who. The access key of the SigV4 credential scope (the Authorization
   header, or X-Amz-Credential of a presigned URL) must be one of the
   principals given with --principals, else 403 InvalidAccessKeyId. A
   request without a signature is anonymous, and nothing here allows
   anonymous access (no bucket policy is read), so it is 403 AccessDenied.
2. Bucket owner. A request naming x-amz-expected-bucket-owner (the SDKs'
   ExpectedBucketOwner) with an account other than the one that owns the
   bucket is 403 AccessDenied ("Verifying bucket ownership with bucket
   owner condition", Amazon S3 User Guide).
3. IAM. The principal's identity-based policy is evaluated as IAM does
   ("Policy evaluation logic", IAM User Guide): an explicit Deny wins, then
   any Allow, else an implicit deny. Action/NotAction and
   Resource/NotResource take the * and ? wildcards. The action and resource
   are those the Service Authorization Reference for Amazon S3 gives the
   request: s3:GetObject / s3:PutObject / s3:DeleteObject on
   arn:aws:s3:::BUCKET/KEY, s3:ListBucket (ListObjects, HeadBucket) and
   s3:CreateBucket on arn:aws:s3:::BUCKET, and so on (ACTIONS below).
   Conditions StringEquals, StringNotEquals, StringLike and StringNotLike
   on aws:RequestedRegion and aws:PrincipalArn are evaluated; a policy
   whose S3 statements use anything else is refused at start, never
   silently ignored.
4. A missing key. "If the object you request doesn't exist, the error that
   Amazon S3 returns depends on whether you also have the s3:ListBucket
   permission": 404 NoSuchKey with it, 403 AccessDenied without it
   (GetObject and HeadObject, "Permissions", Amazon S3 API Reference).
   moto answers 404 to anyone; this server turns that into 403 for a
   principal the policy does not allow s3:ListBucket on the bucket.

Requests are path-style (http://HOST:PORT/BUCKET/KEY), as the local chain's
clients send them (REPORT_S3_PATH_STYLE=true).

Usage: python s3_local.py --port N --principals FILE [--host H] [--account ID]
FILE is JSON: a list of {"accessKeyId", "arn", "policy"}, or an object
whose "principals" is that list (the emulator's seed). With --port 0 a free
port is picked; the first line printed is "listening on http://HOST:PORT".
"""

import argparse
import json
import re
import signal
import sys
import threading
from urllib.parse import parse_qsl, unquote

from werkzeug.serving import make_server

from moto.moto_server.werkzeug_app import create_backend_app

CONDITION_OPERATORS = {"StringEquals", "StringNotEquals", "StringLike", "StringNotLike"}
CONDITION_KEYS = {"aws:requestedregion", "aws:principalarn"}

# Bucket subresources (query parameters) and the action each request on them
# takes, by method ("Actions defined by Amazon S3", Service Authorization
# Reference). A request on a bucket without one is CreateBucket (PUT),
# ListObjects or HeadBucket (GET, HEAD: s3:ListBucket) or DeleteBucket.
BUCKET_ACTIONS = {
    ("GET", None): "s3:ListBucket",
    ("HEAD", None): "s3:ListBucket",
    ("PUT", None): "s3:CreateBucket",
    ("DELETE", None): "s3:DeleteBucket",
    ("POST", "delete"): "s3:DeleteObject",
    ("GET", "versions"): "s3:ListBucketVersions",
    ("GET", "uploads"): "s3:ListBucketMultipartUploads",
    ("GET", "location"): "s3:GetBucketLocation",
    ("GET", "versioning"): "s3:GetBucketVersioning",
    ("PUT", "versioning"): "s3:PutBucketVersioning",
    ("GET", "policy"): "s3:GetBucketPolicy",
    ("PUT", "policy"): "s3:PutBucketPolicy",
    ("DELETE", "policy"): "s3:DeleteBucketPolicy",
    ("GET", "encryption"): "s3:GetEncryptionConfiguration",
    ("PUT", "encryption"): "s3:PutEncryptionConfiguration",
    ("GET", "lifecycle"): "s3:GetLifecycleConfiguration",
    ("PUT", "lifecycle"): "s3:PutLifecycleConfiguration",
    ("GET", "tagging"): "s3:GetBucketTagging",
    ("PUT", "tagging"): "s3:PutBucketTagging",
}
OBJECT_ACTIONS = {
    ("GET", None): "s3:GetObject",
    ("HEAD", None): "s3:GetObject",
    ("PUT", None): "s3:PutObject",
    ("DELETE", None): "s3:DeleteObject",
    ("POST", "uploads"): "s3:PutObject",
    ("POST", "uploadId"): "s3:PutObject",
    ("PUT", "uploadId"): "s3:PutObject",
    ("GET", "uploadId"): "s3:ListMultipartUploadParts",
    ("DELETE", "uploadId"): "s3:AbortMultipartUpload",
    ("GET", "tagging"): "s3:GetObjectTagging",
    ("PUT", "tagging"): "s3:PutObjectTagging",
    ("GET", "acl"): "s3:GetObjectAcl",
    ("PUT", "acl"): "s3:PutObjectAcl",
    ("GET", "attributes"): "s3:GetObjectAttributes",
}


class PolicyError(ValueError):
    """A policy this server would not evaluate faithfully."""


def wildcard(pattern: str, value: str, case_sensitive: bool = True) -> bool:
    """IAM's * (any characters) and ? (one character)."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, 0 if case_sensitive else re.IGNORECASE) is not None


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def concerns_s3(statement: dict) -> bool:
    """Whether a statement may apply to some S3 action."""
    if "NotAction" in statement:
        return True
    return any(wildcard(pattern.split(":")[0], "s3", False) for pattern in as_list(statement.get("Action")))


def check_policy(policy: dict, owner: str) -> None:
    for statement in as_list(policy.get("Statement", [])):
        if not concerns_s3(statement):
            continue
        for operator, keys in statement.get("Condition", {}).items():
            if operator not in CONDITION_OPERATORS:
                raise PolicyError(f"{owner}: condition operator {operator} is not evaluated here")
            for key in keys:
                if key.lower() not in CONDITION_KEYS:
                    raise PolicyError(f"{owner}: condition key {key} is not evaluated here")


def condition_holds(statement: dict, context: dict) -> bool:
    for operator, keys in statement.get("Condition", {}).items():
        for key, expected in keys.items():
            actual = context.get(key.lower())
            like = operator.startswith("StringLike") or operator.startswith("StringNotLike")
            matched = actual is not None and any(
                wildcard(pattern, actual) if like else pattern == actual for pattern in as_list(expected)
            )
            if "Not" in operator:
                matched = actual is None or not matched
            if not matched:
                return False
    return True


def statement_applies(statement: dict, action: str, resource: str, context: dict) -> bool:
    if "NotAction" in statement:
        action_matches = not any(wildcard(p, action, False) for p in as_list(statement["NotAction"]))
    else:
        action_matches = any(wildcard(p, action, False) for p in as_list(statement.get("Action", [])))
    if "NotResource" in statement:
        resource_matches = not any(wildcard(p, resource) for p in as_list(statement["NotResource"]))
    else:
        resource_matches = any(wildcard(p, resource) for p in as_list(statement.get("Resource", [])))
    return action_matches and resource_matches and condition_holds(statement, context)


def evaluate(policy: dict, action: str, resource: str, context: dict) -> str:
    """"deny" (explicit), "allow", or "implicit"."""
    allowed = False
    for statement in as_list(policy.get("Statement", [])):
        if statement_applies(statement, action, resource, context):
            if statement.get("Effect") == "Deny":
                return "deny"
            allowed = True
    return "allow" if allowed else "implicit"


def error_body(code: str, message: str, resource: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        f"<Resource>{resource}</Resource><RequestId>s3-local</RequestId></Error>"
    ).encode()


def credential(environ: dict):
    """(access key, region) of the request's SigV4 credential scope, or None."""
    header = environ.get("HTTP_AUTHORIZATION", "")
    match = re.search(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/", header)
    if not match:
        query = dict(parse_qsl(environ.get("QUERY_STRING", "")))
        scope = query.get("X-Amz-Credential", "")
        match = re.match(r"([^/]+)/\d{8}/([^/]+)/", scope)
    return (match.group(1), match.group(2)) if match else None


def request_action(method: str, path: str, query: dict):
    """(action, resource, bucket, key) of a path-style request."""
    bucket, _, key = unquote(path).lstrip("/").partition("/")
    table = OBJECT_ACTIONS if key else BUCKET_ACTIONS
    subresource = next((name for (verb, name) in table if verb == method and name and name in query), None)
    action = table.get((method, subresource)) or f"s3:{method}-{'object' if key else 'bucket'}-{','.join(sorted(query)) or 'plain'}"
    resource = f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"
    return action, resource, bucket, key


class Authorizer:
    def __init__(self, app, principals: list, account: str):
        self.app = app
        self.account = account
        self.requests = {}
        self.lock = threading.Lock()
        self.principals = {}
        for principal in principals:
            check_policy(principal["policy"], principal["arn"])
            self.principals[principal["accessKeyId"]] = principal

    def refuse(self, start_response, status: str, code: str, message: str, resource: str, head: bool):
        body = b"" if head else error_body(code, message, resource)
        start_response(status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body)))])
        return [body]

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO") == REQUESTS_PATH:
            # Not a bucket (no bucket name starts with "_"): the requests
            # authorized so far, by action, for the benchmarks' cost.
            body = json.dumps(self.requests).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        method = environ["REQUEST_METHOD"]
        head = method == "HEAD"
        query = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        action, resource, bucket, key = request_action(method, environ.get("PATH_INFO", "/"), query)
        scope = credential(environ)
        if scope is None:
            return self.refuse(start_response, "403 Forbidden", "AccessDenied",
                               "Anonymous users cannot perform this operation here: no bucket policy allows it",
                               resource, head)
        principal = self.principals.get(scope[0])
        if principal is None:
            return self.refuse(start_response, "403 Forbidden", "InvalidAccessKeyId",
                               "The AWS Access Key Id you provided does not exist in our records.", resource, head)
        expected_owner = environ.get("HTTP_X_AMZ_EXPECTED_BUCKET_OWNER")
        if expected_owner is not None and expected_owner != self.account:
            return self.refuse(start_response, "403 Forbidden", "AccessDenied",
                               f"Access Denied: bucket {bucket} is not owned by account {expected_owner}",
                               resource, head)
        context = {"aws:requestedregion": scope[1], "aws:principalarn": principal["arn"]}
        decision = evaluate(principal["policy"], action, resource, context)
        if decision != "allow":
            why = ("with an explicit deny in an identity-based policy" if decision == "deny"
                   else f"because no identity-based policy allows the {action} action")
            return self.refuse(start_response, "403 Forbidden", "AccessDenied",
                               f"User: {principal['arn']} is not authorized to perform: {action} on resource: "
                               f'"{resource}" {why}', resource, head)
        with self.lock:
            self.requests[action] = self.requests.get(action, 0) + 1
        if action != "s3:GetObject":
            return self.app(environ, start_response)
        may_list = evaluate(principal["policy"], "s3:ListBucket", f"arn:aws:s3:::{bucket}", context) == "allow"
        if may_list:
            return self.app(environ, start_response)
        answered = {}

        def remember(status, headers, exc_info=None):
            answered["status"], answered["headers"] = status, headers
            return lambda data: None

        body = b"".join(self.app(environ, remember))
        if answered["status"].startswith("404") and (head or b"<Code>NoSuchKey</Code>" in body):
            return self.refuse(start_response, "403 Forbidden", "AccessDenied",
                               f"User: {principal['arn']} is not authorized to perform: s3:ListBucket on resource: "
                               f'"arn:aws:s3:::{bucket}" because no identity-based policy allows the s3:ListBucket '
                               "action, so a missing key is not revealed", resource, head)
        start_response(answered["status"], answered["headers"])
        return [body]


# GET: the requests authorized so far, by action (JSON).
REQUESTS_PATH = "/_s3-local/requests"


def load_principals(path: str) -> list:
    with open(path, encoding="utf-8") as file:
        data = json.load(file)
    return data["principals"] if isinstance(data, dict) else data


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--principals", required=True, help="JSON: the principals and their policies")
    parser.add_argument("--account", default="123456789012", help="the account that owns every bucket")
    args = parser.parse_args()
    try:
        authorizer = Authorizer(create_backend_app("s3"),
                                load_principals(args.principals), args.account)
    except (OSError, KeyError, ValueError) as error:
        print(f"s3-local: {error}", file=sys.stderr)
        return 2
    server = make_server(args.host, args.port, authorizer, threaded=True)
    print(f"listening on http://{args.host}:{server.server_port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
