# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC are read by the runner
# Scenario: an unattended repair (--yes, no terminal) leaves a record: the JSON report at
# /var/log/sshrepair/last.json (mode 0600, valid against src/report.schema.json) and
# structured journal records (MESSAGE_ID per event kind, FAULT=, STEP=, TXN=).
DESCRIPTION="unattended run: last.json valid against the schema, journal records"
ARGS="--yes"
EXPECT_RC=0

break_host() {
	g 'systemctl disable --now ssh'
}

check_after() {
	expect_login alice
	expect_output "600 root" 'stat -c "%a %U" /var/log/sshrepair/last.json'
	expect_output "700" 'stat -c "%a" /var/log/sshrepair'
	local report schema
	report=$(mktemp)
	schema=$(dirname "$(realpath "${BASH_SOURCE[0]}")")/../../src/report.schema.json
	g 'cat /var/log/sshrepair/last.json' >"$report"
	# Debian's python3, which has python3-jsonschema
	/usr/bin/python3 - "$schema" "$report" <<'PY'
import json, sys, jsonschema
schema, doc = (json.load(open(p)) for p in sys.argv[1:3])
jsonschema.validate(doc, schema)
assert [f["id"] for f in doc["faults"]] == ["sshd.inactive", "sshd.disabled"], doc["faults"]
assert doc["outcome"]["phase"] == "committed", doc["outcome"]
print("PASS: last.json validates against src/report.schema.json")
PY
	rm -f "$report"
	# one record per finding, per step, and the outcome, each with its fields
	expect_output 2 'journalctl -o export MESSAGE_ID=f9a865935b394e40b8af7cd15af30e13 | grep -c "^FAULT=sshd\."'
	expect_output "STEP=1 STEP=2" 'journalctl -o export MESSAGE_ID=f944ccedcfe646e5a1cf913dd1d6e942 | grep "^STEP=" | sort | tr "\n" " " | sed "s/ $//"'
	expect_output 1 'journalctl -o export MESSAGE_ID=45794be799e84af0af61ad967cddf322 | grep -c "^TXN=2"'
}
