# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, ROOTFS_VARIANT are read by the runner
# Scenario (issue 7): a host that boots broken -- ssh.service disabled and stopped, and
# /etc/nftables.conf (loaded at boot) dropping port 22 -- gets the README's "Locked out?"
# #cloud-config user-data (extracted verbatim from README.md) through Debian's cloud-init
# and its NoCloud datasource (a seed directory with a fresh instance-id), and reboots:
# cloud-init runs `sshrepair --yes` at boot, and SSH works from outside after that boot.
# The runner's own sshrepair run is a dry run: it sees the faults and changes nothing.
DESCRIPTION="cloud-init NoCloud, #cloud-config runcmd from the README: SSH works after the boot"
ARGS="--dry-run"
EXPECT_RC=1
ROOTFS_VARIANT=cloudinit
USER_DATA_FIRST_LINE='#cloud-config'

# shellcheck source-path=SCRIPTDIR source=../integration/cloud-init-case.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/cloud-init-case.sh"
