#!/usr/bin/env bash
# The project's test command (`npm test`): test dependencies, build, every vitest project, then one
# summary line "N passed, N failed[, N skipped]" as the last line. Extra arguments go to vitest, e.g.
#   npm test -- --project unit        npm test -- test/infra
# SKIP_TEST_DEPS=1 skips scripts/install-test-deps.sh (e.g. MQTT_URL / DATABASE_URL point at real infra).
set -uo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC

status=0
if [[ "${SKIP_TEST_DEPS:-0}" != 1 ]]; then
  bash scripts/install-test-deps.sh || { echo "scripts/install-test-deps.sh failed" >&2; status=1; }
fi

build_ok=1
npm run build --silent || { build_ok=0; status=1; echo "npm run build failed (tests still run from sources)" >&2; }

results=.tmp/vitest-results.json
mkdir -p .tmp
rm -f "$results"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
vitest_status=$?
[[ $vitest_status -eq 0 ]] || status=1

# Counts tests from the JSON report. An error outside any test (global setup, a file that fails to load,
# an unhandled rejection) fails vitest without failing a test: it is counted as one failure so the line
# never reads "0 failed" on a red run.
summary="$(node - "$results" "$vitest_status" <<'JS'
const fs = require('node:fs');
const [file, vitestStatus] = process.argv.slice(2);
let r = { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0, numTodoTests: 0, testResults: [] };
try { r = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { console.error(`no vitest JSON report at ${file}`); }
// A file that fails outside its tests (a failing beforeAll, an import error) fails none of them: count it once.
const brokenFiles = (r.testResults ?? []).filter(
  (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
);
for (const f of brokenFiles) console.error(`failed outside its tests: ${f.name}`);
let failed = r.numFailedTests + brokenFiles.length;
if (Number(vitestStatus) !== 0 && failed === 0) {
  failed = 1;
  console.error('vitest failed outside of tests (see errors above)');
}
const skipped = r.numPendingTests + r.numTodoTests;
console.log(`${r.numPassedTests} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
JS
)"
[[ $build_ok -eq 1 ]] || echo "(build failed: see npm run build output above)"
echo "$summary"
exit $status
