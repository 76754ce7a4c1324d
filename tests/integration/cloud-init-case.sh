# shellcheck shell=bash
# The body of tests/scenarios/cloud-init-*.sh (sourced by them; not a scenario itself).
# The scenario sets USER_DATA_FIRST_LINE: the README's "Locked out?" user-data example
# that starts with that line is the user-data, verbatim (readme-example.sh).
#
# break_host: a boot-persistent fault -- ssh.service disabled and stopped, and
# /etc/nftables.conf (nftables.service enabled) dropping port 22. check_before: no login,
# and a reboot without user data stays broken (cloud-init, finding no datasource, stays
# disabled). check_after: the NoCloud seed (meta-data with a fresh instance-id, the user
# data) in /var/lib/cloud/seed/nocloud, reboot: cloud-init runs sshrepair at boot.
CI_HERE=$(dirname "$(realpath "${BASH_SOURCE[0]}")")
CI_README=$CI_HERE/../../README.md
CI_SCHEMA=$CI_HERE/../../src/report.schema.json

break_host() {
	g 'cat >/etc/nftables.conf <<EOF
#!/usr/sbin/nft -f

flush ruleset

table inet filter {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 22 drop
	}
}
EOF'
	g 'systemctl enable --now nftables.service && systemctl disable --now ssh'
}

check_before() {
	expect_no_login alice
	reboot_guest
	expect_no_login alice
	expect_output inactive 'systemctl is-active ssh.service'
	# no datasource: ds-identify left cloud-init disabled at this boot
	expect_output 'status: disabled' 'cloud-init status'
}

check_after() {
	local ud iid
	ud=$("$CI_HERE/readme-example.sh" "$CI_README" "$USER_DATA_FIRST_LINE") ||
		fail "README.md has no '$USER_DATA_FIRST_LINE' example under 'Locked out?'"
	iid=iid-sshrepair-tests-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
	g 'install -d -m 0755 /var/lib/cloud/seed/nocloud'
	printf 'instance-id: %s\nlocal-hostname: srt-guest\n' "$iid" | g 'cat >/var/lib/cloud/seed/nocloud/meta-data'
	printf '%s\n' "$ud" | g 'cat >/var/lib/cloud/seed/nocloud/user-data'
	g 'cat /var/lib/cloud/seed/nocloud/user-data'
	reboot_guest

	expect_login alice
	expect_login -6 alice
	expect_output enabled 'systemctl is-enabled ssh.service'
	# cloud-init ran this seed, finished, and reports no error
	g 'cloud-init status --long' || fail "'cloud-init status --long' exited non-zero"
	expect_output 'status: done' 'cloud-init status'
	expect_output "$iid" 'cat /var/lib/cloud/data/instance-id'
	expect_output "$ud" 'cat /var/lib/cloud/instance/user-data.txt'
	local result
	result=$(g 'cat /run/cloud-init/result.json') || fail "no /run/cloud-init/result.json"
	/usr/bin/python3 - "$result" <<'PY'
import json, sys
v1 = json.loads(sys.argv[1])["v1"]
assert "NoCloud" in (v1.get("datasource") or ""), v1
assert v1.get("errors") == [], v1
print("PASS: cloud-init used %s and reports no errors" % v1["datasource"])
PY
	# what ran was sshrepair, at this boot, and it left its report
	expect_output yes 'journalctl -b SYSLOG_IDENTIFIER=sshrepair -o cat | grep -q . && echo yes'
	g 'journalctl -b -u cloud-final.service -o cat --no-pager | tail -n 30'
	expect_output "600 root" 'stat -c "%a %U" /var/log/sshrepair/last.json'
	local report
	report=$(mktemp)
	g 'cat /var/log/sshrepair/last.json' >"$report"
	/usr/bin/python3 - "$CI_SCHEMA" "$report" <<'PY'
import json, sys, jsonschema
schema, doc = (json.load(open(p)) for p in sys.argv[1:3])
jsonschema.validate(doc, schema)
out = doc["outcome"]
assert out["phase"] == "committed" and out["exit_code"] == 0, out
ids = sorted(f["id"] for f in doc["faults"])
assert "sshd.disabled" in ids and "sshd.inactive" in ids, ids
print("PASS: last.json validates against src/report.schema.json; faults %s, committed" % ids)
PY
	rm -f "$report"
}
