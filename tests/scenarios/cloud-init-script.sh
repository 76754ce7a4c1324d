# shellcheck shell=bash
# shellcheck disable=SC2034 # DESCRIPTION, ARGS, EXPECT_RC, ROOTFS_VARIANT are read by the runner
# Scenario (issue 7): as cloud-init-runcmd, with the README's other user-data form, a
# `#!/bin/sh` script (extracted verbatim from README.md), which cloud-init runs at boot
# (scripts-user); SSH works from outside after that boot.
DESCRIPTION="cloud-init NoCloud, #!/bin/sh user-data from the README: SSH works after the boot"
ARGS="--dry-run"
EXPECT_RC=1
ROOTFS_VARIANT=cloudinit
USER_DATA_FIRST_LINE='#!/bin/sh'

# shellcheck source-path=SCRIPTDIR source=../integration/cloud-init-case.sh
source "$(dirname "${BASH_SOURCE[0]}")/../integration/cloud-init-case.sh"
