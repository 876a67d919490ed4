"""Which jobs the state machines run, and the warnings about the jobs none of them uses.

A job runs when a state machine lists it among its steps, directly or inside a Parallel branch or a Map body.
A job that runs nowhere may still be a lookup source: a running step reads it (a model made from a training job
another project or an earlier run trained, an endpoint on a config created elsewhere). Only running jobs get
grants; a job that is neither run nor read is a warning, since the user most likely forgot to list it.
"""

from __future__ import annotations

from asl_gen.errors import Problem
from asl_gen.loader import Located
from asl_gen.spec.jobs import references_of
from asl_gen.spec.project import Spec, scopes

UNRUN_MESSAGE = "no state machine runs this job; it gets no grants"
UNRUN_HINT = "add it to a state machine's steps, or remove it"


def running_jobs(spec: Spec) -> list[str]:
    """The keys of the jobs some state machine runs (nested steps included), in the order of `spec.jobs`."""
    running = {
        key for machine in spec.state_machines.values() for scope in scopes(spec, list(machine.steps)) for key in scope
    }
    return [key for key in spec.jobs if key in running]


def used_jobs(spec: Spec) -> set[str]:
    """The running jobs and every job they read, directly or through another read job (lookup sources)."""
    used = set(running_jobs(spec))
    pending = list(used)
    while pending:
        job = spec.jobs.get(pending.pop())
        for ref in references_of(job) if job is not None else []:
            if ref in spec.jobs and ref not in used:
                used.add(ref)
                pending.append(ref)
    return used


def spec_warnings(spec: Spec, located: Located) -> list[Problem]:
    """A warning at each job that no state machine runs and no running step reads."""
    used = used_jobs(spec)
    warnings: list[Problem] = []
    for key in spec.jobs:
        if key in used:
            continue
        path = ("jobs", key)
        line, column = located.position(path, key=True) or (None, None)
        warnings.append(Problem(UNRUN_MESSAGE, located.file, line, column, ".".join(path), UNRUN_HINT))
    return warnings
