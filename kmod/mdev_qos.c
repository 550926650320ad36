// SPDX-License-Identifier: GPL-2.0
/*
 * Quality of service of mediated devices: the per-mdev qos/ attribute group.
 *
 * The driver embeds a struct mdev_qos in its per-mdev state, describes what
 * the mdev's type offers and how to apply a knob and read the counters, and
 * lists mdev_qos_group in its driver.dev_groups.  This file owns the ABI:
 * which files exist, their modes, the write grammar, range checks and the
 * canonical form of every read, so that it is the same for every driver.
 */
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/lockdep.h>
#include <linux/mdev.h>
#include <linux/mdev_qos.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#ifdef MDEV_QOS_OUT_OF_TREE
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("The qos/ attribute group of mediated devices");
#ifndef SYSFS_GROUP_INVISIBLE
/*
 * Before Linux 6.9 a named group in driver.dev_groups gets its directory
 * even when is_visible() hides every file, so an mdev without QoS would
 * have an empty qos/.  There the exported group is inert and
 * mdev_qos_add() adds the real one only for a type that offers QoS.
 */
#define MDEV_QOS_GROUP_BY_HAND
#endif
#endif

static const char * const mdev_qos_level_names[MDEV_QOS_NR_LEVELS] = {
	[MDEV_QOS_BACKGROUND] = "background",
	[MDEV_QOS_STANDARD] = "standard",
	[MDEV_QOS_URGENT] = "urgent",
};

#define MDEV_QOS_KNOBS	(BIT(MDEV_QOS_CAP) | BIT(MDEV_QOS_WEIGHT) | \
			 BIT(MDEV_QOS_PRIORITY))
#define MDEV_QOS_COUNTERS	(BIT(MDEV_QOS_USAGE) | BIT(MDEV_QOS_THROTTLED) | \
				 BIT(MDEV_QOS_WAIT) | BIT(MDEV_QOS_NR_SLICES))

/*
 * The mdev's struct mdev_qos is found through a device resource, since the
 * driver data of an mdev belongs to the driver (VFIO keeps its vfio_device
 * there).  The resource holds a pointer and is removed by mdev_qos_del().
 */
static void mdev_qos_devres_release(struct device *dev, void *res)
{
}

static struct mdev_qos *mdev_qos_from_dev(struct device *dev)
{
	struct mdev_qos **ref;

	ref = devres_find(dev, mdev_qos_devres_release, NULL, NULL);
	return ref ? *ref : NULL;
}

/* the value a knob the type does not offer is in force at */
static unsigned int mdev_qos_default(enum mdev_qos_file knob)
{
	switch (knob) {
	case MDEV_QOS_CAP:
		return MDEV_QOS_CAP_MAX;
	case MDEV_QOS_WEIGHT:
		return MDEV_QOS_WEIGHT_DEFAULT;
	default:
		return MDEV_QOS_LEVEL_DEFAULT;
	}
}

static unsigned int mdev_qos_type_value(const struct mdev_qos_type *type,
					enum mdev_qos_file knob)
{
	switch (knob) {
	case MDEV_QOS_CAP:
		return type->cap;
	case MDEV_QOS_WEIGHT:
		return type->weight;
	default:
		return type->priority;
	}
}

static bool mdev_qos_in_range(const struct mdev_qos_type *type,
			      enum mdev_qos_file knob, unsigned int value)
{
	switch (knob) {
	case MDEV_QOS_CAP:
		return value >= 1 && value <= MDEV_QOS_CAP_MAX;
	case MDEV_QOS_WEIGHT:
		return value >= 1 && value <= MDEV_QOS_WEIGHT_MAX;
	default:
		return value < MDEV_QOS_NR_LEVELS && type->levels & BIT(value);
	}
}

