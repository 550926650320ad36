// SPDX-License-Identifier: GPL-2.0
/*
 * Sample mediated device parent driver with the mdev QoS interface.
 *
 * Two parent devices, mqos0 and mqos1 of class "mqos", each offer three mdev
 * types:
 *
 *   mqos-full   every file of the qos/ group, levels
 *               "background standard urgent"
 *   mqos-fixed  the same, but the type fixes cap at 50 (mode 0444)
 *   mqos-plain  no QoS: its mdevs have no qos/ directory at all
 *
 * No hardware sits behind the parents.  Each parent runs a simulated
 * time-sliced engine: mdevs get synthetic work through debugfs
 * (/sys/kernel/debug/mqos/<uuid>/load) and the engine shares the parent's
 * time among them by priority, weight and cap, keeping the counters of the
 * qos/ group, which the mdev_qos helper provides: this driver only says what
 * each type offers, applies a knob change and reads its counters.
 *
 * The engine is a discrete-event simulation on CLOCK_MONOTONIC.  An hrtimer
 * advances it at every scheduling point, and every reader and writer first
 * brings it up to "now", so a counter is exact at the moment it is read no
 * matter how late a timer fires (under emulation they fire very late).
 */
#include <linux/debugfs.h>
#include <linux/device.h>
#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/lockdep.h>
#include <linux/mdev.h>
#include <linux/mdev_qos.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/uaccess.h>
#include <linux/vfio.h>

#define MQOS_NAME		"mqos"
#define MQOS_NR_PARENTS		2

/* Virtual time advances by (ns of service) * MQOS_VTIME_SCALE / weight. */
#define MQOS_VTIME_SHIFT	16

/* Longest write the debugfs "load" file accepts, NUL included. */
#define MQOS_LOAD_LEN		64

static unsigned int timeslice_us = 10000;
module_param(timeslice_us, uint, 0444);
MODULE_PARM_DESC(timeslice_us,
		 "scheduling quantum in microseconds (100..100000, default 10000)");

/* A device that programs caps in coarser units, or whose firmware says no. */
static unsigned int cap_step = 1;
module_param(cap_step, uint, 0444);
MODULE_PARM_DESC(cap_step,
		 "caps applied in steps of this many percent, and 100 (1..50, default 1)");

static unsigned int refused_cap;
module_param(refused_cap, uint, 0444);
MODULE_PARM_DESC(refused_cap,
		 "a cap the simulated firmware refuses with EIO (0, the default: none)");

enum mqos_counter {
	MQOS_USAGE,
	MQOS_THROTTLED,
	MQOS_WAIT,
	MQOS_SLICES,
	MQOS_NR_COUNTERS,
};

enum mqos_load {
	MQOS_IDLE,
	MQOS_BACKLOG,
	MQOS_PERIODIC,
};

/* Synthetic demand: "periodic" releases run_us of work every period_us. */
struct mqos_demand {
	enum mqos_load load;
	unsigned int run_us;
	unsigned int period_us;
};

struct mqos_type_info {
	const char *name;
	const char *description;
	unsigned int max_instances;
	struct mdev_qos_type qos;	/* what its qos/ offers */
};

static const struct mqos_type_info mqos_type_infos[] = {
	{
		.name = "full",
		.description = "time-shared device with every QoS knob",
		.max_instances = 8,
		.qos = {
			.files = MDEV_QOS_FILES_ALL,
			.levels = MDEV_QOS_LEVELS_ALL,
			.cap = MDEV_QOS_CAP_MAX,
			.weight = MDEV_QOS_WEIGHT_DEFAULT,
			.priority = MDEV_QOS_LEVEL_DEFAULT,
			.sharing = MDEV_QOS_WORK_CONSERVING,
		},
	}, {
		.name = "fixed",
		.description = "time-shared device whose type fixes cap at 50",
		.max_instances = 8,
		.qos = {
			.files = MDEV_QOS_FILES_ALL,
			.fixed = BIT(MDEV_QOS_CAP),
			.levels = MDEV_QOS_LEVELS_ALL,
			.cap = 50,
			.weight = MDEV_QOS_WEIGHT_DEFAULT,
			.priority = MDEV_QOS_LEVEL_DEFAULT,
			.sharing = MDEV_QOS_WORK_CONSERVING,
		},
	}, {
		.name = "plain",
		.description = "time-shared device without QoS",
		.max_instances = 4,
		/* .qos.files = 0: no qos/ directory */
	},
};

#define MQOS_NR_TYPES		ARRAY_SIZE(mqos_type_infos)

