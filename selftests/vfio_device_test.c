// SPDX-License-Identifier: GPL-2.0
/*
 * VFIO device files of mock devices (include/uapi/linux/iommufd_mock_pci.h):
 * creation and removal through sysfs, the layout QEMU's vfio-pci reads for
 * sysfsdev=, upstream's cdev uAPI (bind to an iommufd, attach/detach, device,
 * region and IRQ info, SET_IRQS, reset, features) errno by errno, config
 * space and BAR0 of the mock PCI function, and its copy engine's DMA
 * through the attached IOAS, with fault codes and an MSI-X eventfd.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <linux/vfio.h>
#include <linux/iommufd_mock_pci.h>

#include "mock_helpers.h"
#include "mock_vfio.h"

/* stream IDs of this file: 0xc0-0xcf on instance 0 */
#define SID 0xc0

#define T_CFG(off)	((7ULL << 40) + (off))	/* VFIO_PCI_CONFIG_REGION_INDEX */
#define T_BAR0(off)	(off)

static int vfio_add(unsigned int inst, unsigned int sid)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%u 0x%x\n", inst, sid);
	return sysfs_write(SYSFS_BUS "/vfio_add", buf);
}

static int vfio_remove(unsigned int inst, unsigned int sid)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%u %u", inst, sid);
	return sysfs_write(SYSFS_BUS "/vfio_remove", buf);
}

/* The vfio-mockN name under <device>/vfio-dev, as QEMU finds it */
static int vfio_name(unsigned int inst, unsigned int sid, char *name,
		     size_t len)
{
	char path[256];
	struct dirent *d;
	DIR *dir;
	int rc = -ENOENT;

	snprintf(path, sizeof(path), MOCK_SYSFS_DEVICES "/mockiommu%u.%04x/vfio-dev",
		 inst, sid);
	dir = opendir(path);
	if (!dir)
		return -errno;
	while ((d = readdir(dir))) {
		if (!strncmp(d->d_name, "vfio", 4) && strlen(d->d_name) < len) {
			memcpy(name, d->d_name, strlen(d->d_name) + 1);
			rc = 0;
			break;
		}
	}
	closedir(dir);
	return rc;
}

static int vfio_open(unsigned int inst, unsigned int sid)
{
	char name[64], path[128];

	if (vfio_name(inst, sid, name, sizeof(name)))
		return -1;
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	return open(path, O_RDWR | O_CLOEXEC);
}

static int bind(int dfd, int ifd, uint32_t *devid)
{
	struct t_bind b = { .argsz = sizeof(b), .iommufd = ifd };
	int rc = mock_ioctl(dfd, T_BIND, &b);

	if (!rc && devid)
		*devid = b.out_devid;
	return rc;
}

static int attach(int dfd, uint32_t *pt_id)
{
	struct t_attach a = { .argsz = 12, .pt_id = *pt_id };
	int rc = mock_ioctl(dfd, T_ATTACH, &a);

	if (!rc)
		*pt_id = a.pt_id;
	return rc;
}

static int detach(int dfd)
{
	struct t_detach d = { .argsz = 8 };

	return mock_ioctl(dfd, T_DETACH, &d);
}

static int cfg_read(int dfd, unsigned int off, void *buf, size_t len)
{
	ssize_t n = pread(dfd, buf, len, T_CFG(off));

	return n < 0 ? -errno : (n == (ssize_t)len ? 0 : -EIO);
}

static int cfg_write(int dfd, unsigned int off, const void *buf, size_t len)
{
	ssize_t n = pwrite(dfd, buf, len, T_CFG(off));

	return n < 0 ? -errno : (n == (ssize_t)len ? 0 : -EIO);
}

static int reg_read(int dfd, unsigned int off, void *buf, size_t len)
{
	ssize_t n = pread(dfd, buf, len, T_BAR0(off));

	return n < 0 ? -errno : (n == (ssize_t)len ? 0 : -EIO);
}