static int mdev_qos_check_type(const struct mdev_qos_type *type,
			       const struct mdev_qos_ops *ops)
{
	enum mdev_qos_file knob;

	if (type->files & ~MDEV_QOS_FILES_ALL || type->fixed & ~MDEV_QOS_KNOBS)
		return -EINVAL;
	if (!type->files)
		return 0;
	/* qos/ always has usage_us and timeslice_us */
	if ((type->files & MDEV_QOS_FILES_USAGE) != MDEV_QOS_FILES_USAGE)
		return -EINVAL;
	if ((type->files & MDEV_QOS_COUNTERS) && !ops->read_stats)
		return -EINVAL;
	if ((type->files & MDEV_QOS_KNOBS & ~type->fixed) && !ops->apply)
		return -EINVAL;
	/* a cap period only with the cap, at most one second */
	if (type->files & BIT(MDEV_QOS_CAP_PERIOD) &&
	    (!(type->files & BIT(MDEV_QOS_CAP)) ||
	     type->cap_period_us > USEC_PER_SEC))
		return -EINVAL;
	if (type->files & BIT(MDEV_QOS_SHARING) &&
	    type->sharing >= MDEV_QOS_NR_SHARING)
		return -EINVAL;
	if (type->files & BIT(MDEV_QOS_PRIORITY) &&
	    (type->levels & ~MDEV_QOS_LEVELS_ALL ||
	     !(type->levels & BIT(MDEV_QOS_LEVEL_DEFAULT)) ||
	     hweight_long(type->levels) < 2))
		return -EINVAL;
	for (knob = MDEV_QOS_CAP; knob <= MDEV_QOS_PRIORITY; knob++)
		if (type->files & BIT(knob) &&
		    !mdev_qos_in_range(type, knob,
				       mdev_qos_type_value(type, knob)))
			return -EINVAL;
	return 0;
}

/**
 * mdev_qos_init() - set up the QoS state of a new mdev
 * @qos: the state, embedded in the driver's per-mdev structure
 * @type: what the mdev's type offers; must outlive the mdev
 * @ops: the driver's callbacks; must outlive the mdev
 * @timeslice_us: the scheduling quantum that timeslice_us reads
 *
 * Call it from the mdev driver's probe() before mdev_qos_add().  The knobs
 * start at the type's values (at their defaults where the type does not
 * offer them); mdev_qos_get() reads them, so that the driver can set up its
 * scheduler before the files appear.
 *
 * Return: 0, or -EINVAL if @type is not a valid offer (a level set without
 * the default level, a value out of range, a missing callback).
 */
int mdev_qos_init(struct mdev_qos *qos, const struct mdev_qos_type *type,
		  const struct mdev_qos_ops *ops, u32 timeslice_us)
{
	enum mdev_qos_file knob;

	if (mdev_qos_check_type(type, ops))
		return -EINVAL;

	qos->type = type;
	qos->ops = ops;
	qos->timeslice_us = timeslice_us;
	qos->mdev = NULL;
	mutex_init(&qos->lock);
	for (knob = MDEV_QOS_CAP; knob <= MDEV_QOS_PRIORITY; knob++)
		qos->values[knob] = type->files & BIT(knob) ?
				    mdev_qos_type_value(type, knob) :
				    mdev_qos_default(knob);
	return 0;
}
EXPORT_SYMBOL_GPL(mdev_qos_init);

/**
 * mdev_qos_get() - read a knob of an mdev
 * @qos: the mdev's QoS state
 * @knob: MDEV_QOS_CAP, MDEV_QOS_WEIGHT or MDEV_QOS_PRIORITY
 *
 * Needs no lock: a knob changes in one store, after &mdev_qos_ops.apply
 * accepted it.
 *
 * Return: the value in force (as &mdev_qos_ops.round gave it, for a driver
 * that rounds); an enum mdev_qos_level for MDEV_QOS_PRIORITY.
 */
unsigned int mdev_qos_get(struct mdev_qos *qos, enum mdev_qos_file knob)
{
	if (WARN_ON_ONCE(knob > MDEV_QOS_PRIORITY))
		return 0;
	return READ_ONCE(qos->values[knob]);
}
EXPORT_SYMBOL_GPL(mdev_qos_get);

/*
 * Apply a parsed, range-checked value through the driver: rounded first to a
 * value the device applies, if the driver rounds, so that the knob reads
 * what is in force.  The driver's error (-EIO, -EPERM) goes back to the
 * writer as it is, and the knob keeps its old value.
 */
static int mdev_qos_set(struct mdev_qos *qos, enum mdev_qos_file knob,
			unsigned int value)
{
	int ret;

	lockdep_assert_held(&qos->lock);
	if (knob != MDEV_QOS_PRIORITY && qos->ops->round) {
		value = qos->ops->round(qos, knob, value);
		if (WARN_ON_ONCE(!mdev_qos_in_range(qos->type, knob, value)))
			return -EIO;
	}
	if (qos->values[knob] == value)
		return 0;
	ret = qos->ops->apply(qos, knob, value);
	if (!ret)
		WRITE_ONCE(qos->values[knob], value);
	return ret;
}

