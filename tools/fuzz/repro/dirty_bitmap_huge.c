// SPDX-License-Identifier: GPL-2.0
/*
 * Reproducer found by iommufd_fuzz (seed 0x1234, iteration 538 on
 * cloud-6.12): IOMMU_HWPT_GET_DIRTY_BITMAP over a 2^63-byte range with an
 * 8 KiB page size walks 2^50 bits window by window, with no cond_resched()
 * and no fatal-signal check: "watchdog: BUG: soft lockup" on the console
 * and a task that SIGKILL cannot stop.
 *
 * The ioctl runs in a child; the parent waits -t seconds (default 20), then
 * sends SIGKILL and waits 10 s more for the child to die.
 * Usage: dirty_bitmap_huge [device] [seconds]
 * Exit code: 0 the ioctl returned in time, 1 it did not (the child may
 * still be stuck in the kernel), 2 setup error.
 */
#include <signal.h>
#include <sys/wait.h>

#include "../fuzz_common.h"

int main(int argc, char **argv)
{
	const char *dev = pick_device(argc > 1 ? argv[1] : NULL);
	unsigned int secs = argc > 2 ? atoi(argv[2]) : 20, i;
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd md = { .size = sizeof(md) };
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	struct iommu_hwpt_get_dirty_bitmap get = { .size = sizeof(get) };
	static uint64_t bitmap[512];
	int fd = open(dev, O_RDWR), status;
	pid_t pid;

	if (fd < 0) {
		perror(dev);
		return 2;
	}
	md.op = IOMMU_TEST_OP_MOCK_DOMAIN;
	if (ioctl(fd, IOMMU_IOAS_ALLOC, &ioas))
		return 2;
	md.id = ioas.out_ioas_id;
	if (ioctl(fd, IOMMU_TEST_CMD, &md))
		return 2;
	hwpt.flags = IOMMU_HWPT_ALLOC_DIRTY_TRACKING;
	hwpt.dev_id = md.mock_domain.out_idev_id;
	hwpt.pt_id = ioas.out_ioas_id;
	if (ioctl(fd, IOMMU_HWPT_ALLOC, &hwpt)) {
		perror("HWPT_ALLOC dirty tracking");
		return 2;
	}
	get.hwpt_id = hwpt.out_hwpt_id;
	get.flags = IOMMU_HWPT_GET_DIRTY_BITMAP_NO_CLEAR;
	get.iova = 0x190000;
	get.length = 1ULL << 63;
	get.page_size = 0x2000;
	get.data = U64P(bitmap);
	fflush(stdout);
	pid = fork();
	if (!pid) {
		int rc = ioctl(fd, IOMMU_HWPT_GET_DIRTY_BITMAP, &get) ? errno : 0;

		printf("GET_DIRTY_BITMAP length 2^63 page 8 KiB -> %s\n",
		       errno_name(rc));
		_exit(0);
	}
	for (i = 0; i < secs * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return 0;
		usleep(100000);
	}
	printf("GET_DIRTY_BITMAP still running after %u s; SIGKILL\n", secs);
	kill(pid, SIGKILL);
	for (i = 0; i < 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid) {
			printf("the child died after SIGKILL\n");
			return 1;
		}
		usleep(100000);
	}
	printf("the child ignores SIGKILL: stuck in the kernel\n");
	return 1;
}