struct mqos_type {
	struct mdev_type type;
	const struct mqos_type_info *info;
	unsigned int nr_mdevs;		/* protected by the parent's lock */
	struct mdev_qos_offer *offer;	/* qos/ of the type directory */
};

struct mqos_mdev;

/* One physical device: the scheduling domain of its mdevs. */
struct mqos_parent {
	struct device dev;
	struct mdev_parent mdev_parent;
	struct mqos_type types[MQOS_NR_TYPES];
	struct mdev_type *type_list[MQOS_NR_TYPES];

	/* The engine.  @lock protects everything below and every mdev. */
	spinlock_t lock;
	struct list_head mdevs;
	struct hrtimer timer;
	ktime_t clock;			/* simulated up to this time */
	struct mqos_mdev *running;	/* NULL between slices */
	ktime_t slice_end;
	u64 vclock[MDEV_QOS_NR_LEVELS];	/* virtual time of each level */
};

struct mqos_mdev {
	struct vfio_device vdev;	/* first: vfio_alloc_device() */
	struct list_head node;
	struct mqos_parent *parent;
	struct mqos_type *type;
	struct dentry *debugfs;
	struct mdev_qos qos;

	/* the engine's copy of the knobs, set by mqos_apply() */
	unsigned int cap;
	unsigned int weight;
	enum mdev_qos_level level;

	/* synthetic demand */
	struct mqos_demand demand;
	u64 pending;			/* ns of released periodic work */
	ktime_t next_release;

	/* scheduler state */
	s64 tokens;			/* cap budget: ns of service * 100 */
	u64 vtime;
	bool competing;

	u64 counters[MQOS_NR_COUNTERS];	/* ns, and a count for MQOS_SLICES */
};

static const struct class mqos_class = {
	.name = MQOS_NAME,
};

static struct dentry *mqos_debugfs_root;
static struct mqos_parent *mqos_parents[MQOS_NR_PARENTS];

/* ---------------------------------------------------------------------
 * The engine
 *
 * Strict priority between levels; inside a level, EEVDF on a per-level
 * virtual clock (an mdev is eligible when it has not received more than its
 * weighted share, and the eligible one with the earliest virtual deadline
 * runs), which keeps every mdev within about one slice of its fluid share.
 * Cap is a token bucket refilled at cap% of wall time whether or not the
 * mdev runs, so it is a ceiling even on an otherwise idle device.
 */

static u64 mqos_slice_ns(void)
{
	return (u64)timeslice_us * NSEC_PER_USEC;
}

/* ktime_add_ns() yields an unsigned sum; keep engine times in ktime_t. */
static ktime_t mqos_later(ktime_t t, u64 ns)
{
	return ktime_add_ns(t, ns);
}

static bool mqos_has_work(const struct mqos_mdev *m)
{
	return m->demand.load == MQOS_BACKLOG || m->pending;
}

static bool mqos_is_capped(const struct mqos_mdev *m)
{
	return m->cap < MDEV_QOS_CAP_MAX;
}

/*
 * Two slices of budget: one for the next dispatch and one so that a capped
 * mdev kept waiting by its peers does not lose the refill meanwhile.
 */
static s64 mqos_bucket_depth(void)
{
	return 2 * mqos_slice_ns() * MDEV_QOS_CAP_MAX;
}

/*
 * A capped mdev is dispatched only with a full slice of budget.  Only running
 * spends it, so the time it is held back (throttled_us) is at most
 * (100 - cap) / cap times the time it ran, whoever runs meanwhile; waiting
 * for the others with the budget left is not throttled time.
 */
static bool mqos_is_throttled(const struct mqos_mdev *m)
{
	return mqos_is_capped(m) && mqos_has_work(m) &&
	       m->tokens < (s64)(mqos_slice_ns() * MDEV_QOS_CAP_MAX);
}

static bool mqos_wants_device(const struct mqos_parent *p,
			      const struct mqos_mdev *m)
{
	return m == p->running || (mqos_has_work(m) && !mqos_is_throttled(m));
}

/*
 * The level's virtual clock: the weighted average of its competitors'
 * virtual times, taken relative to the smallest so that it cannot overflow.
 */
