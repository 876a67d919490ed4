"""The validator's rules: a stable id per kind of finding, for `--format json` and SARIF (`runs[].tool.driver.rules`).

Ids never change meaning; a new kind of finding gets a new id. `validate` attaches one to every finding.
"""

from __future__ import annotations

__all__ = ["RULES", "WARNING_RULES"]

RULES: dict[str, str] = {
    # reading the file
    "unreadable-file": "A file that cannot be read, is not UTF-8 text, or is not valid JSON or YAML",
    # JSON Schema stage
    "unknown-field": "A field that the state type, query language or object does not allow",
    "missing-field": "A required field is missing",
    "wrong-type": "A value has the wrong JSON type",
    "invalid-value": "A value is outside what the field accepts (enum, range, pattern, length)",
    "exclusive-fields": "Fields that exclude each other are both set",
    "next-or-end": "A state needs exactly one of Next and End",
    "unknown-state-type": "Type is not one of the eight ASL state types",
    "query-language-field": "A field of the other query language (JSONPath vs JSONata)",
    "document-kind": "The document is neither a state machine nor an IAM policy",
    # graph and names
    "state-name-length": "A state name over 80 characters",
    "duplicate-state-name": "A state name used twice, nested scopes included",
    "unknown-next-state": "Next, Default, StartAt or a Catch target names no state of its scope",
    "transition-across-scope": "A transition into or out of a Parallel branch or Map processor",
    "no-terminal-state": "A scope without a state that can end it",
    "unreachable-state": "A state no transition reaches",
    "jsonpath-state-in-jsonata-machine": "A JSONPath state under a JSONata top level",
    # values
    "path-syntax": "An invalid JSONPath or Reference Path",
    "dynamic-value": "A '.$' value that is neither a path nor an intrinsic function",
    "duplicate-dynamic-field": "'key' and 'key.$' both set",
    "intrinsic-function": "An unknown intrinsic function, or wrong arguments to one",
    "jsonata-expression": "An invalid JSONata expression, or $states fields used where they do not exist",
    "choice-rule": "A Choice rule with no, several or misplaced operators",
    "heartbeat-timeout": "HeartbeatSeconds not below TimeoutSeconds",
    "states-all-alone": "States.ALL shares its ErrorEquals with other names",
    "states-all-last": "A retrier or catcher with States.ALL is not the last one",
    "custom-states-error": "A retrier or catcher on a 'States.' name that no Fail state raises and AWS does not define",
    # integrations and workflow type
    "task-resource": "A Resource that is not an ARN, or an integration pattern the service does not offer",
    "express-integration": "A .sync, .waitForTaskToken or activity Task where only request-response runs (Express)",
    "express-distributed-map": "A Distributed Map in an Express state machine",
    "express-duration": "A timeout or Wait longer than the 5 minutes an Express execution may run",
    "sagemaker-name": "A literal SageMaker name over its length limit or with characters SageMaker refuses",
    "sagemaker-name-from-execution-name": "A SageMaker name built from the execution name, which can be 80 characters",
    # advice (warnings)
    "choice-without-default": "A Choice state without Default fails the execution when no rule matches",
    "wait-without-timeout": "A callback or activity Task without TimeoutSeconds or HeartbeatSeconds",
    # variables
    "variable-name": "An Assign key that is not a plain variable name, is reserved or is too long",
    "variable-scope": "An inner scope assigns an outer variable, or a Distributed Map reads one",
    "undefined-variable": "A variable read that no state assigns",
    "variable-before-assignment": "A variable read where no earlier state of its scope can have assigned it",
    # limits and placeholders
    "definition-size": "A definition over Step Functions' 1 MB limit",
    "unknown-placeholder": "A ${Name} placeholder that is not among the substitutions given",
    # IAM policies
    "policy-duplicate-sid": "Two statements with the same Sid",
    "policy-missing-resource": "An identity-policy statement without Resource",
    "policy-wildcard-action": "An Action of '*' or 'service:*'",
    "policy-wildcard-resource": "Resource '*' for actions that support resource-level permissions",
    "policy-unknown-action": "An action (or an action pattern) that IAM's catalogue does not have",
    "policy-resource-type": "A Resource ARN that names none of the resource types the action takes",
    "policy-passrole-wildcard": "iam:PassRole on Resource '*'",
}

# Rules whose findings AWS accepts at creation but that fail or misbehave at run time: severity "warning".
WARNING_RULES: frozenset[str] = frozenset(
    {
        "undefined-variable",
        "variable-before-assignment",
        "sagemaker-name-from-execution-name",
        "choice-without-default",
        "wait-without-timeout",
        "custom-states-error",
        "express-duration",
        # AWS accepts these policies: they are security findings, not invalid documents.
        "policy-wildcard-resource",
        "policy-passrole-wildcard",
    }
)