/*
 * The numeric grammar: kstrtouint() takes an optional '+', decimal digits
 * and one trailing newline, and gives -ERANGE beyond 32 bits.  It stops at
 * a NUL, which sysfs passes on inside the buffer, so that is refused here.
 */
static int mdev_qos_parse(const struct mdev_qos_type *type,
			  enum mdev_qos_file knob, const char *buf,
			  size_t count, unsigned int *value)
{
	int ret;

	if (strnlen(buf, count) != count)
		return -EINVAL;
	if (knob == MDEV_QOS_PRIORITY) {
		/* an exact level name, at most one trailing newline */
		ret = sysfs_match_string(mdev_qos_level_names, buf);
		if (ret < 0)
			return -EINVAL;
		*value = ret;
	} else {
		ret = kstrtouint(buf, 10, value);
		if (ret)
			return ret;
	}
	return mdev_qos_in_range(type, knob, *value) ? 0 : -EINVAL;
}

static ssize_t mdev_qos_store(struct device *dev, enum mdev_qos_file knob,
			      const char *buf, size_t count)
{
	struct mdev_qos *qos = mdev_qos_from_dev(dev);
	unsigned int value;
	int ret;

	if (!qos)
		return -ENODEV;
	/* root passes the 0444 mode check; the type still owns the value */
	if (qos->type->fixed & BIT(knob))
		return -EACCES;
	ret = mdev_qos_parse(qos->type, knob, buf, count, &value);
	if (ret)
		return ret;

	mutex_lock(&qos->lock);
	ret = mdev_qos_set(qos, knob, value);
	mutex_unlock(&qos->lock);
	return ret ?: count;
}

static ssize_t mdev_qos_show_number(struct device *dev,
				    enum mdev_qos_file knob, char *buf)
{
	struct mdev_qos *qos = mdev_qos_from_dev(dev);

	if (!qos)
		return -ENODEV;
	return sysfs_emit(buf, "%u\n", mdev_qos_get(qos, knob));
}

static ssize_t cap_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	return mdev_qos_show_number(dev, MDEV_QOS_CAP, buf);
}

static ssize_t cap_store(struct device *dev, struct device_attribute *attr,
			 const char *buf, size_t count)
{
	return mdev_qos_store(dev, MDEV_QOS_CAP, buf, count);
}
static DEVICE_ATTR_RW(cap);

static ssize_t weight_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return mdev_qos_show_number(dev, MDEV_QOS_WEIGHT, buf);
}

static ssize_t weight_store(struct device *dev, struct device_attribute *attr,
			    const char *buf, size_t count)
{
	return mdev_qos_store(dev, MDEV_QOS_WEIGHT, buf, count);
}
static DEVICE_ATTR_RW(weight);

/* the supported levels, lowest first, the active one in brackets */
static ssize_t priority_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct mdev_qos *qos = mdev_qos_from_dev(dev);
	unsigned int active, level;
	int len = 0;

	if (!qos)
		return -ENODEV;
	active = mdev_qos_get(qos, MDEV_QOS_PRIORITY);
	for (level = 0; level < MDEV_QOS_NR_LEVELS; level++) {
		if (!(qos->type->levels & BIT(level)))
			continue;
		len += sysfs_emit_at(buf, len,
				     level == active ? "%s[%s]" : "%s%s",
				     len ? " " : "", mdev_qos_level_names[level]);
	}
	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t priority_store(struct device *dev,
			      struct device_attribute *attr,
			      const char *buf, size_t count)
{
	return mdev_qos_store(dev, MDEV_QOS_PRIORITY, buf, count);
}
static DEVICE_ATTR_RW(priority);

static ssize_t timeslice_us_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct mdev_qos *qos = mdev_qos_from_dev(dev);

	if (!qos)
		return -ENODEV;
	return sysfs_emit(buf, "%u\n", qos->timeslice_us);
}
static DEVICE_ATTR_RO(timeslice_us);

