"""The names of the states a spec's steps become, and the other names and slots the plan and the checks share."""

from __future__ import annotations

from asl_gen.spec.base import Name
from asl_gen.spec.call import CallJob
from asl_gen.spec.control import AslJob, MapJob, ParallelJob, QualityGateJob
from asl_gen.spec.endpoint import EndpointJob
from asl_gen.spec.jobs import Job, references_of
from asl_gen.spec.model import ModelJob, ModelPackageJob
from asl_gen.spec.project import Spec, StateMachine
from asl_gen.spec.tuning import TuningJob

STATE_NAME_MAX = 80
LOOKUP_PREFIX = "Look up "
# Caught errors are kept under $.Error.
ERROR_SLOT = "Error"
# State names the failure handler adds to a state machine with on_failure.
NOTIFY_STATE = "Notify failure"
FAILED_STATE = "Failed"

# The states an endpoint step adds, named '<state name>: <suffix>'. With if_exists: update, the step's own state
# is the lookup, and these create or update the endpoint:
ENDPOINT_DEPLOY_STATES = ("not found?", "lookup failed", "create", "update")
# With wait, the loop that polls until the endpoint is InService ('done' ends a machine that ends in the loop):
ENDPOINT_WAIT_STATES = ("wait", "count", "status", "in service?", "failed", "rolled back", "timed out", "done")


# The states a quality gate adds: the check that the job reported metrics at all, the Map that finds the metric,
# the Choice on its value, the Fail when it misses the threshold and the Fail without it.
GATE_STATES = ("any metrics?", "find metric", "is it?", "keep", "skip", "passes?", "failed", "no metric")
# A gate on a tuning job compares the best objective value its result holds: its own state is the Choice.
TUNING_GATE_STATES = ("failed",)
# The state a tuning step adds: the describeTrainingJob of its best training job (for the model artifacts).
TUNING_STATES = ("best job",)
# A gate on a JSON report: the Choice that checks the report holds a number there, the Pass that keeps only it,
# the Choice on its value and the same two Fails.
REPORT_GATE_STATES = ("has value?", "keep", "passes?", "failed", "no metric")
# With `retry: sagemaker`, each SageMaker call adds, named '<its state name>: <suffix>': the Choice on the cause of
# a service error, the Wait before calling again, the call again, and the hand-over of a refused request.
TRANSIENT_STATES = ("transient?", "back off", "again", "refused")
# The Succeed state a step whose Choice goes on to the next step adds when it is the machine's last.
GATE_DONE_STATE = "done"
# A Map over a written-out list first puts the list into the state (JSONPath reads items from the state).
MAP_ITEMS_STATE = "items"


def state_name_of(key: str, job: Job) -> str:
    """The name of the step's first state: its state_name, else the job key (a raw fragment: its first state)."""
    if isinstance(job, AslJob):
        return next(iter(job.states))
    return job.state_name or key


def default_name(project: str, key: str) -> Name:
    # Not validated here: a prefix too long for SageMaker is reported where the job is (`_check_name`), not raised.
    return Name.model_construct(prefix=f"{project}-{key}")


def derived_state_name(own: str, suffix: str) -> str:
    """The name of a state a step adds besides its own."""
    return f"{own}: {suffix}"


def retries_transient(job: Job, machine: StateMachine) -> bool:
    """Whether the step's SageMaker calls get the transient loop: its retry, else the machine's, is the preset."""
    return (getattr(job, "retry", None) or machine.retry) == "sagemaker"


def _sagemaker_calls(own: str, job: Job) -> tuple[str, ...]:
    """The states of a step that call SageMaker with the step's retry policy (the plan's `retries_transient`)."""
    if isinstance(job, EndpointJob) and job.if_exists == "update":
        # The lookup keeps its own rules: its "not found" is the same error as throttling.
        return (derived_state_name(own, "create"), derived_state_name(own, "update"))
    if isinstance(job, TuningJob):
        return (own, derived_state_name(own, TUNING_STATES[0]))
    if isinstance(job, QualityGateJob):
        return (own,) if job.training is not None else ()
    if isinstance(job, CallJob):
        return (own,) if "sagemaker" in job.resource.split(":")[:-1] else ()
    return () if isinstance(job, AslJob | MapJob | ParallelJob) else (own,)