static u64 mqos_level_vclock(struct mqos_parent *p, enum mdev_qos_level level)
{
	struct mqos_mdev *m;
	u64 vmin = U64_MAX, sum = 0, wsum = 0;

	list_for_each_entry(m, &p->mdevs, node)
		if (m->competing && m->level == level)
			vmin = min(vmin, m->vtime);
	if (vmin == U64_MAX)
		return p->vclock[level];

	list_for_each_entry(m, &p->mdevs, node) {
		if (m->competing && m->level == level) {
			sum += (m->vtime - vmin) * m->weight;
			wsum += m->weight;
		}
	}
	p->vclock[level] = vmin + div64_u64(sum, wsum);
	return p->vclock[level];
}

/* virtual time of one slice of service at the mdev's weight */
static u64 mqos_vslice(const struct mqos_mdev *m)
{
	return div_u64(mqos_slice_ns() << MQOS_VTIME_SHIFT, m->weight);
}

/*
 * An mdev that starts competing joins at the level's virtual clock: time it
 * spent idle earns it nothing, so an inactive mdev dilutes nobody.  Service
 * it got beyond its share before it left (or in another level) is owed
 * back for at most one slice, so a past burst cannot starve it later.
 */
static void mqos_join(struct mqos_parent *p, struct mqos_mdev *m)
{
	u64 vclock = mqos_level_vclock(p, m->level);

	m->vtime = clamp(m->vtime, vclock, vclock + mqos_vslice(m));
	m->competing = true;
}

static void mqos_update_competition(struct mqos_parent *p)
{
	struct mqos_mdev *m;

	list_for_each_entry(m, &p->mdevs, node)
		if (m->competing && !mqos_wants_device(p, m))
			m->competing = false;

	list_for_each_entry(m, &p->mdevs, node)
		if (!m->competing && mqos_wants_device(p, m))
			mqos_join(p, m);
}

/*
 * Strict priority: a higher level that becomes active ends a lower level's
 * slice at once rather than at its end, so dispatch latency stays well
 * inside the one timeslice the interface promises.
 */
static void mqos_preempt(struct mqos_parent *p)
{
	struct mqos_mdev *m;

	if (!p->running)
		return;
	list_for_each_entry(m, &p->mdevs, node) {
		if (m->competing && m->level > p->running->level) {
			p->running = NULL;
			return;
		}
	}
}

static struct mqos_mdev *mqos_pick_in_level(struct mqos_parent *p,
					    enum mdev_qos_level level)
{
	struct mqos_mdev *m, *best = NULL;
	u64 vclock = mqos_level_vclock(p, level);
	u64 deadline, best_deadline = U64_MAX;

	list_for_each_entry(m, &p->mdevs, node) {
		if (!m->competing || m->level != level || m->vtime > vclock)
			continue;
		deadline = m->vtime + mqos_vslice(m);
		if (deadline < best_deadline) {
			best = m;
			best_deadline = deadline;
		}
	}
	return best;
}

/* A scheduling decision: the highest level with a competitor wins. */
static void mqos_dispatch(struct mqos_parent *p)
{
	struct mqos_mdev *m = NULL;
	int level;
	u64 len;

	for (level = MDEV_QOS_NR_LEVELS - 1; level >= 0 && !m; level--)
		m = mqos_pick_in_level(p, level);

	p->running = m;
	if (!m)
		return;
	len = mqos_slice_ns();
	if (m->demand.load == MQOS_PERIODIC)
		len = min(len, m->pending);
	p->slice_end = mqos_later(p->clock, len);
	m->counters[MQOS_SLICES]++;
}

/* Release every periodic job due by @now, in one step however many. */
static void mqos_release_jobs(struct mqos_mdev *m, ktime_t now)
{
	u64 period = (u64)m->demand.period_us * NSEC_PER_USEC;
	u64 jobs;

	if (m->demand.load != MQOS_PERIODIC || ktime_after(m->next_release, now))
		return;
	jobs = div64_u64(ktime_sub(now, m->next_release), period) + 1;
	m->pending += jobs * m->demand.run_us * NSEC_PER_USEC;
	m->next_release = mqos_later(m->next_release, jobs * period);
}

static void mqos_charge(struct mqos_mdev *m, u64 dt)
{
	m->counters[MQOS_USAGE] += dt;
	m->vtime += div_u64(dt << MQOS_VTIME_SHIFT, m->weight);
	if (mqos_is_capped(m))
		m->tokens -= dt * MDEV_QOS_CAP_MAX;
	if (m->demand.load == MQOS_PERIODIC)
		m->pending -= min(m->pending, dt);
}

static void mqos_refill(struct mqos_mdev *m, u64 dt)
{
	if (mqos_is_capped(m))
		m->tokens = min(m->tokens + (s64)(dt * m->cap),
				mqos_bucket_depth());
	else
		m->tokens = mqos_bucket_depth();
}

