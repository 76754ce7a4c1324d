#!/bin/bash
# tests/integration/vagrant-ci.sh — what CI runs for the Vagrant matrix (vagrant/):
#   1. `vagrant validate` of vagrant/Vagrantfile (needs only the `vagrant` package, with or
#      without its recommended vagrant-libvirt; no libvirtd, no VirtualBox, no box, no network)
#   2. vagrant/check-scenarios.sh: every scenario the Vagrantfile names exists in
#      tests/scenarios/
# Usage: tests/integration/vagrant-ci.sh   (from anywhere; exit 0 when both pass)
set -euo pipefail
TOP=$(dirname "$(dirname "$(dirname "$(realpath "${BASH_SOURCE[0]}")")")")
command -v vagrant >/dev/null || { echo "FAIL: vagrant is not installed (apt-get install vagrant)"; exit 1; }
# validate must not depend on the caller's environment, nor write state into the tree
export VAGRANT_CWD=$TOP/vagrant
export VAGRANT_DOTFILE_PATH=${VAGRANT_DOTFILE_PATH:-$(mktemp -d)/.vagrant}
export VAGRANT_CHECKPOINT_DISABLE=1
unset SSHREPAIR_PREBUILT SSHREPAIR_VAGRANT_KERNEL SSHREPAIR_VAGRANT_INITRD
echo "== vagrant validate ($VAGRANT_CWD/Vagrantfile; $(vagrant --version))"
# With vagrant-libvirt (Debian's vagrant package recommends it) the libvirt provider
# settings are validated too; without any provider plugin, `vagrant validate` stops at
# "No usable default provider", so only the provider-independent part is checked.
if vagrant plugin list 2>/dev/null | grep -q '^vagrant-libvirt'; then
	VAGRANT_DEFAULT_PROVIDER=libvirt vagrant validate
else
	echo "(vagrant-libvirt is not installed: validating without provider settings)"
	vagrant validate --ignore-provider
fi
echo "== vagrant/check-scenarios.sh"
"$TOP/vagrant/check-scenarios.sh"
echo "PASS: Vagrant CI checks"
