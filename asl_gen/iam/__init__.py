"""Least-privilege IAM derived from what the rendered definitions actually call, never from a hand-kept list.

`tasks` walks every state that calls a service and turns the integration table's grants into needs;
`statements` merges needs into statements with stable Sids; `stepfunctions_role` and `sagemaker_role` build each
role's policy, `trust` their trust policies; `check` holds the size limit, `files` derives a policy for definition
files asl-gen did not write, and `explain` writes the policy notes.

Imports: errors, iam_catalogue, integrations, spec, plan, render, lint
"""

from __future__ import annotations

from asl_gen.iam.check import INLINE_POLICY_LIMIT, check_size
from asl_gen.iam.explain import explain
from asl_gen.iam.files import DerivedPolicy, derive_for_files
from asl_gen.iam.sagemaker_role import sagemaker_role_needs, sagemaker_role_statements
from asl_gen.iam.statements import Need, Statement, consolidate
from asl_gen.iam.stepfunctions_role import (
    MachineAccess,
    machine_access,
    state_machine_needs,
    state_machine_statements,
)
from asl_gen.iam.tasks import iter_tasks
from asl_gen.iam.trust import sagemaker_trust_policy_context, trust_policy_context

__all__ = [
    "INLINE_POLICY_LIMIT",
    "DerivedPolicy",
    "MachineAccess",
    "Need",
    "Statement",
    "check_size",
    "consolidate",
    "derive_for_files",
    "explain",
    "iter_tasks",
    "machine_access",
    "sagemaker_role_needs",
    "sagemaker_role_statements",
    "sagemaker_trust_policy_context",
    "state_machine_needs",
    "state_machine_statements",
    "trust_policy_context",
]