/* Account @dt ns in which nobody's state changed. */
static void mqos_account(struct mqos_parent *p, u64 dt)
{
	struct mqos_mdev *m;

	list_for_each_entry(m, &p->mdevs, node) {
		if (m == p->running) {
			mqos_charge(m, dt);
		} else if (mqos_has_work(m)) {
			m->counters[MQOS_WAIT] += dt;
			if (mqos_is_throttled(m))
				m->counters[MQOS_THROTTLED] += dt;
		}
		mqos_refill(m, dt);
	}
}

/* ns until a throttled mdev has a slice of budget again */
static u64 mqos_until_unthrottled(const struct mqos_mdev *m)
{
	s64 missing = mqos_slice_ns() * MDEV_QOS_CAP_MAX - m->tokens;

	return div_u64(missing + m->cap - 1, m->cap);
}

/* The next time some mdev's state changes by itself; KTIME_MAX if never. */
static ktime_t mqos_next_event(struct mqos_parent *p)
{
	struct mqos_mdev *m;
	ktime_t next = KTIME_MAX;

	if (p->running) {
		next = p->slice_end;
		if (p->running->demand.load == MQOS_PERIODIC)
			next = min(next, mqos_later(p->clock,
						    p->running->pending));
	}
	list_for_each_entry(m, &p->mdevs, node) {
		if (m->demand.load == MQOS_PERIODIC && !mqos_has_work(m))
			next = min(next, m->next_release);
		if (m == p->running || !mqos_is_throttled(m))
			continue;
		next = min(next, mqos_later(p->clock,
					    mqos_until_unthrottled(m)));
	}
	return next;
}

/* Simulate the parent up to @now, one constant-state segment at a time. */
static void mqos_advance(struct mqos_parent *p, ktime_t now)
{
	struct mqos_mdev *m;
	ktime_t end;

	lockdep_assert_held(&p->lock);
	while (ktime_before(p->clock, now)) {
		if (!p->running)
			mqos_dispatch(p);
		end = min(now, mqos_next_event(p));
		mqos_account(p, ktime_sub(end, p->clock));
		p->clock = end;

		list_for_each_entry(m, &p->mdevs, node)
			mqos_release_jobs(m, end);
		m = p->running;
		if (m && (!ktime_before(end, p->slice_end) ||
			  !mqos_has_work(m)))
			p->running = NULL;
		mqos_update_competition(p);
		mqos_preempt(p);
	}
}

/* After a change: decide now if the device is free, and arm the timer. */
static void mqos_reschedule(struct mqos_parent *p)
{
	ktime_t next;

	lockdep_assert_held(&p->lock);
	mqos_update_competition(p);
	mqos_preempt(p);
	if (!p->running)
		mqos_dispatch(p);
	next = mqos_next_event(p);
	if (next == KTIME_MAX)
		hrtimer_try_to_cancel(&p->timer);
	else
		hrtimer_start(&p->timer, next, HRTIMER_MODE_ABS_SOFT);
}

static enum hrtimer_restart mqos_timer_fn(struct hrtimer *timer)
{
	struct mqos_parent *p = container_of(timer, struct mqos_parent, timer);

	spin_lock(&p->lock);
	mqos_advance(p, ktime_get());
	mqos_reschedule(p);
	spin_unlock(&p->lock);
	return HRTIMER_NORESTART;
}

/*
 * Every access to engine state goes through these two, so the past is
 * always accounted under the knobs that were in force at the time.
 */
static void mqos_engine_lock(struct mqos_parent *p)
	__acquires(&p->lock)
{
	spin_lock_bh(&p->lock);
	mqos_advance(p, ktime_get());
}

static void mqos_engine_unlock(struct mqos_parent *p)
	__releases(&p->lock)
{
	mqos_reschedule(p);
	spin_unlock_bh(&p->lock);
}

static void mqos_set_demand(struct mqos_mdev *m, const struct mqos_demand *d)
{
	struct mqos_parent *p = m->parent;

	lockdep_assert_held(&p->lock);
	m->demand = *d;
	m->pending = 0;
	if (d->load == MQOS_PERIODIC) {
		/* the first job is released when the load is set */
		m->next_release = p->clock;
		mqos_release_jobs(m, p->clock);
	}
	/* work that vanished cannot keep the device */
	if (p->running == m && !mqos_has_work(m))
		p->running = NULL;
}

/* ---------------------------------------------------------------------
 * QoS: the mdev_qos helper owns the files, this driver the policy
 */

