"""IAM lint: every policy document a SAM template writes, under each way
the template can be deployed, must draw no finding from parliament, which
checks statements against the Service Authorization Reference (an action
scoped to a resource type it does not take matches nothing: "No resources
match for the given action"), nor from S3's rule for keys that may not
exist: a role allowed s3:GetObject on a bucket's keys but not s3:ListBucket
on the bucket gets 403 AccessDenied, not 404, for a missing key (GetObject,
"Permissions", Amazon S3 API Reference), so it cannot tell "not yet
written" from "refused". The local S3 server enforces the same rule.

Usage: python scripts/iam_lint.py [TEMPLATE]   (default template.yaml)
Prints each finding; exits 1 when there is one, 0 otherwise.
"""

import fnmatch
import json
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
RUNNER = PROJECT / "local" / "stepfunctions-runner"

# Placeholder values for the parameters that have no default.
REQUIRED = ["DomainId=dzd_example", "DataSourceIds=ds_example", "ProjectIds=prj_example"]

# Every combination of the conditions that change a policy document.
SHAPES = {
    "defaults": [],
    "existing topic and bucket": [
        "NotificationTopicArn=arn:aws:sns:us-east-1:123456789012:existing-topic",
        "ReportBucketName=existing-reports",
    ],
    "no schedule": ["ScheduleTarget=None"],
}


def policy_documents(template: str, parameters: list[str]) -> list[dict]:
    command = ["node", "--require", str(RUNNER / "polyfill.cjs"), str(RUNNER / "template-local.mjs"),
               "policies", "--template", template]
    for parameter in REQUIRED + parameters:
        command += ["--parameter", parameter]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=PROJECT)
    return json.loads(output.stdout)


def findings(document: dict) -> list[str]:
    parliament = Path(sys.executable).parent / "parliament"
    output = subprocess.run([str(parliament), "--json", "--string", json.dumps(document)],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if output.returncode not in (0, 1):
        raise SystemExit(f"parliament failed: {output.stderr}")
    return [line for line in output.stdout.splitlines() if line.strip()]


def as_list(value) -> list:
    return value if isinstance(value, list) else [value]


def allows(document: dict, action: str, resource: str) -> bool:
    """Whether an Allow statement of `document` names `action` on `resource` (wildcards as IAM's)."""
    return any(
        statement.get("Effect") == "Allow"
        and any(fnmatch.fnmatchcase(action.lower(), pattern.lower()) for pattern in as_list(statement.get("Action", [])))
        and any(fnmatch.fnmatchcase(resource, pattern) for pattern in as_list(statement.get("Resource", [])))
        for statement in as_list(document.get("Statement", []))
    )


def missing_key_findings(entry: dict) -> list[str]:
    """A role that reads a bucket's keys without s3:ListBucket on the bucket."""
    if entry["kind"] != "identity":
        return []
    found = []
    for statement in as_list(entry["document"].get("Statement", [])):
        if statement.get("Effect") != "Allow":
            continue
        reads = [a for a in as_list(statement.get("Action", [])) if fnmatch.fnmatchcase("s3:getobject", a.lower())]
        for resource in as_list(statement.get("Resource", [])) if reads else []:
            bucket = resource.split("/", 1)[0]
            if bucket.startswith("arn:") and "/" in resource and not allows(entry["document"], "s3:ListBucket", bucket):
                found.append(f"reads {resource} without s3:ListBucket on {bucket}: a missing key answers 403, not 404")
    return found


def main() -> int:
    template = sys.argv[1] if len(sys.argv) > 1 else "template.yaml"
    found = 0
    checked = 0
    for shape, parameters in SHAPES.items():
        for entry in policy_documents(template, parameters):
            checked += 1
            for finding in findings(entry["document"]):
                found += 1
                detail = json.loads(finding)
                print(f"{template} ({shape}): {entry['resource']}: {detail.get('severity')} "
                      f"{detail.get('title')}: {json.dumps(detail.get('detail'))}")
            for finding in missing_key_findings(entry):
                found += 1
                print(f"{template} ({shape}): {entry['resource']}: {finding}")
    print(f"iam-lint: {checked} policy documents, {found} findings", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