static const char * const mdev_qos_sharing_names[MDEV_QOS_NR_SHARING] = {
	[MDEV_QOS_WORK_CONSERVING] = "work-conserving",
	[MDEV_QOS_RESERVED] = "reserved",
};

static ssize_t sharing_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct mdev_qos *qos = mdev_qos_from_dev(dev);

	if (!qos)
		return -ENODEV;
	return sysfs_emit(buf, "%s\n", mdev_qos_sharing_names[qos->type->sharing]);
}
static DEVICE_ATTR_RO(sharing);

static ssize_t cap_period_us_show(struct device *dev,
				  struct device_attribute *attr, char *buf)
{
	struct mdev_qos *qos = mdev_qos_from_dev(dev);

	if (!qos)
		return -ENODEV;
	return sysfs_emit(buf, "%u\n",
			  qos->type->cap_period_us ?: qos->timeslice_us);
}
static DEVICE_ATTR_RO(cap_period_us);

/* Every counter file reads one snapshot of the driver's counters. */
static ssize_t mdev_qos_show_counter(struct device *dev,
				     enum mdev_qos_file file, char *buf)
{
	struct mdev_qos *qos = mdev_qos_from_dev(dev);
	struct mdev_qos_stats stats = {};
	u64 value;

	if (!qos)
		return -ENODEV;
	qos->ops->read_stats(qos, &stats);
	switch (file) {
	case MDEV_QOS_USAGE:
		value = stats.usage_us;
		break;
	case MDEV_QOS_THROTTLED:
		value = stats.throttled_us;
		break;
	case MDEV_QOS_WAIT:
		value = stats.wait_us;
		break;
	default:
		value = stats.nr_slices;
		break;
	}
	return sysfs_emit(buf, "%llu\n", value);
}

static ssize_t usage_us_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	return mdev_qos_show_counter(dev, MDEV_QOS_USAGE, buf);
}
static DEVICE_ATTR_RO(usage_us);

static ssize_t throttled_us_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	return mdev_qos_show_counter(dev, MDEV_QOS_THROTTLED, buf);
}
static DEVICE_ATTR_RO(throttled_us);

static ssize_t wait_us_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	return mdev_qos_show_counter(dev, MDEV_QOS_WAIT, buf);
}
static DEVICE_ATTR_RO(wait_us);

static ssize_t nr_slices_show(struct device *dev,
			      struct device_attribute *attr, char *buf)
{
	return mdev_qos_show_counter(dev, MDEV_QOS_NR_SLICES, buf);
}
static DEVICE_ATTR_RO(nr_slices);

/* the scheduling domain: the driver's name for it, else the parent's */
static const char *mdev_qos_domain(const char *domain, struct mdev_type *mtype)
{
	return domain ?: dev_name(mtype->parent->dev);
}

static ssize_t domain_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct mdev_qos *qos = mdev_qos_from_dev(dev);

	if (!qos || !qos->mdev)
		return -ENODEV;
	return sysfs_emit(buf, "%s\n",
			  mdev_qos_domain(qos->domain, qos->mdev->type));
}
static DEVICE_ATTR_RO(domain);

/* indexed by enum mdev_qos_file */
static struct attribute *mdev_qos_attrs[] = {
	[MDEV_QOS_CAP] = &dev_attr_cap.attr,
	[MDEV_QOS_WEIGHT] = &dev_attr_weight.attr,
	[MDEV_QOS_PRIORITY] = &dev_attr_priority.attr,
	[MDEV_QOS_TIMESLICE] = &dev_attr_timeslice_us.attr,
	[MDEV_QOS_USAGE] = &dev_attr_usage_us.attr,
	[MDEV_QOS_THROTTLED] = &dev_attr_throttled_us.attr,
	[MDEV_QOS_WAIT] = &dev_attr_wait_us.attr,
	[MDEV_QOS_NR_SLICES] = &dev_attr_nr_slices.attr,
	[MDEV_QOS_DOMAIN] = &dev_attr_domain.attr,
	[MDEV_QOS_SHARING] = &dev_attr_sharing.attr,
	[MDEV_QOS_CAP_PERIOD] = &dev_attr_cap_period_us.attr,
	[MDEV_QOS_NR_FILES] = NULL,
};

/*
 * A file the type does not offer is absent; a knob the type fixes is
 * read-only and reads the fixed value.
 */
