#!/usr/bin/env bash
# `make demo`: run vmm_demo against the module on the Debian 6.12 cloud kernel
# in QEMU and print its transcript. Exit code: the demo's own, or 1 if the
# kernel splatted, rmmod failed, or the VM did not finish.
set -euo pipefail
LOG_TAG=demo
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

run_demo demo vmm_demo "vmm_demo transcript (cloud-6.12)"