static struct mqos_mdev *to_mqos_mdev(struct mdev_qos *qos)
{
	return container_of(qos, struct mqos_mdev, qos);
}

/* A knob change, parsed, range-checked and rounded by the helper. */
static int mqos_apply(struct mdev_qos *qos, enum mdev_qos_file knob,
		      unsigned int value)
{
	struct mqos_mdev *m = to_mqos_mdev(qos);

	/* the firmware's refusal: the engine keeps the old cap */
	if (knob == MDEV_QOS_CAP && refused_cap && value == refused_cap)
		return -EIO;
	mqos_engine_lock(m->parent);
	switch (knob) {
	case MDEV_QOS_CAP:
		m->cap = value;
		break;
	case MDEV_QOS_WEIGHT:
		m->weight = value;
		break;
	case MDEV_QOS_PRIORITY:
		m->level = value;
		/* rejoin at the new level's virtual clock */
		m->competing = false;
		break;
	default:
		break;
	}
	mqos_engine_unlock(m->parent);
	return 0;
}

/* The cap the engine applies for a written one: the nearest step, or 100. */
static unsigned int mqos_round(struct mdev_qos *qos, enum mdev_qos_file knob,
			       unsigned int value)
{
	unsigned int below, above;

	if (knob != MDEV_QOS_CAP || cap_step == 1)
		return value;
	below = rounddown(value, cap_step);
	above = min_t(unsigned int, below + cap_step, MDEV_QOS_CAP_MAX);
	if (!below || above - value <= value - below)
		return above;
	return below;
}

/* One snapshot of the counters, with the engine brought up to now. */
static void mqos_read_stats(struct mdev_qos *qos, struct mdev_qos_stats *stats)
{
	struct mqos_mdev *m = to_mqos_mdev(qos);
	u64 counters[MQOS_NR_COUNTERS];

	mqos_engine_lock(m->parent);
	memcpy(counters, m->counters, sizeof(counters));
	mqos_engine_unlock(m->parent);

	stats->usage_us = div_u64(counters[MQOS_USAGE], NSEC_PER_USEC);
	stats->throttled_us = div_u64(counters[MQOS_THROTTLED], NSEC_PER_USEC);
	stats->wait_us = div_u64(counters[MQOS_WAIT], NSEC_PER_USEC);
	stats->nr_slices = counters[MQOS_SLICES];
}

static const struct mdev_qos_ops mqos_qos_ops = {
	.apply = mqos_apply,
	.round = mqos_round,
	.read_stats = mqos_read_stats,
};

/* ---------------------------------------------------------------------
 * debugfs: synthetic load, /sys/kernel/debug/mqos/<uuid>/load
 */

static int mqos_format_demand(const struct mqos_demand *d, char *buf,
			      size_t size)
{
	switch (d->load) {
	case MQOS_BACKLOG:
		return scnprintf(buf, size, "backlog\n");
	case MQOS_PERIODIC:
		return scnprintf(buf, size, "periodic %u %u\n",
				 d->run_us, d->period_us);
	default:
		return scnprintf(buf, size, "idle\n");
	}
}

static int mqos_parse_periodic(char *run, char *period, struct mqos_demand *d)
{
	int ret;

	ret = kstrtouint(run, 10, &d->run_us);
	if (!ret)
		ret = kstrtouint(period, 10, &d->period_us);
	if (ret)
		return ret;
	if (d->run_us < 1 || d->run_us > d->period_us)
		return -EINVAL;
	d->load = MQOS_PERIODIC;
	return 0;
}

/*
 * "idle", "backlog" or "periodic <run_us> <period_us>": words separated by
 * single spaces, at most one trailing newline.
 */
static int mqos_parse_demand(char *buf, size_t len, struct mqos_demand *d)
{
	char *words[3], *rest = buf;
	unsigned int n = 0;

	if (strnlen(buf, len) != len)
		return -EINVAL;
	if (len && buf[len - 1] == '\n')
		buf[len - 1] = '\0';
	if (strchr(buf, '\n'))
		return -EINVAL;
	while (rest && n < ARRAY_SIZE(words))
		words[n++] = strsep(&rest, " ");
	if (rest)
		return -EINVAL;

	memset(d, 0, sizeof(*d));
	if (n == 1 && !strcmp(words[0], "idle"))
		d->load = MQOS_IDLE;
	else if (n == 1 && !strcmp(words[0], "backlog"))
		d->load = MQOS_BACKLOG;
	else if (n == 3 && !strcmp(words[0], "periodic"))
		return mqos_parse_periodic(words[1], words[2], d);
	else
		return -EINVAL;
	return 0;
}

