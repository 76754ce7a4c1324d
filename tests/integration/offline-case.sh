# shellcheck shell=bash
# Shared by tests/scenarios/root-offline*.sh (sourced; not a scenario itself): the system
# of issue 7's offline case, and checks of the booted result.
#
# break_host: a listener on port 23 that survives reboots (a unit; bob may log in there),
# `AllowUsers bob` in sshd_config, ssh.service disabled and stopped, ufw enabled at boot
# with `deny 22/tcp` and `deny 23/tcp` (and ufw's default: deny incoming).

break_host() {
	g 'cat >/etc/systemd/system/listen23.service <<EOF
[Unit]
Description=sshd on port 23 (sshrepair tests: a service the firewall must keep blocking)
After=network.target

[Service]
Type=notify
ExecStartPre=/bin/mkdir -p -m 0755 /run/sshd
ExecStart=/usr/sbin/sshd -D -p 23 -o PidFile=none

[Install]
WantedBy=multi-user.target
EOF'
	g 'sed -i "/^Include/a AllowUsers bob" /etc/ssh/sshd_config && systemctl disable --now ssh'
	g 'systemctl daemon-reload && systemctl enable --now listen23.service'
	expect_login bob 23 # the listener works while nothing blocks it
	g 'ufw deny 22/tcp && ufw deny 23/tcp && ufw --force enable && systemctl enable ufw'
	g 'ufw status numbered'
}

check_before() {
	expect_no_login alice
	expect_no_login bob 23
}

# After the repaired tree booted: ufw is active and still blocks port 23 (v4 and v6).
offline_expect_other_rules_intact() {
	expect_no_login bob 23
	expect_no_login -6 bob 23
	expect_output 'Status: active' 'ufw status | head -n 1'
	expect_output enabled 'systemctl is-enabled ufw.service'
	expect_output 2 'ufw status | grep -c "^23/tcp .*DENY"'
	expect_output active 'systemctl is-active listen23.service'
}

# offline_expect_report PHASE: the report the offline run left in the tree is the booted
# system's /var/log/sshrepair/last.json: root's, 0600, valid against the schema, PHASE.
offline_expect_report() {
	local want=$1 report schema
	schema=$(dirname "$(realpath "${BASH_SOURCE[0]}")")/../../src/report.schema.json
	expect_output "600 root" 'stat -c "%a %U" /var/log/sshrepair/last.json'
	report=$(mktemp)
	g 'cat /var/log/sshrepair/last.json' >"$report"
	/usr/bin/python3 - "$schema" "$report" "$want" <<'PY'
import json, sys, jsonschema
schema, doc = (json.load(open(p)) for p in sys.argv[1:3])
jsonschema.validate(doc, schema)
out = doc["outcome"]
assert out["phase"] == sys.argv[3], out
print("PASS: last.json from the offline run validates against the schema; phase %s: %s"
      % (out["phase"], out["message"]))
PY
	rm -f "$report"
}
