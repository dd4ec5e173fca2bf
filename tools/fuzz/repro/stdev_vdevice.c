// SPDX-License-Identifier: GPL-2.0
/*
 * Reproducer found by iommufd_stress (seed 0x1234): destroying an
 * IOMMU_TEST_OP_MOCK_DOMAIN device object while a vDEVICE still uses its
 * dev_id. The DESTROY should answer EBUSY (the vDEVICE holds the device);
 * if it succeeds, the device object is freed under the vDEVICE and closing
 * the file decrements a freed refcount (refcount_t "decrement hit 0",
 * WARNING in iommufd_destroy_all, then a crash in the IOAS interval tree
 * under iommufd_stress; this minimal sequence shows only the wrong answer
 * on a kernel without KASAN).
 *
 * Usage: stdev_vdevice [device]   (default /dev/iommufd-mock)
 * Exit code: 0 when DESTROY is refused, 1 when the bug shows, 2 setup error.
 */
#include "../fuzz_common.h"

static int xioctl(int fd, unsigned long req, void *arg, const char *what)
{
	int rc = ioctl(fd, req, arg) ? -errno : 0;

	printf("%-28s -> %s\n", what, errno_name(-rc));
	return rc;
}

int main(int argc, char **argv)
{
	const char *dev = pick_device(argc > 1 ? argv[1] : NULL);
	struct iommu_ioas_alloc ioas = { .size = sizeof(ioas) };
	struct iommu_test_cmd md = { .size = sizeof(md) };
	struct iommu_hwpt_alloc hwpt = { .size = sizeof(hwpt) };
	struct iommu_viommu_alloc viommu = { .size = sizeof(viommu) };
	struct iommu_vdevice_alloc vdev = { .size = sizeof(vdev) };
	struct iommu_destroy destroy = { .size = sizeof(destroy) };
	int fd = open(dev, O_RDWR), rc;

	if (fd < 0) {
		perror(dev);
		return 2;
	}
	if (xioctl(fd, IOMMU_IOAS_ALLOC, &ioas, "IOAS_ALLOC"))
		return 2;
	md.op = IOMMU_TEST_OP_MOCK_DOMAIN;
	md.id = ioas.out_ioas_id;
	if (xioctl(fd, IOMMU_TEST_CMD, &md, "TEST_OP_MOCK_DOMAIN"))
		return 2;
	hwpt.flags = IOMMU_HWPT_ALLOC_NEST_PARENT;
	hwpt.dev_id = md.mock_domain.out_idev_id;
	hwpt.pt_id = ioas.out_ioas_id;
	if (xioctl(fd, IOMMU_HWPT_ALLOC, &hwpt, "HWPT_ALLOC nest parent"))
		return 2;
	viommu.type = IOMMU_VIOMMU_TYPE_DEFAULT;
	viommu.dev_id = md.mock_domain.out_idev_id;
	viommu.hwpt_id = hwpt.out_hwpt_id;
	if (xioctl(fd, IOMMU_VIOMMU_ALLOC, &viommu, "VIOMMU_ALLOC default"))
		return 2;
	vdev.viommu_id = viommu.out_viommu_id;
	vdev.dev_id = md.mock_domain.out_idev_id;
	vdev.virt_id = 1;
	if (xioctl(fd, IOMMU_VDEVICE_ALLOC, &vdev, "VDEVICE_ALLOC"))
		return 2;
	destroy.id = md.mock_domain.out_stdev_id;
	rc = xioctl(fd, IOMMU_DESTROY, &destroy, "DESTROY stdev (want EBUSY)");
	printf("closing the iommufd\n");
	fflush(stdout);
	close(fd);
	return rc == -EBUSY ? 0 : 1;
}