static umode_t mdev_qos_attr_visible(struct kobject *kobj,
				     struct attribute *attr, int n)
{
	struct mdev_qos *qos = mdev_qos_from_dev(kobj_to_dev(kobj));

	if (!qos || !(qos->type->files & BIT(n)))
		return 0;
	if (qos->type->fixed & BIT(n))
		return 0444;
	return attr->mode;
}

#ifndef MDEV_QOS_GROUP_BY_HAND
/* An mdev whose type offers no QoS has no qos/ directory at all. */
static bool mdev_qos_group_visible(struct kobject *kobj)
{
	struct mdev_qos *qos = mdev_qos_from_dev(kobj_to_dev(kobj));

	return qos && qos->type->files;
}

DEFINE_SYSFS_GROUP_VISIBLE(mdev_qos);

/* For the mdev driver's driver.dev_groups. */
const struct attribute_group mdev_qos_group = {
	.name = "qos",
	.attrs = mdev_qos_attrs,
	.is_visible = SYSFS_GROUP_VISIBLE(mdev_qos),
};
EXPORT_SYMBOL_GPL(mdev_qos_group);
#else
static struct attribute *mdev_qos_no_attrs[] = { NULL };

const struct attribute_group mdev_qos_group = {
	.attrs = mdev_qos_no_attrs,
};
EXPORT_SYMBOL_GPL(mdev_qos_group);

static const struct attribute_group mdev_qos_real_group = {
	.name = "qos",
	.attrs = mdev_qos_attrs,
	.is_visible = mdev_qos_attr_visible,
};
#endif

/**
 * mdev_qos_add() - make an mdev's QoS state reachable from its qos/ group
 * @qos: the state, set up by mdev_qos_init()
 * @mdev: the mdev being probed
 *
 * Call it from the mdev driver's probe(): the driver core creates the
 * group listed in driver.dev_groups when probe() returns, so the files
 * exist when the write to ``create`` returns.  From then on
 * &mdev_qos_ops.apply and &mdev_qos_ops.read_stats may be called for the
 * mdev until mdev_qos_del().
 *
 * Return: 0 or a negative errno.
 */
int mdev_qos_add(struct mdev_qos *qos, struct mdev_device *mdev)
{
	struct device *dev = mdev_dev(mdev);
	struct mdev_qos **ref;

	if (WARN_ON(!qos->type || mdev_qos_from_dev(dev)))
		return -EINVAL;
	ref = devres_alloc(mdev_qos_devres_release, sizeof(*ref), GFP_KERNEL);
	if (!ref)
		return -ENOMEM;
	*ref = qos;
	qos->mdev = mdev;
	devres_add(dev, ref);
#ifdef MDEV_QOS_GROUP_BY_HAND
	if (qos->type->files) {
		int ret = device_add_group(dev, &mdev_qos_real_group);

		if (ret) {
			devres_destroy(dev, mdev_qos_devres_release, NULL, NULL);
			qos->mdev = NULL;
			return ret;
		}
	}
#endif
	return 0;
}
EXPORT_SYMBOL_GPL(mdev_qos_add);

/**
 * mdev_qos_del() - detach an mdev's QoS state
 * @qos: the state passed to mdev_qos_add()
 *
 * Call it from the mdev driver's remove(), or from probe() when it fails
 * after mdev_qos_add().  The driver core has removed the qos/ group before
 * remove() (and waited for the readers and writers in it), so no callback
 * of @qos runs once this returns and the driver may free it.
 */
void mdev_qos_del(struct mdev_qos *qos)
{
	struct device *dev;

	if (WARN_ON(!qos->mdev))
		return;
	dev = mdev_dev(qos->mdev);
#ifdef MDEV_QOS_GROUP_BY_HAND
	/* waits for the handlers still running in the group */
	if (qos->type->files)
		device_remove_group(dev, &mdev_qos_real_group);
#endif
	devres_destroy(dev, mdev_qos_devres_release, NULL, NULL);
	qos->mdev = NULL;
	mutex_destroy(&qos->lock);
}
EXPORT_SYMBOL_GPL(mdev_qos_del);

