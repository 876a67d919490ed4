// The IAM oracle: @cloud-copilot/iam-simulate (not written here) judges requests against one identity policy.
//
// stdin: a JSON list of batches, each {"policy": <policy document>, "principal": <role ARN>,
//        "requests": [{"action", "resource", "account", "context": {key: value}}]}
// stdout: a JSON list with one list per batch and one verdict per request:
//        {"result": "Allowed" | "ImplicitlyDenied" | "ExplicitlyDenied" | "Error",
//         "identity": the identity policies' own result, "ignored": context keys the simulator ignored,
//         "errors": the simulator's validation message, if any}
// One process judges a whole run, so the Python test starts node once.
import { runSimulation } from '@cloud-copilot/iam-simulate'

async function readStdin() {
  const chunks = []
  for await (const chunk of process.stdin) chunks.push(chunk)
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

async function judge(batch, request) {
  const simulation = {
    request: {
      principal: batch.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.account },
      contextVariables: request.context ?? {}
    },
    identityPolicies: [{ name: 'generated', policy: batch.policy }],
    serviceControlPolicies: [],
    resourceControlPolicies: []
  }
  const response = await runSimulation(simulation, {})
  if (response.resultType === 'error') {
    return { result: 'Error', errors: response.errors.message + ' ' + JSON.stringify(response.errors) }
  }
  if (response.resultType === 'wildcard') {
    // Resource "*" (an action that takes no resource): one result per matching resource pattern, none when
    // nothing matched; no resource policy takes part, so the overall result is the identity policy's.
    return {
      result: response.overallResult,
      identity: response.overallResult,
      ignored: response.results.flatMap((r) => r.ignoredContextKeys ?? [])
    }
  }
  return {
    result: response.overallResult,
    identity: response.result.analysis?.identityAnalysis?.result ?? null,
    ignored: response.result.ignoredContextKeys ?? []
  }
}

const batches = await readStdin()
const verdicts = []
for (const batch of batches) {
  const results = []
  for (const request of batch.requests) results.push(await judge(batch, request))
  verdicts.push(results)
}
process.stdout.write(JSON.stringify(verdicts))