static ssize_t mqos_load_read(struct file *file, char __user *ubuf,
			      size_t count, loff_t *ppos)
{
	struct mqos_mdev *m = file->private_data;
	char buf[MQOS_LOAD_LEN];
	int len;

	spin_lock_bh(&m->parent->lock);
	len = mqos_format_demand(&m->demand, buf, sizeof(buf));
	spin_unlock_bh(&m->parent->lock);
	return simple_read_from_buffer(ubuf, count, ppos, buf, len);
}

static ssize_t mqos_load_write(struct file *file, const char __user *ubuf,
			       size_t count, loff_t *ppos)
{
	struct mqos_mdev *m = file->private_data;
	struct mqos_demand demand;
	char buf[MQOS_LOAD_LEN];
	int ret;

	if (count >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, count))
		return -EFAULT;
	buf[count] = '\0';
	ret = mqos_parse_demand(buf, count, &demand);
	if (ret)
		return ret;

	mqos_engine_lock(m->parent);
	mqos_set_demand(m, &demand);
	mqos_engine_unlock(m->parent);
	return count;
}

static const struct file_operations mqos_load_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = mqos_load_read,
	.write = mqos_load_write,
	.llseek = default_llseek,
};

/* ---------------------------------------------------------------------
 * mdev driver
 */

static struct mqos_type *to_mqos_type(struct mdev_type *mtype)
{
	return container_of(mtype, struct mqos_type, type);
}

static struct mqos_parent *to_mqos_parent(struct mdev_type *mtype)
{
	return container_of(mtype->parent, struct mqos_parent, mdev_parent);
}

/*
 * Each mdev is also a VFIO device with an emulated IOMMU, as every mdev a
 * guest can use is: management stacks (libvirt) treat an mdev without an
 * IOMMU group as unusable.  The device has no regions; only the QoS
 * attributes and the engine are this sample's business.
 */
static const struct vfio_device_ops mqos_vfio_ops = {
	.name = "vfio-mqos",
	.bind_iommufd = vfio_iommufd_emulated_bind,
	.unbind_iommufd = vfio_iommufd_emulated_unbind,
	.attach_ioas = vfio_iommufd_emulated_attach_ioas,
	.detach_ioas = vfio_iommufd_emulated_detach_ioas,
};

static struct mqos_mdev *mqos_mdev_alloc(struct mdev_device *mdev,
					 struct mqos_parent *p,
					 struct mqos_type *type)
{
	struct mqos_mdev *m;

	m = vfio_alloc_device(mqos_mdev, vdev, &mdev->dev, &mqos_vfio_ops);
	if (IS_ERR(m))
		return m;
	if (mdev_qos_init(&m->qos, &type->info->qos, &mqos_qos_ops,
			  timeslice_us)) {
		vfio_put_device(&m->vdev);
		return ERR_PTR(-EINVAL);
	}
	m->parent = p;
	m->type = type;
	m->cap = mdev_qos_get(&m->qos, MDEV_QOS_CAP);
	m->weight = mdev_qos_get(&m->qos, MDEV_QOS_WEIGHT);
	m->level = mdev_qos_get(&m->qos, MDEV_QOS_PRIORITY);
	m->tokens = mqos_bucket_depth();
	return m;
}

/* Count the mdev against its type and hand it to the engine. */
static int mqos_mdev_attach(struct mqos_mdev *m)
{
	struct mqos_parent *p = m->parent;
	int ret = 0;

	mqos_engine_lock(p);
	if (m->type->nr_mdevs >= m->type->info->max_instances) {
		ret = -EUSERS;
	} else {
		m->type->nr_mdevs++;
		list_add_tail(&m->node, &p->mdevs);
	}
	mqos_engine_unlock(p);
	return ret;
}

static void mqos_mdev_detach(struct mqos_mdev *m)
{
	struct mqos_parent *p = m->parent;

	mqos_engine_lock(p);
	if (p->running == m)
		p->running = NULL;
	list_del(&m->node);
	m->type->nr_mdevs--;
	mqos_engine_unlock(p);
}

