/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Quality of service of mediated devices: the qos/ attribute group.
 *
 * A driver describes what each of its mdev types offers (struct
 * mdev_qos_type) and how to apply a knob and read its counters (struct
 * mdev_qos_ops); the helper provides the files, their modes, parsing and
 * canonical formatting.  See Documentation/driver-api/vfio-mediated-device-qos.rst.
 */
#ifndef MDEV_QOS_H
#define MDEV_QOS_H

#include <linux/bits.h>
#include <linux/mutex.h>
#include <linux/sysfs.h>
#include <linux/types.h>

struct mdev_device;

/**
 * enum mdev_qos_file - the files of the qos/ group
 * @MDEV_QOS_CAP: ``cap``, the most of the parent's time, in percent
 * @MDEV_QOS_WEIGHT: ``weight``, the relative share within a level
 * @MDEV_QOS_PRIORITY: ``priority``, the level served strictly
 * @MDEV_QOS_TIMESLICE: ``timeslice_us``, the scheduling quantum
 * @MDEV_QOS_USAGE: ``usage_us``, device time received
 * @MDEV_QOS_THROTTLED: ``throttled_us``, time held back by the cap
 * @MDEV_QOS_WAIT: ``wait_us``, time with work but not running
 * @MDEV_QOS_NR_SLICES: ``nr_slices``, how often the mdev was dispatched
 * @MDEV_QOS_DOMAIN: ``domain``, the scheduling domain (engine) it shares
 * @MDEV_QOS_SHARING: ``sharing``, the sharing guarantee the driver gives
 * @MDEV_QOS_CAP_PERIOD: ``cap_period_us``, the period the cap holds over
 * @MDEV_QOS_NR_FILES: the number of files
 *
 * The first three are the knobs; a type offers a subset of the files as a
 * mask of BIT(enum mdev_qos_file).
 */
enum mdev_qos_file {
	MDEV_QOS_CAP,
	MDEV_QOS_WEIGHT,
	MDEV_QOS_PRIORITY,
	MDEV_QOS_TIMESLICE,
	MDEV_QOS_USAGE,
	MDEV_QOS_THROTTLED,
	MDEV_QOS_WAIT,
	MDEV_QOS_NR_SLICES,
	MDEV_QOS_DOMAIN,
	MDEV_QOS_SHARING,
	MDEV_QOS_CAP_PERIOD,
	MDEV_QOS_NR_FILES,
};

/* every file of the group */
#define MDEV_QOS_FILES_ALL	GENMASK(MDEV_QOS_NR_FILES - 1, 0)
/* the observable part only: device time received and the quantum */
#define MDEV_QOS_FILES_USAGE	(BIT(MDEV_QOS_TIMESLICE) | BIT(MDEV_QOS_USAGE))

/**
 * enum mdev_qos_level - the priority levels, lowest first
 * @MDEV_QOS_BACKGROUND: served only when no higher level has work
 * @MDEV_QOS_STANDARD: the default level
 * @MDEV_QOS_URGENT: served first
 * @MDEV_QOS_NR_LEVELS: the number of levels
 */
enum mdev_qos_level {
	MDEV_QOS_BACKGROUND,
	MDEV_QOS_STANDARD,
	MDEV_QOS_URGENT,
	MDEV_QOS_NR_LEVELS,
};

#define MDEV_QOS_LEVELS_ALL	GENMASK(MDEV_QOS_NR_LEVELS - 1, 0)

/**
 * enum mdev_qos_sharing - how the mdevs of a type share the device
 * @MDEV_QOS_WORK_CONSERVING: the time goes to the mdevs with work; an idle
 *	mdev neither receives nor dilutes
 * @MDEV_QOS_RESERVED: every mdev holds a share computed over all mdevs of
 *	its domain, busy or idle, and receives at least that when it has work
 * @MDEV_QOS_NR_SHARING: the number of guarantees
 */
enum mdev_qos_sharing {
	MDEV_QOS_WORK_CONSERVING,
	MDEV_QOS_RESERVED,
	MDEV_QOS_NR_SHARING,
};

#define MDEV_QOS_CAP_MAX	100
#define MDEV_QOS_WEIGHT_MAX	10000
#define MDEV_QOS_WEIGHT_DEFAULT	100
#define MDEV_QOS_LEVEL_DEFAULT	MDEV_QOS_STANDARD

/**
 * struct mdev_qos_type - what the mdevs of one type offer
 * @files: the files their qos/ has, a mask of BIT(enum mdev_qos_file);
 *	0 means no QoS and no qos/ directory
 * @fixed: the knobs the type fixes, a mask of BIT(MDEV_QOS_CAP),
 *	BIT(MDEV_QOS_WEIGHT) and BIT(MDEV_QOS_PRIORITY): such a file has
 *	mode 0444 and reads the value below
 * @levels: the supported priority levels, a mask of BIT(enum mdev_qos_level)
 *	that holds MDEV_QOS_LEVEL_DEFAULT and at least one other level
 * @cap: the cap of a new mdev (MDEV_QOS_CAP_MAX: uncapped), or the fixed cap
 * @weight: the weight of a new mdev (MDEV_QOS_WEIGHT_DEFAULT), or the fixed one
 * @priority: the level of a new mdev (MDEV_QOS_LEVEL_DEFAULT), or the fixed one
 * @sharing: what ``sharing`` reads, when @files has BIT(MDEV_QOS_SHARING)
 * @cap_period_us: what ``cap_period_us`` reads (0: the timeslice, a cap held
 *	within every quantum), when @files has BIT(MDEV_QOS_CAP_PERIOD)
 *
 * A knob the type does not offer is in force at its default value.
 */