static int reg_write(int dfd, unsigned int off, const void *buf, size_t len)
{
	ssize_t n = pwrite(dfd, buf, len, T_BAR0(off));

	return n < 0 ? -errno : (n == (ssize_t)len ? 0 : -EIO);
}

static uint32_t reg32(int dfd, unsigned int off)
{
	uint32_t v = 0xdeadbeef;

	reg_read(dfd, off, &v, sizeof(v));
	return v;
}

static int set_command(int dfd, uint16_t cmd)
{
	return cfg_write(dfd, 0x04, &cmd, sizeof(cmd));
}

/* Program and start one copy; returns STATUS */
static uint32_t copy(int dfd, uint64_t src, uint64_t dst, uint32_t len,
		     uint32_t ctrl)
{
	uint32_t go = IOMMU_MOCK_PCI_DOORBELL_GO;

	reg_write(dfd, IOMMU_MOCK_PCI_REG_SRC, &src, 8);
	reg_write(dfd, IOMMU_MOCK_PCI_REG_DST, &dst, 8);
	reg_write(dfd, IOMMU_MOCK_PCI_REG_LENGTH, &len, 4);
	reg_write(dfd, IOMMU_MOCK_PCI_REG_CTRL, &ctrl, 4);
	reg_write(dfd, IOMMU_MOCK_PCI_REG_DOORBELL, &go, 4);
	return reg32(dfd, IOMMU_MOCK_PCI_REG_STATUS);
}

static int set_irq_fds(int dfd, uint32_t index, uint32_t start,
		       uint32_t count, const int32_t *fds, uint32_t flags)
{
	char buf[sizeof(struct vfio_irq_set) + 8 * sizeof(int32_t)];
	struct vfio_irq_set *s = (struct vfio_irq_set *)buf;

	memset(buf, 0, sizeof(buf));
	s->argsz = sizeof(*s) + (fds ? count * sizeof(int32_t) : 0);
	s->flags = flags;
	s->index = index;
	s->start = start;
	s->count = count;
	if (fds)
		memcpy(s->data, fds, count * sizeof(int32_t));
	return mock_ioctl(dfd, VFIO_DEVICE_SET_IRQS, s);
}

TEST(sysfs_add_remove)
{
	char name[64], path[256], devstr[32];
	unsigned int major, minor;
	struct stat st;
	int fd;

	ASSERT_EQ(0, vfio_add(0, SID));
	/* the ID is taken, on any instance check */
	EXPECT_EQ(-EEXIST, vfio_add(0, SID));
	EXPECT_EQ(-ENODEV, vfio_add(MOCK_NUM_INSTANCES + 5, SID));
	EXPECT_EQ(-EINVAL, sysfs_write(SYSFS_BUS "/vfio_add", "0"));
	EXPECT_EQ(-EINVAL, sysfs_write(SYSFS_BUS "/vfio_add", "0 1 2"));
	EXPECT_EQ(-EINVAL, sysfs_write(SYSFS_BUS "/vfio_add", "zero one"));
	EXPECT_EQ(-ENODEV, vfio_remove(0, SID + 1));

	/* <device>/vfio-dev/vfio-mockN/dev names /dev/vfio/devices/vfio-mockN */
	ASSERT_EQ(0, vfio_name(0, SID, name, sizeof(name)));
	EXPECT_EQ(0, strncmp(name, "vfio-mock", 9));
	snprintf(path, sizeof(path), MOCK_SYSFS_DEVICES "/mockiommu0.%04x/vfio-dev/%s/dev",
		 SID, name);
	fd = open(path, O_RDONLY);
	ASSERT_LE(0, fd);
	memset(devstr, 0, sizeof(devstr));
	ASSERT_LT(0, read(fd, devstr, sizeof(devstr) - 1));
	close(fd);
	ASSERT_EQ(2, sscanf(devstr, "%u:%u", &major, &minor));
	snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);
	ASSERT_EQ(0, stat(path, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(makedev(major, minor), st.st_rdev);

	EXPECT_EQ(0, vfio_remove(0, SID));
	EXPECT_NE(0, stat(path, &st));
	EXPECT_EQ(-ENODEV, vfio_remove(0, SID));
	/* the stream ID is free again */
	ASSERT_EQ(0, vfio_add(0, SID));
	EXPECT_EQ(0, vfio_remove(0, SID));
}

FIXTURE(vfio)
{
	int ifd;
	int dfd;
	uint32_t ioas;
	uint32_t devid;
};

FIXTURE_SETUP(vfio)
{
	self->ifd = mock_open();
	ASSERT_LE(0, self->ifd);
	ASSERT_EQ(0, ioas_alloc(self->ifd, &self->ioas));
	ASSERT_EQ(0, vfio_add(0, SID + 1));
	self->dfd = vfio_open(0, SID + 1);
	ASSERT_LE(0, self->dfd);
}

FIXTURE_TEARDOWN(vfio)
{
	if (self->dfd >= 0)
		close(self->dfd);
	EXPECT_EQ(0, vfio_remove(0, SID + 1));
	close(self->ifd);
}

TEST_F(vfio, unbound)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	uint32_t v;

	/* every ioctl but BIND, and region I/O, wait for the bind (upstream) */
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, VFIO_DEVICE_RESET, NULL));
	EXPECT_EQ(-EINVAL, cfg_read(self->dfd, 0, &v, 4));
	EXPECT_EQ(-EINVAL, detach(self->dfd));
}

