/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Transcript helpers shared by the parts of vmm_demo (defined in
 * vmm_demo.c): numbered steps, explanations, ioctl lines with their inputs
 * and result, and the one way out when a call does not behave as the uAPI
 * headers say (exit code 1).
 */
#ifndef DEMO_H
#define DEMO_H

#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The iommufd every call() of the current part goes to. */
extern int fd;
/* Number of the last step() printed; die() names it. */
extern int step_no;

/* "EINVAL" for EINVAL, "0" for 0, "errno N" for the rest. */
const char *errname(int err);

/* Print "FAILED in step N: ..." on stderr and exit(1). */
void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...);

/* "[N] title" */
void __attribute__((format(printf, 1, 2))) step(const char *fmt, ...);

/* An explanation, word-wrapped under the step title. */
void __attribute__((format(printf, 1, 2))) why(const char *fmt, ...);

/* Output lines of an ioctl, or a result the VMM derived. */
void __attribute__((format(printf, 1, 2))) out(const char *fmt, ...);

/* ioctl(fd, @req, @arg), printed as "ioctl(NAME, {inputs}) = RESULT". */
int __attribute__((format(printf, 4, 5)))
call(const char *name, unsigned long req, void *arg, const char *fmt, ...);

/* Like call(), but any failure ends the demo. */
void __attribute__((format(printf, 4, 5)))
xcall(const char *name, unsigned long req, void *arg, const char *fmt, ...);

/* A refusal the VMM must expect: exactly @want, nothing else. */
void expect_err(int err, int want, const char *name, const char *rule);

/* demo/smmuv3_part.c: the second VM, with a vSMMU over the SMMUv3 instance. */
/* IOMMU_DESTROY of @id, printed; exit(1) on failure. */
void destroy_obj(uint32_t id, const char *what);

/* The first 48 bytes at @p (guest page @gpa) as text, '.' for the rest. */
void show_guest_text(const char *name, uint64_t gpa, const unsigned char *p);

/*
 * die() unless the IOTLB counters of IOMMU_MOCK_OBJECT_INFO moved by
 * exactly @hits, @misses and @inval from @before to @after.
 */
void expect_tlb_delta(const struct iommu_mock_object_info *before,
		      const struct iommu_mock_object_info *after,
		      uint64_t hits, uint64_t misses, uint64_t inval,
		      const char *what);

void smmuv3_part(const char *path);

/* demo/vtd_part.c: the third VM, with a VT-d vIOMMU over the VT-d instance. */
void vtd_part(const char *path);

#endif
