// SPDX-License-Identifier: GPL-2.0
/*
 * mock_pci: the qtest programs' helpers for iommufd_mock's VFIO mock
 * devices (see mock_pci.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/iommufd_mock_pci.h>

#include "mock_pci.h"

int mock_pci_sysfs(const char *attr, int inst, unsigned int sid)
{
	char path[128], text[32];
	int fd, rc;

	snprintf(path, sizeof(path), "/sys/bus/mockiommu/%s", attr);
	snprintf(text, sizeof(text), "%d 0x%x", inst, sid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	rc = write(fd, text, strlen(text)) < 0 ? -errno : 0;
	close(fd);
	return rc;
}

void mock_pci_sysfsdev(int inst, unsigned int sid, char *buf, size_t size)
{
	snprintf(buf, size, "/sys/bus/mockiommu/devices/mockiommu%d.%04x", inst, sid);
}

int mock_pci_vfio_name(int inst, unsigned int sid, char *name, size_t size)
{
	char path[160];
	struct dirent *d;
	DIR *dir;
	int rc = -1;

	mock_pci_sysfsdev(inst, sid, path, sizeof(path) - 10);
	strcat(path, "/vfio-dev");
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		if (!strncmp(d->d_name, "vfio", 4) && strlen(d->d_name) < size) {
			memcpy(name, d->d_name, strlen(d->d_name) + 1);
			rc = 0;
			break;
		}
	}
	if (dir)
		closedir(dir);
	return rc;
}

uint32_t mock_pci_copy(struct qtc *q, uint64_t bar0, uint64_t src, uint64_t dst,
		       uint32_t len, uint32_t ctrl)
{
	qtc_writeq(q, bar0 + IOMMU_MOCK_PCI_REG_SRC, src);
	qtc_writeq(q, bar0 + IOMMU_MOCK_PCI_REG_DST, dst);
	qtc_writel(q, bar0 + IOMMU_MOCK_PCI_REG_LENGTH, len);
	qtc_writel(q, bar0 + IOMMU_MOCK_PCI_REG_CTRL, ctrl);
	qtc_writel(q, bar0 + IOMMU_MOCK_PCI_REG_DOORBELL, IOMMU_MOCK_PCI_DOORBELL_GO);
	return qtc_readl(q, bar0 + IOMMU_MOCK_PCI_REG_STATUS);
}

long mock_pci_module_refcnt(void)
{
	FILE *f = fopen("/sys/module/iommufd_mock/refcnt", "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}
