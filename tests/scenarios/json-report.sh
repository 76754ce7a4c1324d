# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: --json prints one valid JSON document (and nothing else on stdout) with the
# findings, the steps and the outcome of a real repair.
DESCRIPTION="--json: one valid document describing a real repair"
ARGS="--yes --json"
EXPECT_RC=0

break_host() {
	g 'systemctl stop ssh'
}

check_after() {
	expect_login alice
	/usr/bin/python3 - "$OUTPUT_FILE" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert doc["schema_version"] == 1, doc["schema_version"]
assert [f["id"] for f in doc["faults"]] == ["sshd.inactive"], doc["faults"]
assert [s["command"] for s in doc["steps"]] == ["systemctl start ssh.service"], doc["steps"]
out = doc["outcome"]
assert out["exit_code"] == 0 and out["phase"] == "committed", out
assert any(v["ssh"] and v["banner"].startswith("SSH-2.0-") for v in out["verification"]), out
assert doc["facts"]["service"]["name"] == "ssh.service"
print("PASS: the JSON report is valid and describes the repair")
PY
}