/*
 * The offer of a type: qos/ of its type directory (spec 1.1).  It states,
 * before any mdev exists, what the qos/ of every mdev of the type holds:
 * ``files``, ``levels``, ``domain``, ``timeslice_us``, ``sharing`` and
 * ``cap_period_us`` when its mdevs have them, and each knob the type fixes
 * with its value.  The mdev core of 6.1 and later has no hook for
 * type attributes (6.0's types_attrs is gone), so the offer is a child
 * kobject of the type's kobject.
 */
struct mdev_qos_offer {
	struct kobject kobj;
	struct mdev_type *mtype;
	const struct mdev_qos_type *type;
	u32 timeslice_us;
	const char *domain;
};

static struct mdev_qos_offer *to_offer(struct kobject *kobj)
{
	return container_of(kobj, struct mdev_qos_offer, kobj);
}

/* the order in which ``files`` names them, the specification's */
static const u8 mdev_qos_files_order[MDEV_QOS_NR_FILES] = {
	MDEV_QOS_CAP, MDEV_QOS_CAP_PERIOD, MDEV_QOS_WEIGHT, MDEV_QOS_PRIORITY,
	MDEV_QOS_TIMESLICE, MDEV_QOS_SHARING, MDEV_QOS_USAGE,
	MDEV_QOS_THROTTLED, MDEV_QOS_WAIT, MDEV_QOS_NR_SLICES, MDEV_QOS_DOMAIN,
};

static ssize_t files_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	unsigned long files = to_offer(kobj)->type->files;
	int len = 0;
	int n;

	for (n = 0; n < MDEV_QOS_NR_FILES; n++)
		if (files & BIT(mdev_qos_files_order[n]))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
				mdev_qos_attrs[mdev_qos_files_order[n]]->name);
	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t levels_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	unsigned long levels = to_offer(kobj)->type->levels;
	int len = 0;
	int n;

	for (n = 0; n < MDEV_QOS_NR_LEVELS; n++)
		if (levels & BIT(n))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     mdev_qos_level_names[n]);
	return len + sysfs_emit_at(buf, len, "\n");
}

static ssize_t offer_domain_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	struct mdev_qos_offer *offer = to_offer(kobj);

	return sysfs_emit(buf, "%s\n",
			  mdev_qos_domain(offer->domain, offer->mtype));
}

static ssize_t offer_timeslice_us_show(struct kobject *kobj,
				       struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_offer(kobj)->timeslice_us);
}

static ssize_t offer_sharing_show(struct kobject *kobj,
				  struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  mdev_qos_sharing_names[to_offer(kobj)->type->sharing]);
}

static ssize_t offer_cap_period_us_show(struct kobject *kobj,
					struct kobj_attribute *attr, char *buf)
{
	struct mdev_qos_offer *offer = to_offer(kobj);

	return sysfs_emit(buf, "%u\n",
			  offer->type->cap_period_us ?: offer->timeslice_us);
}

static ssize_t offer_cap_show(struct kobject *kobj,
			      struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_offer(kobj)->type->cap);
}

static ssize_t offer_weight_show(struct kobject *kobj,
				 struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%u\n", to_offer(kobj)->type->weight);
}

static ssize_t offer_priority_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%s\n",
			  mdev_qos_level_names[to_offer(kobj)->type->priority]);
}

static struct kobj_attribute mdev_qos_offer_files = __ATTR_RO(files);
static struct kobj_attribute mdev_qos_offer_levels = __ATTR_RO(levels);
static struct kobj_attribute mdev_qos_offer_domain =
	__ATTR(domain, 0444, offer_domain_show, NULL);
static struct kobj_attribute mdev_qos_offer_timeslice_us =
	__ATTR(timeslice_us, 0444, offer_timeslice_us_show, NULL);
static struct kobj_attribute mdev_qos_offer_sharing =
	__ATTR(sharing, 0444, offer_sharing_show, NULL);
static struct kobj_attribute mdev_qos_offer_cap_period_us =
	__ATTR(cap_period_us, 0444, offer_cap_period_us_show, NULL);
static struct kobj_attribute mdev_qos_offer_cap =
	__ATTR(cap, 0444, offer_cap_show, NULL);
static struct kobj_attribute mdev_qos_offer_weight =
	__ATTR(weight, 0444, offer_weight_show, NULL);
static struct kobj_attribute mdev_qos_offer_priority =
	__ATTR(priority, 0444, offer_priority_show, NULL);

