# SPDX-License-Identifier: GPL-2.0
#
# User-facing wrapper around kbuild (the module itself is described in Kbuild).
#
#   make [KDIR=...]         build iommufd_mock.ko against KDIR (default: running kernel)
#   make clean
#   make sparse             the same build with sparse on every file (C=2)
#   make checkpatch         checkpatch --strict on drivers/ and include/
#   make selftests          static kselftest binaries into $(OUT)/selftests
#   make demo-prog          static vmm_demo into $(OUT)/demo
#   make upstream-selftests upstream's iommufd kselftests, built from the
#                           linux-source-6.12 tarball, into $(OUT)/upstream
#   make upstream-check KERNEL=cloud-6.12 [UPSTREAM_ARGS='-f iommufd_ioas']
#                           only upstream's kselftests, in one VM, per case
#   make check              everything, on three kernels in QEMU (testvm/check.sh)
#   make demo               the demo on the 6.12 cloud kernel in QEMU (testvm/demo.sh)
#   make demo-qemu          Debian sid's QEMU drives a mock device through its
#                           VFIO device file, then nests its intel-iommu over
#                           the VT-d instance, narrated (testvm/demo-qemu.sh)
#   make install            modules_install into KDIR's module tree

KDIR ?= /lib/modules/$(shell uname -r)/build
CACHE ?= $(CURDIR)/.cache
# Harness headers and checkpatch come out of linux-source-6.12 (testvm/kernels.sh).
KSFT_DIR ?= $(CACHE)/linux-source-6.12/tools/testing/selftests
CHECKPATCH ?= $(CACHE)/linux-source-6.12/scripts/checkpatch.pl
OUT ?= $(CACHE)/out
# The uAPI headers upstream's kselftests are compiled against (its
# linux/iommufd.h is the one tested).
UPSTREAM_UAPI_DIR ?= $(CURDIR)/include/uapi
KERNEL ?= cloud-6.12

SOURCES = $(shell find drivers include -name '*.[ch]' 2>/dev/null | sort)

.PHONY: all modules clean sparse checkpatch selftests demo-prog upstream-selftests upstream-check check demo install

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean

install:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) C=2 modules

# checkpatch's exit code ignores CHECKs on some versions: grep the output too.
checkpatch:
	@test -f $(CHECKPATCH) || { echo "no $(CHECKPATCH): run testvm/kernels.sh source"; exit 1; }
	@test -n "$(SOURCES)" || { echo "checkpatch: no *.c/*.h under drivers/ or include/"; exit 1; }
	@rc=0; for f in $(SOURCES); do \
		out=$$(perl $(CHECKPATCH) --strict --no-tree --show-types -f $$f 2>&1) || rc=1; \
		if printf '%s\n' "$$out" | grep -qE '^(ERROR|WARNING|CHECK):'; then \
			rc=1; printf '%s\n' "$$out"; \
		fi; \
	done; \
	if [ $$rc -eq 0 ]; then echo "checkpatch: $(words $(SOURCES)) files clean"; \
	else echo "checkpatch: problems found"; fi; \
	exit $$rc

selftests:
	@test -f $(KSFT_DIR)/kselftest_harness.h || { echo "no harness in $(KSFT_DIR): run testvm/kernels.sh source"; exit 1; }
	$(MAKE) -C selftests KSFT_DIR=$(KSFT_DIR) OUT=$(OUT)/selftests

demo-prog:
	$(MAKE) -C demo OUT=$(OUT)/demo

upstream-selftests:
	$(MAKE) -C selftests/upstream CACHE=$(CACHE) UAPI=$(UPSTREAM_UAPI_DIR) OUT=$(OUT)/upstream

upstream-check:
	bash testvm/upstream-check.sh $(KERNEL)

check:
	bash testvm/check.sh

demo:
	bash testvm/demo.sh

.PHONY: demo-qemu
demo-qemu:
	bash testvm/demo-qemu.sh

# make bench: the module against upstream iommufd (CONFIG_IOMMUFD_TEST) side
# by side in one QEMU boot of a 6.12 kernel built once from linux-source-6.12
# (testvm/bench.sh, Documentation/bench.rst). Not part of make check.
.PHONY: bench
bench:
	bash testvm/bench.sh

# Seeded ioctl fuzzer + multi-threaded stress in QEMU on the debug kernel
# (tools/fuzz/, testvm/fuzz.sh): make fuzz [FUZZ_SECONDS=600] [FUZZ_SEED=hex]
.PHONY: fuzz
fuzz:
	bash testvm/fuzz.sh debug-6.12 $${FUZZ_SECONDS:-600} $(FUZZ_SEED)