TEST_F(vfio, bind_errors)
{
	struct t_bind b = { .argsz = sizeof(b), .iommufd = self->ifd };
	uint8_t uuid[16] = {};
	int nfd = open("/dev/null", O_RDWR), dfd2;
	uint32_t devid;

	ASSERT_LE(0, nfd);
	b.argsz = 12;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, T_BIND, &b));
	b.argsz = sizeof(b);
	b.flags = 2;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, T_BIND, &b));
	b.flags = 1;	/* VF token: this function is no PF or VF */
	b.token_uuid_ptr = U64_PTR(uuid);
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, T_BIND, &b));
	b.flags = 0;
	b.iommufd = -1;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, T_BIND, &b));
	EXPECT_EQ(-EBADFD, bind(self->dfd, nfd, NULL));
	EXPECT_EQ(-EBADF, bind(self->dfd, 1000, NULL));
	EXPECT_EQ(-EFAULT, mock_ioctl(self->dfd, T_BIND, NULL));
	close(nfd);

	ASSERT_EQ(0, bind(self->dfd, self->ifd, &devid));
	/* bound twice, or by a second file */
	EXPECT_EQ(-EINVAL, bind(self->dfd, self->ifd, NULL));
	dfd2 = vfio_open(0, SID + 1);
	ASSERT_LE(0, dfd2);
	EXPECT_EQ(-EINVAL, bind(dfd2, self->ifd, NULL));
	close(dfd2);
	/* while bound, the device object cannot be destroyed, nor the device removed */
	EXPECT_EQ(-EBUSY, mock_destroy(self->ifd, devid));
	EXPECT_EQ(-EBUSY, vfio_remove(0, SID + 1));
}