def transient_state_names(name: str) -> tuple[str, ...]:
    return tuple(derived_state_name(name, s) for s in TRANSIENT_STATES)


def step_state_names(key: str, job: Job, retrying: bool = False) -> tuple[str, ...]:
    """Every state name a step may add to a state machine, its own first (looked-up training jobs aside);
    `retrying`: the step's retry policy is the `sagemaker` preset (`retries_transient`)."""
    own = state_name_of(key, job)
    loops = [n for call in _sagemaker_calls(own, job) for n in transient_state_names(call)] if retrying else []
    suffixes: list[str] = []
    if isinstance(job, EndpointJob):
        if job.if_exists == "update":
            suffixes.extend(ENDPOINT_DEPLOY_STATES)
        if job.wait_settings is not None:
            suffixes.extend(s for s in ENDPOINT_WAIT_STATES if s != "rolled back" or job.if_exists == "update")
    if isinstance(job, QualityGateJob):
        suffixes.extend(
            REPORT_GATE_STATES
            if job.report is not None
            else TUNING_GATE_STATES
            if job.tuning is not None
            else GATE_STATES
        )
        # A gate that ends its machine passes to a Succeed state (plan/link.py): a Choice rule cannot end it.
        suffixes.append(GATE_DONE_STATE)
    if isinstance(job, TuningJob):
        suffixes.extend(TUNING_STATES)
    if isinstance(job, MapJob) and isinstance(job.items, list):
        suffixes.append(MAP_ITEMS_STATE)
    if isinstance(job, AslJob):
        return tuple(job.states)
    return (own, *(derived_state_name(own, s) for s in suffixes), *loops)


def machine_state_names(
    spec: Spec, machine: StateMachine, steps: list[str], done: set[str] | None = None, depth: int = 0
) -> list[str]:
    """Every state name the steps give one state machine, looked-up training jobs and nested steps included.

    `done` holds the jobs whose results the steps can read (a branch sees what ran before its Parallel; a Map
    body only its own steps), as the plan decides when to look a training job up.
    """
    names: list[str] = []
    done = set() if done is None else done
    for step in steps:
        job = spec.jobs.get(step)
        if job is None:
            continue
        for ref in references_of(job):
            target = spec.jobs.get(ref)
            lookup = target is not None and not isinstance(target, TuningJob)
            if isinstance(job, ModelJob | ModelPackageJob) and lookup and target is not None and ref not in done:
                names.append(lookup_state_name(ref, target))
                if retries_transient(job, machine):
                    names.extend(transient_state_names(lookup_state_name(ref, target)))
                done.add(ref)
        names.extend(step_state_names(step, job, retries_transient(job, machine)))
        if depth < 10 and isinstance(job, ParallelJob):
            finished: set[str] = set()
            for branch in job.branches:
                seen = set(done)
                names.extend(machine_state_names(spec, machine, list(branch), seen, depth + 1))
                finished |= seen
            done |= finished
        elif depth < 10 and isinstance(job, MapJob):
            names.extend(machine_state_names(spec, machine, list(job.steps), set(), depth + 1))
        done.add(step)
    return names


def lookup_state_name(key: str, job: Job) -> str:
    """The state that fetches a training job's artifacts when another state machine ran the job."""
    return LOOKUP_PREFIX + state_name_of(key, job)


def result_slot(key: str) -> str:
    """Where a step's result lands in the state: `$.<slot>`; keys never contain '_', so this is one-to-one."""
    return key.replace("-", "_")