struct mdev_qos_type {
	unsigned long files;
	unsigned long fixed;
	unsigned long levels;
	unsigned int cap;
	unsigned int weight;
	enum mdev_qos_level priority;
	enum mdev_qos_sharing sharing;
	u32 cap_period_us;
};

/**
 * struct mdev_qos_stats - the counters of one mdev, read at one instant
 * @usage_us: device time the mdev received, in microseconds
 * @throttled_us: time it had work but was held back by its cap
 * @wait_us: time it had work but did not run, throttled time included
 * @nr_slices: how many times it was dispatched
 *
 * Every counter starts at 0 when the mdev is created and only grows.
 */
struct mdev_qos_stats {
	u64 usage_us;
	u64 throttled_us;
	u64 wait_us;
	u64 nr_slices;
};

struct mdev_qos;

/**
 * struct mdev_qos_ops - how the driver applies and accounts QoS
 * @apply: make @value the mdev's @knob (MDEV_QOS_CAP, MDEV_QOS_WEIGHT or
 *	MDEV_QOS_PRIORITY, then an enum mdev_qos_level).  The helper has
 *	parsed and range-checked the value and holds &qos->lock, which
 *	serialises the changes of one mdev.  Returns 0 or a negative errno,
 *	which the write returns unchanged; on an error the knob keeps its old
 *	value.  A valid value the device does not apply is -EIO (the device
 *	or its firmware refused it) or -EPERM (not applicable on this device
 *	in its present state); -EINVAL stays the helper's, for malformed or
 *	out-of-range input.  Optional when no type of the driver has a
 *	writable knob.
 * @round: for a device that applies only some values of ``cap`` or
 *	``weight``: the value it applies for a written @value of @knob
 *	(MDEV_QOS_CAP or MDEV_QOS_WEIGHT), an applicable value nearest @value
 *	(of two equally near, either) within the knob's range, and @value
 *	itself for an applicable value.  The helper passes the rounded value
 *	to @apply and the knob reads it.  Called with &qos->lock held.
 *	Optional: without it every value of the range is applied as written.
 * @read_stats: fill @stats with the mdev's counters as of now.  May sleep.
 *	Optional when no type offers a counter.
 */
struct mdev_qos_ops {
	int (*apply)(struct mdev_qos *qos, enum mdev_qos_file knob,
		     unsigned int value);
	unsigned int (*round)(struct mdev_qos *qos, enum mdev_qos_file knob,
			      unsigned int value);
	void (*read_stats)(struct mdev_qos *qos, struct mdev_qos_stats *stats);
};

/**
 * struct mdev_qos - the QoS state of one mdev, embedded in the driver's
 *	per-mdev structure
 * @type: what the mdev's type offers
 * @ops: the driver's callbacks
 * @timeslice_us: the scheduling quantum, in microseconds
 * @domain: the name of the scheduling domain ``domain`` reads; NULL: the
 *	parent's device name (each parent is one engine)
 *
 * Set up with mdev_qos_init(); only @type, @ops, @timeslice_us and @domain
 * may be read by the driver (which may set @domain before mdev_qos_add()),
 * and mdev_qos_get() reads a knob.  The helper holds
 * the private lock around &mdev_qos_ops.apply.
 */
struct mdev_qos {
	const struct mdev_qos_type *type;
	const struct mdev_qos_ops *ops;
	u32 timeslice_us;
	const char *domain;
	/* private: */
	/* serialises knob changes */
	struct mutex lock;
	/* the mdev, from mdev_qos_add() to mdev_qos_del() */
	struct mdev_device *mdev;
	/* the knobs in force, indexed by MDEV_QOS_CAP, _WEIGHT, _PRIORITY */
	unsigned int values[MDEV_QOS_TIMESLICE];
};

int mdev_qos_init(struct mdev_qos *qos, const struct mdev_qos_type *type,
		  const struct mdev_qos_ops *ops, u32 timeslice_us);
int mdev_qos_add(struct mdev_qos *qos, struct mdev_device *mdev);
void mdev_qos_del(struct mdev_qos *qos);
unsigned int mdev_qos_get(struct mdev_qos *qos, enum mdev_qos_file knob);

extern const struct attribute_group mdev_qos_group;

struct mdev_type;
struct mdev_qos_offer;

struct mdev_qos_offer *mdev_qos_offer_add(struct mdev_type *mtype,
					  const struct mdev_qos_type *type,
					  u32 timeslice_us, const char *domain);
void mdev_qos_offer_del(struct mdev_qos_offer *offer);

#endif /* MDEV_QOS_H */