TEST_F(vfio, info)
{
	struct vfio_device_info info = { .argsz = sizeof(info) };
	struct vfio_region_info r = { .argsz = sizeof(r) };
	struct vfio_irq_info irq = { .argsz = sizeof(irq) };
	static const uint32_t counts[5] = { 0, 0, IOMMU_MOCK_PCI_MSIX_VECTORS, 1, 1 };
	struct vfio_device_feature feat = { .argsz = sizeof(feat) };
	struct iommu_mock_object_info oi;
	unsigned int i;

	ASSERT_EQ(0, bind(self->dfd, self->ifd, &self->devid));
	ASSERT_EQ(0, mock_obj_info(self->ifd, self->devid, &oi));
	EXPECT_EQ(IOMMU_MOCK_OBJ_DEVICE, oi.out_type);
	EXPECT_EQ(0, oi.out_instance_id);
	EXPECT_EQ(SID + 1, oi.out_asid);

	ASSERT_EQ(0, mock_ioctl(self->dfd, VFIO_DEVICE_GET_INFO, &info));
	EXPECT_EQ(VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET, info.flags);
	EXPECT_EQ(9, info.num_regions);
	EXPECT_EQ(5, info.num_irqs);
	info.argsz = 8;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, VFIO_DEVICE_GET_INFO, &info));

	for (i = 0; i < 8; i++) {
		r.index = i;
		ASSERT_EQ(0, mock_ioctl(self->dfd, VFIO_DEVICE_GET_REGION_INFO, &r));
		EXPECT_EQ((uint64_t)i << 40, r.offset);
		if (i == VFIO_PCI_BAR0_REGION_INDEX) {
			EXPECT_EQ(IOMMU_MOCK_PCI_BAR0_SIZE, r.size);
		} else if (i == VFIO_PCI_CONFIG_REGION_INDEX) {
			EXPECT_EQ(IOMMU_MOCK_PCI_CONFIG_SIZE, r.size);
		} else {
			EXPECT_EQ(0, r.size);
			EXPECT_EQ(0, r.flags);
			continue;
		}
		EXPECT_EQ(VFIO_REGION_INFO_FLAG_READ | VFIO_REGION_INFO_FLAG_WRITE,
			  r.flags);
	}
	r.index = VFIO_PCI_VGA_REGION_INDEX;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, VFIO_DEVICE_GET_REGION_INFO, &r));

	for (i = 0; i < 5; i++) {
		irq.index = i;
		ASSERT_EQ(0, mock_ioctl(self->dfd, VFIO_DEVICE_GET_IRQ_INFO, &irq));
		EXPECT_EQ(counts[i], irq.count);
		EXPECT_TRUE(irq.flags & VFIO_IRQ_INFO_EVENTFD);
	}
	irq.index = 5;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, VFIO_DEVICE_GET_IRQ_INFO, &irq));

	/* no feature: ENOTTY, header rules first */
	feat.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_MIGRATION;
	EXPECT_EQ(-ENOTTY, mock_ioctl(self->dfd, VFIO_DEVICE_FEATURE, &feat));
	feat.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_SET | 1;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, VFIO_DEVICE_FEATURE, &feat));
	feat.flags = 1U << 20;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, VFIO_DEVICE_FEATURE, &feat));
	EXPECT_EQ(-ENOTTY, mock_ioctl(self->dfd, VFIO_DEVICE_GET_PCI_HOT_RESET_INFO, &info));
	EXPECT_EQ(0, mock_ioctl(self->dfd, VFIO_DEVICE_RESET, NULL));
}

TEST_F(vfio, config_space)
{
	uint8_t cfg[IOMMU_MOCK_PCI_CONFIG_SIZE];
	uint32_t v;

	ASSERT_EQ(0, bind(self->dfd, self->ifd, NULL));
	/* the whole space in one read, as QEMU reads it */
	ASSERT_EQ(0, cfg_read(self->dfd, 0, cfg, sizeof(cfg)));
	EXPECT_EQ(IOMMU_MOCK_PCI_VENDOR_ID, cfg[0] | cfg[1] << 8);
	EXPECT_EQ(IOMMU_MOCK_PCI_DEVICE_ID, cfg[2] | cfg[3] << 8);
	EXPECT_EQ(0xff, cfg[0x0b]);
	EXPECT_TRUE(cfg[0x06] & 0x10);		/* capability list */
	EXPECT_EQ(0x40, cfg[0x34]);
	EXPECT_EQ(0x10, cfg[0x40]);		/* PCIe */
	EXPECT_EQ(0x80, cfg[0x41]);
	EXPECT_EQ(0x11, cfg[0x80]);		/* MSI-X */
	EXPECT_EQ(IOMMU_MOCK_PCI_MSIX_VECTORS - 1, cfg[0x82]);
	EXPECT_EQ(0, cfg[0x3d]);		/* no INTx */

	/* read-only bits stay, BAR0 sizes to 4 KiB, no ROM */
	v = 0;
	EXPECT_EQ(0, cfg_write(self->dfd, 0, &v, 4));
	EXPECT_EQ(0, cfg_read(self->dfd, 0, &v, 4));
	EXPECT_EQ(IOMMU_MOCK_PCI_DEVICE_ID << 16 | IOMMU_MOCK_PCI_VENDOR_ID, v);
	v = 0xffffffff;
	EXPECT_EQ(0, cfg_write(self->dfd, 0x10, &v, 4));
	EXPECT_EQ(0, cfg_read(self->dfd, 0x10, &v, 4));
	EXPECT_EQ(~(IOMMU_MOCK_PCI_BAR0_SIZE - 1), v);
	v = 0xfffff800;
	EXPECT_EQ(0, cfg_write(self->dfd, 0x30, &v, 4));
	EXPECT_EQ(0, cfg_read(self->dfd, 0x30, &v, 4));
	EXPECT_EQ(0, v);
	/* past the end */
	EXPECT_EQ(-EINVAL, cfg_read(self->dfd, IOMMU_MOCK_PCI_CONFIG_SIZE, &v, 4));
	EXPECT_EQ(-EINVAL, (int)(pread(self->dfd, &v, 4, 9ULL << 40) < 0 ? -errno : 0));
}

