# ci/vm.mk - the kernel matrix lane (included by the top Makefile).
#
#   make vm-check KERNEL=path/to/bzImage [MODULES=lib/modules/<release>]
#   make vm-check DEBIAN_KERNEL=6.1 [DEBIAN_FLAVOUR=cloud-amd64]
#   make vm-check ... APPEND="sysctl.net.core.optmem_max=10240" AREAS=membership
#   make matrix [KERNELS="running debian:6.1 debian:6.12"] [MATRIX_PUBLISH=ci/matrix]
#                                                 build/matrix/index.html + build/matrix.md
#   make vm-bench VM_BENCH_KERNELS="debian:6.1"   boot-to-verdict seconds per kernel (in make bench)
#   make vm-test                                  proofs of the lane (in make test)
#
# VM_BOOT=pvh (default) boots the image's own vmlinux through qemu's PVH entry
# when the kernel has CONFIG_PVH (Debian's do): the decompressor is skipped,
# which saves ~4 s of xz under TCG; VM_BOOT=bzimage boots the image as is.
# The guest boots under TCG by default (nested KVM hangs on these machines);
# VM_ACCEL=auto uses KVM only after a bounded boot proved it works.
# VM_TCG_THREAD=single runs TCG's vCPUs on one host thread instead of one
# each (multi, the default): about 1.5x slower (6.1, all areas: 44 s instead
# of 29 s to the verdict), for hosts where multi-threaded TCG misbehaves (one
# 6.12 guest in about fifty boots here oopsed at boot, int3 in sched_clock_cpu,
# before any probe ran).

VM_DIR          := $(BUILD)/vm
VM_PROBES       := $(patsubst probes/%.c,$(VM_DIR)/probes/%,$(PROBE_SRCS))
VM_INITRD       := $(VM_DIR)/initramfs-base.cpio.gz
VM_ACCEL        ?= tcg
VM_BOOT         ?= pvh
VM_BOOT_TIMEOUT ?= 60
VM_TIMEOUT      ?= 900
DEBIAN_FLAVOUR  ?= amd64
KERNELS         ?= running debian:6.1 debian:6.12
VM_BENCH_KERNELS ?= debian:6.1 debian:6.12
VM_DEPS         := qemu-system-x86 busybox-static cpio xz-utils zstd gzip dpkg apt findutils libc6-dev

EXTRA_DEPS    += $(VM_DEPS)
TEST_TARGETS  += vm-test
BENCH_TARGETS += vm-bench

VM_RUN = $(PYTHON) ci/vm.py
VM_OPTS = --initrd $(VM_INITRD) --accel $(VM_ACCEL) --boot $(VM_BOOT) --boot-timeout $(VM_BOOT_TIMEOUT) --timeout $(VM_TIMEOUT) \
	--flavour $(DEBIAN_FLAVOUR) $(if $(AREAS),--areas $(AREAS)) $(if $(APPEND),--append '$(APPEND)') \
	$(if $(VM_MODULES),--load $(VM_MODULES))

.PHONY: vm-check vm-initramfs vm-probes vm-need-deps vm-test vm-bench matrix vm-fetch

vm-need-deps:
	@sh ci/deps.sh need "the VM lane" $(VM_DEPS)

# The guest has no glibc: the same probe sources, linked statically.
$(VM_DIR)/probes/%: probes/%.c $(LIB_SRCS) $(LIB_HDRS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $< $(LIB_SRCS) $(LDFLAGS)

vm-probes: $(VM_PROBES)

# The guest root common to every kernel: busybox, /init and the static
# probes (ci/vmlane/initramfs.py). The kernel's own modules travel in a second
# archive that ci/vm.py appends per kernel (the kernel unpacks concatenated
# archives in order).
$(VM_INITRD): ci/vm/init $(VM_PROBES) /usr/bin/busybox ci/vm.mk ci/vmlane/initramfs.py
	@$(VM_RUN) initramfs --out $@ --init ci/vm/init --busybox /usr/bin/busybox $(VM_PROBES)

vm-initramfs: vm-need-deps $(VM_INITRD)

vm-check: need-deps vm-initramfs
	@$(VM_RUN) check $(VM_OPTS) $(if $(KERNEL),--kernel $(KERNEL)) $(if $(MODULES),--modules $(MODULES)) \
	  $(if $(DEBIAN_KERNEL),--debian $(DEBIAN_KERNEL)) $(if $(VM_OUT),--out $(VM_OUT))

vm-fetch: vm-need-deps
	@$(VM_RUN) fetch --debian $(or $(DEBIAN_KERNEL),6.1) --flavour $(DEBIAN_FLAVOUR)

matrix: need-deps probes vm-initramfs
	@$(VM_RUN) matrix $(VM_OPTS) $(KERNELS) $(if $(MATRIX_PUBLISH),--publish $(MATRIX_PUBLISH))

vm-bench: need-deps vm-initramfs
	@$(VM_RUN) bench $(VM_OPTS) $(VM_BENCH_KERNELS)

vm-test: need-deps vm-initramfs
	@$(PYTHON) ci/vm_selftest.py --initrd $(VM_INITRD) --debian $(or $(DEBIAN_KERNEL),6.1) --flavour $(DEBIAN_FLAVOUR) \
	  --boot $(VM_BOOT)

# A kselftest collection: ci/kselftest/mcprobe/ plus a self-contained copy of
# the suite, listed in kselftest-list.txt for run_kselftest.sh -c mcprobe.
.PHONY: kselftest-install
kselftest-install: probes
	@sh ci/kselftest/install.sh "$(INSTALL_PATH)"
