"""asl-gen: Amazon States Language and least-privilege IAM from a short YAML spec.

The units, in the order data flows through them (each imports only units above it):

    errors         the one error root (`AslGenError`) and its located `Problem`s
    resources      finds `templates/` and `schemas/`, in a checkout and in a wheel
    loader         YAML/JSON into data, with the line and column of every value
    catalog        offline AWS facts: regions, partitions, instance types, algorithm images
    catalog_processing  offline facts of processing jobs: their instance types and framework images (a data file)
    iam_catalogue  IAM's actions, resource types, ARN formats and SDK prefixes (a data file, read on first use)
    config         project settings from pyproject.toml or asl-gen.yaml
    placeholders   the `${...}` placeholders for what a spec leaves open
    integrations   the table of service integrations: resources, patterns, IAM grants
    jsonata        the JSONata form of a planned JSONPath state
    spec           the Pydantic models of the spec, their error rewriting and reference checks
    plan           a spec turned into the documents to render
    render         the one Jinja2 environment; rendered text parsed at once
    lint           the ASL and IAM policy validator: schema pass, rules, reporters
    iam            least-privilege policies derived from the rendered definitions
    targets        Terraform and CloudFormation around the generated files
    write          atomic, owned writes into out/ and the comparison for `check`
    graph          Mermaid, DOT and data drawings of any definition
    simulate       runs a definition offline on mocked tasks and a virtual clock
    build          the pipeline end to end: the public API (`generate`, `build`, `check`)
    pytest_plugin  the `simulate` fixture
    cli            the `asl-gen` command line (click)

Imports: nothing from asl_gen
"""

from __future__ import annotations

__version__ = "0.1.0"