TEST_F(vfio, bar0_and_dma)
{
	size_t len = 4 * MOCK_PAGE;
	uint8_t *buf = mmap(NULL, 2 * len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t src = 0x100000, dst = 0x200000, ro = 0x300000, fault;
	uint32_t pt = self->ioas, id, st, count;
	struct iommu_mock_object_info oi;
	size_t i;

	ASSERT_NE(MAP_FAILED, buf);
	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 7 + 1);
	ASSERT_EQ(0, bind(self->dfd, self->ifd, &self->devid));

	/* BAR0 decodes only with Memory Space Enable */
	EXPECT_EQ(-EIO, reg_read(self->dfd, 0, &id, 4));
	ASSERT_EQ(0, set_command(self->dfd, 0x2));
	EXPECT_EQ(IOMMU_MOCK_PCI_ID_VALUE, reg32(self->dfd, IOMMU_MOCK_PCI_REG_ID));

	/* not attached */
	ASSERT_EQ(0, set_command(self->dfd, 0x6));
	st = copy(self->dfd, src, dst, 64, 0);
	EXPECT_EQ(IOMMU_MOCK_PCI_STATUS_DONE |
		  IOMMU_MOCK_PCI_FAULT_DETACHED << 8, st);

	/* attach to the IOAS: an automatic HWPT's ID comes back */
	ASSERT_EQ(0, attach(self->dfd, &pt));
	EXPECT_NE(self->ioas, pt);
	ASSERT_EQ(0, mock_obj_info(self->ifd, pt, &oi));
	EXPECT_EQ(IOMMU_MOCK_OBJ_HWPT_PAGING, oi.out_type);
	ASSERT_EQ(0, ioas_map_fixed(self->ifd, self->ioas, buf, len, src));
	ASSERT_EQ(0, ioas_map_fixed(self->ifd, self->ioas, buf + len, len, dst));
	ASSERT_EQ(0, ioas_map_flags(self->ifd, self->ioas,
				    IOMMU_IOAS_MAP_READABLE | IOMMU_IOAS_MAP_FIXED_IOVA,
				    buf + len, len, &ro));

	st = copy(self->dfd, src + 8, dst + 100, len - 200, 0);
	EXPECT_EQ(IOMMU_MOCK_PCI_STATUS_DONE, st);
	EXPECT_EQ(0, memcmp(buf + 8, buf + len + 100, len - 200));
	count = reg32(self->dfd, IOMMU_MOCK_PCI_REG_COUNT);
	EXPECT_EQ(2, count);

	/* the other way round */
	memset(buf + len, 0x5a, 64);
	st = copy(self->dfd, src, dst, 64, IOMMU_MOCK_PCI_CTRL_REVERSE);
	EXPECT_EQ(IOMMU_MOCK_PCI_STATUS_DONE, st);
	EXPECT_EQ(0x5a, buf[0]);
	EXPECT_EQ(0x5a, buf[63]);

	/* an unmapped IOVA, a read-only one: fault codes and the IOVA */
	st = copy(self->dfd, src + len - 16, dst, 64, 0);
	EXPECT_EQ(IOMMU_MOCK_PCI_STATUS_DONE |
		  IOMMU_MOCK_PCI_FAULT_UNMAPPED << 8, st);
	ASSERT_EQ(0, reg_read(self->dfd, IOMMU_MOCK_PCI_REG_FAULT_IOVA, &fault, 8));
	EXPECT_EQ(src + len, fault);
	st = copy(self->dfd, src, ro + 8, 64, 0);
	EXPECT_EQ(IOMMU_MOCK_PCI_STATUS_DONE | IOMMU_MOCK_PCI_FAULT_PERM << 8, st);
	ASSERT_EQ(0, reg_read(self->dfd, IOMMU_MOCK_PCI_REG_FAULT_IOVA, &fault, 8));
	EXPECT_EQ(ro + 8, fault);
	st = copy(self->dfd, src, dst, 0, 0);
	EXPECT_EQ(IOMMU_MOCK_PCI_STATUS_DONE | IOMMU_MOCK_PCI_FAULT_LENGTH << 8, st);

	/* no bus mastering, no DMA */
	ASSERT_EQ(0, set_command(self->dfd, 0x2));
	st = copy(self->dfd, src, dst, 64, 0);
	EXPECT_EQ(IOMMU_MOCK_PCI_STATUS_DONE | IOMMU_MOCK_PCI_FAULT_MASTER << 8, st);

	/* unmap takes effect at once */
	ASSERT_EQ(0, set_command(self->dfd, 0x6));
	ASSERT_EQ(0, ioas_unmap(self->ifd, self->ioas, dst, len, NULL));
	st = copy(self->dfd, src, dst, 64, 0);
	EXPECT_EQ(IOMMU_MOCK_PCI_STATUS_DONE |
		  IOMMU_MOCK_PCI_FAULT_UNMAPPED << 8, st);

	/* detach: the automatic HWPT goes, DMA stops */
	EXPECT_EQ(0, detach(self->dfd));
	EXPECT_TRUE(mock_obj_gone(self->ifd, pt));
	st = copy(self->dfd, src, dst, 64, 0);
	EXPECT_EQ(IOMMU_MOCK_PCI_STATUS_DONE |
		  IOMMU_MOCK_PCI_FAULT_DETACHED << 8, st);
	EXPECT_EQ(0, detach(self->dfd));

	/* reset clears the engine and the command register */
	EXPECT_EQ(0, mock_ioctl(self->dfd, VFIO_DEVICE_RESET, NULL));
	EXPECT_EQ(-EIO, reg_read(self->dfd, 0, &id, 4));
	munmap(buf, 2 * len);
}