static int mqos_probe(struct mdev_device *mdev)
{
	struct mqos_type *type = to_mqos_type(mdev->type);
	struct mqos_mdev *m;
	int ret;

	m = mqos_mdev_alloc(mdev, to_mqos_parent(mdev->type), type);
	if (IS_ERR(m))
		return PTR_ERR(m);
	ret = mqos_mdev_attach(m);
	if (ret)
		goto err_free;

	dev_set_drvdata(&mdev->dev, m);
	ret = mdev_qos_add(&m->qos, mdev);
	if (ret)
		goto err_detach;
	m->debugfs = debugfs_create_dir(dev_name(&mdev->dev),
					mqos_debugfs_root);
	debugfs_create_file("load", 0644, m->debugfs, m, &mqos_load_fops);

	/* last: from here on userspace may open the device */
	ret = vfio_register_emulated_iommu_dev(&m->vdev);
	if (ret)
		goto err_qos;
	return 0;

err_qos:
	debugfs_remove(m->debugfs);
	mdev_qos_del(&m->qos);
err_detach:
	mqos_mdev_detach(m);
err_free:
	vfio_put_device(&m->vdev);
	return ret;
}

/*
 * The driver core has removed the qos/ group before remove() is called;
 * debugfs_remove() waits for the load handlers still running.
 */
static void mqos_remove(struct mdev_device *mdev)
{
	struct mqos_mdev *m = dev_get_drvdata(&mdev->dev);

	/* waits until userspace has closed the device */
	vfio_unregister_group_dev(&m->vdev);
	debugfs_remove(m->debugfs);
	mdev_qos_del(&m->qos);
	mqos_mdev_detach(m);
	vfio_put_device(&m->vdev);
}

static unsigned int mqos_get_available(struct mdev_type *mtype)
{
	struct mqos_parent *p = to_mqos_parent(mtype);
	struct mqos_type *type = to_mqos_type(mtype);
	unsigned int avail;

	spin_lock_bh(&p->lock);
	avail = type->info->max_instances - type->nr_mdevs;
	spin_unlock_bh(&p->lock);
	return avail;
}

static ssize_t mqos_show_description(struct mdev_type *mtype, char *buf)
{
	return sysfs_emit(buf, "%s\n", to_mqos_type(mtype)->info->description);
}

static const struct attribute_group *mqos_dev_groups[] = {
	&mdev_qos_group,
	NULL,
};

static struct mdev_driver mqos_driver = {
	.device_api = VFIO_DEVICE_API_PCI_STRING,
	.driver = {
		.name = MQOS_NAME,
		.owner = THIS_MODULE,
		.mod_name = KBUILD_MODNAME,
		.dev_groups = mqos_dev_groups,
	},
	.probe = mqos_probe,
	.remove = mqos_remove,
	.get_available = mqos_get_available,
	.show_description = mqos_show_description,
};

/* ---------------------------------------------------------------------
 * Parent devices
 */

static void mqos_parent_release(struct device *dev)
{
	kfree(container_of(dev, struct mqos_parent, dev));
}

static void mqos_parent_init(struct mqos_parent *p)
{
	unsigned int i;

	spin_lock_init(&p->lock);
	INIT_LIST_HEAD(&p->mdevs);
	hrtimer_init(&p->timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS_SOFT);
	p->timer.function = mqos_timer_fn;
	p->clock = ktime_get();

	for (i = 0; i < MQOS_NR_TYPES; i++) {
		p->types[i].info = &mqos_type_infos[i];
		p->types[i].type.sysfs_name = mqos_type_infos[i].name;
		p->type_list[i] = &p->types[i].type;
	}
}

/* The offer of each type (qos/ of its type directory), from the helper. */
static void mqos_offers_del(struct mqos_parent *p)
{
	unsigned int i;

	for (i = 0; i < MQOS_NR_TYPES; i++) {
		mdev_qos_offer_del(p->types[i].offer);
		p->types[i].offer = NULL;
	}
}

static int mqos_offers_add(struct mqos_parent *p)
{
	struct mqos_type *type;
	unsigned int i;

	for (i = 0; i < MQOS_NR_TYPES; i++) {
		type = &p->types[i];
		type->offer = mdev_qos_offer_add(&type->type, &type->info->qos,
						 timeslice_us, NULL);
		if (IS_ERR(type->offer)) {
			int ret = PTR_ERR(type->offer);

			type->offer = NULL;
			mqos_offers_del(p);
			return ret;
		}
	}
	return 0;
}

static struct mqos_parent *mqos_parent_create(unsigned int id)
{
	struct mqos_parent *p;
	int ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return ERR_PTR(-ENOMEM);
	mqos_parent_init(p);

	p->dev.class = &mqos_class;
	p->dev.release = mqos_parent_release;
	dev_set_name(&p->dev, MQOS_NAME "%u", id);
	ret = device_register(&p->dev);
	if (ret) {
		put_device(&p->dev);
		return ERR_PTR(ret);
	}

