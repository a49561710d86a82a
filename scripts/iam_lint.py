"""IAM lint: every policy document a SAM template writes, under each way
the template can be deployed, must draw no finding from parliament, which
checks statements against the Service Authorization Reference (an action
scoped to a resource type it does not take matches nothing: "No resources
match for the given action").

Usage: python scripts/iam_lint.py [TEMPLATE]   (default template.yaml)
Prints each finding; exits 1 when there is one, 0 otherwise.
"""

import json
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
RUNNER = PROJECT / "local" / "flow-runner"

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
    print(f"iam-lint: {checked} policy documents, {found} findings", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