TEST_F(vfio, attach_errors)
{
	struct t_attach a = { .argsz = 12, .pt_id = self->ioas };
	struct t_attach *ro = mmap(NULL, MOCK_PAGE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint32_t pt = self->ioas, pt2, ioas2, st;

	ASSERT_EQ(0, bind(self->dfd, self->ifd, &self->devid));
	a.argsz = 8;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, T_ATTACH, &a));
	a.argsz = 12;
	a.flags = 2;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, T_ATTACH, &a));
	a.flags = 1;	/* PASID without room for it */
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, T_ATTACH, &a));
	a.flags = 0;
	a.pt_id = 0xffff;
	EXPECT_EQ(-ENOENT, mock_ioctl(self->dfd, T_ATTACH, &a));
	a.pt_id = self->devid;
	EXPECT_EQ(-EINVAL, mock_ioctl(self->dfd, T_ATTACH, &a));
	EXPECT_EQ(-EFAULT, mock_ioctl(self->dfd, T_ATTACH, NULL));

	/* an EFAULT on the reply attaches nothing and leaves no HWPT */
	ASSERT_NE(MAP_FAILED, ro);
	*ro = (struct t_attach){ .argsz = 12, .pt_id = self->ioas };
	ASSERT_EQ(0, mprotect(ro, MOCK_PAGE, PROT_READ));
	EXPECT_EQ(-EFAULT, mock_ioctl(self->dfd, T_ATTACH, ro));
	munmap(ro, MOCK_PAGE);
	ASSERT_EQ(0, set_command(self->dfd, 0x6));
	st = copy(self->dfd, 0, 0x1000, 8, 0);
	EXPECT_EQ(IOMMU_MOCK_PCI_STATUS_DONE |
		  IOMMU_MOCK_PCI_FAULT_DETACHED << 8, st);
	EXPECT_EQ(0, mock_destroy(self->ifd, self->ioas));
	ASSERT_EQ(0, ioas_alloc(self->ifd, &self->ioas));
	pt = self->ioas;
	ASSERT_EQ(0, attach(self->dfd, &pt));
	/* attach again = replace, here to another IOAS */
	ASSERT_EQ(0, ioas_alloc(self->ifd, &ioas2));
	pt2 = ioas2;
	ASSERT_EQ(0, attach(self->dfd, &pt2));
	EXPECT_NE(pt, pt2);
	EXPECT_TRUE(mock_obj_gone(self->ifd, pt));
	EXPECT_EQ(-EBUSY, mock_destroy(self->ifd, ioas2));
	EXPECT_EQ(0, detach(self->dfd));
	EXPECT_EQ(0, mock_destroy(self->ifd, ioas2));
}

