#!/usr/bin/env bash
# `make upstream-check [KERNEL=cloud-6.12]`: the quick loop while making
# upstream's kselftests pass. Builds the module for one kernel and upstream's
# programs (selftests/upstream), boots that kernel with only them (the
# project's own selftests are left out), prints one line per case, the
# problems and the verdict of parse-log.sh.
# Usage: upstream-check.sh [cloud-6.12|cloud-6.1|debug-6.12]
# Environment (see run-vm.sh): UPSTREAM_ARGS (harness arguments, e.g.
# '-f iommufd_ioas' or '-t basic'), UPSTREAM_PROGS (default: iommufd, plus
# iommufd_fail_nth on debug-6.12), UPSTREAM_UAPI_DIR (default: the
# project's include/uapi), UPSTREAM_TIMEOUT, VM_TIMEOUT.
# Then `testvm/upstream-expect.sh -w` turns the logs into the expectations.
# Exit code: parse-log.sh's (0 when nothing failed beyond the expectations).
set -euo pipefail
LOG_TAG=upstream-check
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

kernel=${1:-cloud-6.12}
case $kernel in
cloud-*) "$TOP/testvm/kernels.sh" "$kernel" source ;;
debug-6.12)
	"$TOP/testvm/kernels.sh" source
	"$TOP/testvm/debug-kernel.sh"
	;;
*) die "unknown kernel $kernel (want cloud-6.12, cloud-6.1 or debug-6.12)" ;;
esac

t0=$(date +%s)
rc=0
PARSE_ALL_CASES=1 "$TOP/testvm/run-vm.sh" "$kernel" upstream || rc=$?
log "$kernel: $(($(date +%s) - t0)) s (console: $CACHE/logs/$kernel-upstream.log)"
exit "$rc"