	ret = mdev_register_parent(&p->mdev_parent, &p->dev, &mqos_driver,
				   p->type_list, MQOS_NR_TYPES);
	if (ret) {
		device_unregister(&p->dev);
		return ERR_PTR(ret);
	}
	ret = mqos_offers_add(p);
	if (ret) {
		mdev_unregister_parent(&p->mdev_parent);
		device_unregister(&p->dev);
		return ERR_PTR(ret);
	}
	return p;
}

static void mqos_parent_destroy(struct mqos_parent *p)
{
	mqos_offers_del(p);
	/* removes every mdev, so nothing re-arms the timer afterwards */
	mdev_unregister_parent(&p->mdev_parent);
	hrtimer_cancel(&p->timer);
	device_unregister(&p->dev);
}

/*
 * A parent on a PCI device.  libvirt lists mdev parents only on buses it
 * knows (PCI, CCW, AP), never on a class device such as mqos0, so the
 * sample also binds to QEMU's "pci-testdev" when a test guest has one.  It
 * is a parent like the others, with its own engine.
 */
static int mqos_pci_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	struct mqos_parent *p;
	int ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	mqos_parent_init(p);

	ret = mdev_register_parent(&p->mdev_parent, &pdev->dev, &mqos_driver,
				   p->type_list, MQOS_NR_TYPES);
	if (ret) {
		kfree(p);
		return ret;
	}
	ret = mqos_offers_add(p);
	if (ret) {
		mdev_unregister_parent(&p->mdev_parent);
		kfree(p);
		return ret;
	}
	pci_set_drvdata(pdev, p);
	return 0;
}

static void mqos_pci_remove(struct pci_dev *pdev)
{
	struct mqos_parent *p = pci_get_drvdata(pdev);

	mqos_offers_del(p);
	mdev_unregister_parent(&p->mdev_parent);
	hrtimer_cancel(&p->timer);
	kfree(p);	/* p->dev was never registered */
}

static const struct pci_device_id mqos_pci_ids[] = {
	{ PCI_DEVICE(PCI_VENDOR_ID_REDHAT, 0x0005) },	/* QEMU pci-testdev */
	{ }
};
MODULE_DEVICE_TABLE(pci, mqos_pci_ids);

static struct pci_driver mqos_pci_driver = {
	.name = MQOS_NAME,
	.id_table = mqos_pci_ids,
	.probe = mqos_pci_probe,
	.remove = mqos_pci_remove,
};

static void mqos_destroy_parents(void)
{
	int i;

	for (i = MQOS_NR_PARENTS - 1; i >= 0; i--) {
		if (!IS_ERR_OR_NULL(mqos_parents[i]))
			mqos_parent_destroy(mqos_parents[i]);
		mqos_parents[i] = NULL;
	}
}

static int __init mqos_init(void)
{
	unsigned int i;
	int ret;

	if (timeslice_us < 100 || timeslice_us > 100000)
		return -EINVAL;
	if (!cap_step || cap_step > 50 || refused_cap > MDEV_QOS_CAP_MAX)
		return -EINVAL;

	ret = mdev_register_driver(&mqos_driver);
	if (ret)
		return ret;

	ret = class_register(&mqos_class);
	if (ret)
		goto err_driver;
	mqos_debugfs_root = debugfs_create_dir(MQOS_NAME, NULL);

	for (i = 0; i < MQOS_NR_PARENTS; i++) {
		mqos_parents[i] = mqos_parent_create(i);
		if (IS_ERR(mqos_parents[i])) {
			ret = PTR_ERR(mqos_parents[i]);
			goto err_parents;
		}
	}

	ret = pci_register_driver(&mqos_pci_driver);
	if (ret)
		goto err_parents;
	return 0;

err_parents:
	mqos_destroy_parents();
	debugfs_remove(mqos_debugfs_root);
	class_unregister(&mqos_class);
err_driver:
	mdev_unregister_driver(&mqos_driver);
	return ret;
}

static void __exit mqos_exit(void)
{
	pci_unregister_driver(&mqos_pci_driver);
	mqos_destroy_parents();
	debugfs_remove(mqos_debugfs_root);
	class_unregister(&mqos_class);
	mdev_unregister_driver(&mqos_driver);
}

module_init(mqos_init);
module_exit(mqos_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Sample mdev parent driver with the mdev QoS interface");
MODULE_VERSION("0.1.0");