TEST_F(vfio, irqs)
{
	int efd[2] = { eventfd(0, EFD_NONBLOCK), eventfd(0, EFD_NONBLOCK) };
	int req = eventfd(0, EFD_NONBLOCK);
	uint32_t pt = self->ioas, st;
	uint64_t n = 0;
	uint8_t *buf = mmap(NULL, MOCK_PAGE, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int32_t bad = -2, one = 1000;

	ASSERT_LE(0, efd[0]);
	ASSERT_LE(0, efd[1]);
	ASSERT_LE(0, req);
	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, bind(self->dfd, self->ifd, NULL));
	ASSERT_EQ(0, attach(self->dfd, &pt));
	ASSERT_EQ(0, ioas_map_fixed(self->ifd, self->ioas, buf, MOCK_PAGE, 0x10000));
	ASSERT_EQ(0, set_command(self->dfd, 0x6));

	/* upstream's validation: no INTx or MSI here, ranges, flags, data */
	EXPECT_EQ(-EINVAL, set_irq_fds(self->dfd, VFIO_PCI_INTX_IRQ_INDEX, 0, 1, efd,
				       VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER));
	EXPECT_EQ(-EINVAL, set_irq_fds(self->dfd, VFIO_PCI_MSI_IRQ_INDEX, 0, 0, NULL,
				       VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER));
	EXPECT_EQ(-EINVAL, set_irq_fds(self->dfd, VFIO_PCI_MSIX_IRQ_INDEX, 1, 2, efd,
				       VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER));
	EXPECT_EQ(-EINVAL, set_irq_fds(self->dfd, 9, 0, 1, efd,
				       VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER));
	EXPECT_EQ(-EINVAL, set_irq_fds(self->dfd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, efd,
				       VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_DATA_BOOL |
				       VFIO_IRQ_SET_ACTION_TRIGGER));
	EXPECT_EQ(-ENOTTY, set_irq_fds(self->dfd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, NULL,
				       VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_MASK));
	EXPECT_EQ(-EINVAL, set_irq_fds(self->dfd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &bad,
				       VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER));
	EXPECT_EQ(-EBADF, set_irq_fds(self->dfd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 1, &one,
				      VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER));
	/* disabling what was never enabled */
	EXPECT_EQ(-EINVAL, set_irq_fds(self->dfd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0, NULL,
				       VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER));

	/* both vectors; a copy with CTRL_IRQ fires vector 0 */
	ASSERT_EQ(0, set_irq_fds(self->dfd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 2, efd,
				 VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER));
	st = copy(self->dfd, 0x10000, 0x10800, 64, IOMMU_MOCK_PCI_CTRL_IRQ);
	EXPECT_EQ(IOMMU_MOCK_PCI_STATUS_DONE, st);
	EXPECT_EQ(8, read(efd[0], &n, 8));
	EXPECT_EQ(1, n);
	EXPECT_EQ(-1, read(efd[1], &n, 8));
	/* without CTRL_IRQ, none */
	copy(self->dfd, 0x10000, 0x10800, 64, 0);
	EXPECT_EQ(-1, read(efd[0], &n, 8));
	/* loopback of vector 1 */
	EXPECT_EQ(0, set_irq_fds(self->dfd, VFIO_PCI_MSIX_IRQ_INDEX, 1, 1, NULL,
				 VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER));
	EXPECT_EQ(8, read(efd[1], &n, 8));
	/* disable: the copy fires nothing */
	EXPECT_EQ(0, set_irq_fds(self->dfd, VFIO_PCI_MSIX_IRQ_INDEX, 0, 0, NULL,
				 VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER));
	copy(self->dfd, 0x10000, 0x10800, 64, IOMMU_MOCK_PCI_CTRL_IRQ);
	EXPECT_EQ(-1, read(efd[0], &n, 8));

	/* the request interrupt: removal asks the user to let go */
	EXPECT_EQ(0, set_irq_fds(self->dfd, VFIO_PCI_REQ_IRQ_INDEX, 0, 1, &req,
				 VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER));
	EXPECT_EQ(-EBUSY, vfio_remove(0, SID + 1));
	EXPECT_EQ(8, read(req, &n, 8));
	EXPECT_EQ(-EINVAL, set_irq_fds(self->dfd, VFIO_PCI_REQ_IRQ_INDEX, 0, 0, NULL,
				       VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER));
	EXPECT_EQ(-ENOTTY, set_irq_fds(self->dfd, VFIO_PCI_ERR_IRQ_INDEX, 0, 1, NULL,
				       VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK));
	close(efd[0]);
	close(efd[1]);
	close(req);
	munmap(buf, MOCK_PAGE);
}