static struct attribute *mdev_qos_offer_attrs[] = {
	&mdev_qos_offer_files.attr,
	&mdev_qos_offer_levels.attr,
	&mdev_qos_offer_domain.attr,
	&mdev_qos_offer_timeslice_us.attr,
	&mdev_qos_offer_sharing.attr,
	&mdev_qos_offer_cap_period_us.attr,
	&mdev_qos_offer_cap.attr,
	&mdev_qos_offer_weight.attr,
	&mdev_qos_offer_priority.attr,
	NULL,
};

/*
 * levels only with priority; sharing and cap_period_us only when its mdevs
 * have them; a knob only when the type fixes it
 */
static umode_t mdev_qos_offer_visible(struct kobject *kobj,
				      struct attribute *attr, int n)
{
	const struct mdev_qos_type *type = to_offer(kobj)->type;

	if (attr == &mdev_qos_offer_levels.attr)
		return type->files & BIT(MDEV_QOS_PRIORITY) ? attr->mode : 0;
	if (attr == &mdev_qos_offer_sharing.attr)
		return type->files & BIT(MDEV_QOS_SHARING) ? attr->mode : 0;
	if (attr == &mdev_qos_offer_cap_period_us.attr)
		return type->files & BIT(MDEV_QOS_CAP_PERIOD) ? attr->mode : 0;
	if (attr == &mdev_qos_offer_cap.attr)
		return type->fixed & BIT(MDEV_QOS_CAP) ? attr->mode : 0;
	if (attr == &mdev_qos_offer_weight.attr)
		return type->fixed & BIT(MDEV_QOS_WEIGHT) ? attr->mode : 0;
	if (attr == &mdev_qos_offer_priority.attr)
		return type->fixed & BIT(MDEV_QOS_PRIORITY) ? attr->mode : 0;
	return attr->mode;
}

static const struct attribute_group mdev_qos_offer_group = {
	.attrs = mdev_qos_offer_attrs,
	.is_visible = mdev_qos_offer_visible,
};
__ATTRIBUTE_GROUPS(mdev_qos_offer);

static void mdev_qos_offer_release(struct kobject *kobj)
{
	kfree(to_offer(kobj));
}

static const struct kobj_type mdev_qos_offer_ktype = {
	.sysfs_ops = &kobj_sysfs_ops,
	.release = mdev_qos_offer_release,
	.default_groups = mdev_qos_offer_groups,
};

/**
 * mdev_qos_offer_add() - state what the mdevs of a type offer
 * @mtype: the type, registered with mdev_register_parent()
 * @type: what its mdevs offer, as given to mdev_qos_init(); must outlive
 *	the offer
 * @timeslice_us: the quantum its mdevs' timeslice_us read
 * @domain: the domain its mdevs' domain read; NULL: the parent's name
 *
 * Return: the offer, NULL for a type without QoS (it states none), or an
 * ERR_PTR().  Remove it with mdev_qos_offer_del() before
 * mdev_unregister_parent().
 */
struct mdev_qos_offer *mdev_qos_offer_add(struct mdev_type *mtype,
					  const struct mdev_qos_type *type,
					  u32 timeslice_us, const char *domain)
{
	struct mdev_qos_offer *offer;
	int ret;

	if (!type->files)
		return NULL;
	offer = kzalloc(sizeof(*offer), GFP_KERNEL);
	if (!offer)
		return ERR_PTR(-ENOMEM);
	offer->mtype = mtype;
	offer->type = type;
	offer->timeslice_us = timeslice_us;
	offer->domain = domain;
	ret = kobject_init_and_add(&offer->kobj, &mdev_qos_offer_ktype,
				   &mtype->kobj, "qos");
	if (ret) {
		kobject_put(&offer->kobj);
		return ERR_PTR(ret);
	}
	return offer;
}
EXPORT_SYMBOL_GPL(mdev_qos_offer_add);

/**
 * mdev_qos_offer_del() - remove the offer of a type
 * @offer: what mdev_qos_offer_add() returned (NULL or an ERR_PTR() is ignored)
 */
void mdev_qos_offer_del(struct mdev_qos_offer *offer)
{
	if (IS_ERR_OR_NULL(offer))
		return;
	kobject_del(&offer->kobj);
	kobject_put(&offer->kobj);
}
EXPORT_SYMBOL_GPL(mdev_qos_offer_del);
