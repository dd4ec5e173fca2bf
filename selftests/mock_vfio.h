/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the selftests that open VFIO device files share: upstream's cdev
 * ioctls (Linux 6.6+, PASID flags 6.13+), written out because the build
 * host's <linux/vfio.h> may predate them, and the mockiommu bus's sysfs
 * files. Include after mock_helpers.h and <linux/vfio.h>.
 */
#ifndef MOCK_VFIO_H
#define MOCK_VFIO_H

#define SYSFS_BUS "/sys/bus/mockiommu"

struct t_bind {
	__u32 argsz;
	__u32 flags;
	__s32 iommufd;
	__u32 out_devid;
	__aligned_u64 token_uuid_ptr;
};

struct t_attach {
	__u32 argsz;
	__u32 flags;
	__u32 pt_id;
	__u32 pasid;
};

struct t_detach {
	__u32 argsz;
	__u32 flags;
	__u32 pasid;
};

#define T_BIND		_IO(VFIO_TYPE, VFIO_BASE + 18)
#define T_ATTACH	_IO(VFIO_TYPE, VFIO_BASE + 19)
#define T_DETACH	_IO(VFIO_TYPE, VFIO_BASE + 20)

/* Write @text to a sysfs file: 0 or -errno. */
static inline int sysfs_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY);
	int rc;

	if (fd < 0)
		return -errno;
	rc = write(fd, text, strlen(text)) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

#endif