/* Closing the bound file detaches and unbinds: nothing is left behind */
TEST_F(vfio, close_cleans_up)
{
	uint32_t pt = self->ioas;
	int ifd2;
	void *buf = mmap(NULL, MOCK_PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	ASSERT_NE(MAP_FAILED, buf);
	ASSERT_EQ(0, bind(self->dfd, self->ifd, &self->devid));
	ASSERT_EQ(0, attach(self->dfd, &pt));
	ASSERT_EQ(0, ioas_map_fixed(self->ifd, self->ioas, buf, MOCK_PAGE, 0x10000));
	EXPECT_EQ(-EBUSY, mock_destroy(self->ifd, self->ioas));
	close(self->dfd);
	self->dfd = -1;
	EXPECT_TRUE(mock_obj_gone(self->ifd, self->devid));
	EXPECT_TRUE(mock_obj_gone(self->ifd, pt));
	EXPECT_EQ(0, mock_destroy(self->ifd, self->ioas));
	/* the device can be opened and bound again, to another iommufd */
	self->dfd = vfio_open(0, SID + 1);
	ASSERT_LE(0, self->dfd);
	ifd2 = mock_open();
	ASSERT_LE(0, ifd2);
	EXPECT_EQ(0, bind(self->dfd, ifd2, NULL));
	/* the iommufd stays alive while the device file holds it */
	close(ifd2);
	EXPECT_EQ(0, mock_ioctl(self->dfd, VFIO_DEVICE_RESET, NULL));
	munmap(buf, MOCK_PAGE);
}

TEST_HARNESS_MAIN
