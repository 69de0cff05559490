#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs inside the VM (scripts/vm-run.sh): the installed mytcp selftests
# through the kernel's own run_kselftest.sh / kselftest/runner.sh, so the
# output is KTAP.  Arguments go to run_kselftest.sh, e.g.
#   -t mytcp:socket_api     one test
#   -o 600                  override the per-test timeout
#
# Environment: MYTCP_KO (required, absolute path of the .ko under test),
# MYTCP_SELFTESTS_DIR (installed tree, default build/selftests).
# Exit status: 1 when a test failed or none ran, else 0.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BASE=${MYTCP_SELFTESTS_DIR:-$TOP/build/selftests}

if [ -z "${MYTCP_KO:-}" ] || [ ! -r "${MYTCP_KO}" ]; then
	echo "Bail out! MYTCP_KO='${MYTCP_KO:-}' is not a readable mytcp.ko"
	exit 1
fi
if [ ! -x "$BASE/run_kselftest.sh" ]; then
	echo "Bail out! $BASE/run_kselftest.sh missing (build the selftests first)"
	exit 1
fi
export MYTCP_KO
# The guide that teaching.sh compares with a fresh run.
export MYTCP_GUIDE=${MYTCP_GUIDE:-$TOP/Documentation/tcp-by-example.rst}
echo "# mytcp: $MYTCP_KO on $(uname -r)"
echo "# $(modinfo -F vermagic "$MYTCP_KO" 2>/dev/null)"

# Each top-level result is followed by a "# time: Ns" diagnostic line.
timed()
{
	local line last=$SECONDS

	while IFS= read -r line; do
		printf '%s\n' "$line"
		case "$line" in
		"ok "*|"not ok "*)
			printf '# time: %ss\n' $((SECONDS - last))
			last=$SECONDS
			;;
		"# selftests: "*) last=$SECONDS ;;
		esac
	done
}

log=$(mktemp)
cd "$BASE" && ./run_kselftest.sh "$@" | timed | tee "$log"
if grep -q '^not ok' "$log" || ! grep -q '^ok' "$log"; then
	exit 1
fi
exit 0
