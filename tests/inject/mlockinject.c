// SPDX-License-Identifier: GPL-2.0
/*
 * mlockinject: a test-only module that corrupts the kernel's mlock
 * accounting in one specific way per command, so that the tests can show
 * that mlockwatch names each corruption. Never installed by DKMS.
 *
 * Write one command to /sys/kernel/debug/mlockinject/inject:
 *
 *   nr_mlock N             NR_MLOCK += N (N may be negative), no folio
 *   event NAME N           unevictable_pgs_NAME += N, NAME one of the
 *                          seven in include/mlockwatch/events.h (mlocked,
 *                          munlocked, cleared, stranded move NR_MLOCK's
 *                          identity; the others are there for symmetry)
 *   stray                  a free-standing page of our own gets
 *                          PG_mlocked, with NR_MLOCK and unevictable_pgs_
 *                          mlocked raised to match: only a PFN scan can
 *                          see it
 *   clear ADDR             the folio mapped at ADDR in the writer's own mm
 *                          loses PG_mlocked, NR_MLOCK and
 *                          unevictable_pgs_munlocked follow
 *   set ADDR               the folio mapped at ADDR gets PG_mlocked, with
 *                          NR_MLOCK and unevictable_pgs_mlocked raised to
 *                          match, and no mlock call: a lock no hook saw
 *   raise ADDR N           the folio mapped at ADDR gets mlock_count += N
 *                          (N may be negative: an undercount), only in the
 *                          field's valid window: small, PG_lru,
 *                          PG_unevictable and PG_mlocked, under the lruvec
 *                          lock
 *   locked_vm N            charge N pages (N < 0: uncharge) to the
 *                          writer's own mm->locked_vm through
 *                          account_locked_vm(), as a driver pinning memory
 *                          for DMA does, with no VM_LOCKED VMA; not undone
 *                          at unload (the mm may be gone)
 *   irq_nr_mlock CPU US    a kthread on another CPU sends CPU an IPI
 *                          every US microseconds (up to 10000; 0: one
 *                          after the other, yielding between); in that
 *                          hard interrupt, NR_MLOCK += 1 (IRQ-safe, to
 *                          CPU's vmstat diff, as the free of an mlocked
 *                          folio in interrupt context writes), taken back
 *                          on the kthread's CPU once the IPI is done: an
 *                          update a non-IRQ-safe writer on CPU loses is a
 *                          page NR_MLOCK stays low by
 *   irq_nr_mlock off       stop it, balanced; "irq_writes: N" is then read
 *
 * Reading the file gives the PFN the last command touched ("pfn: N").
 * On unload it undoes what it can: NR_MLOCK, the events and the stray
 * page (so that the next test starts from a consistent kernel); counts
 * raised are lowered again if the folio is still in the window. A cleared
 * PG_mlocked is left cleared: the kernel treats it as an undercount. A set
 * one is left set: the kernel clears it when the folio is freed
 * (unevictable_pgs_cleared), and by then the PFN may be another folio's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/mm_inline.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/uaccess.h>
#include <linux/vmstat.h>

static DEFINE_MUTEX(inject_lock);
static struct dentry *inject_dir;
static long nr_mlock_added;
/* Event counters are sums of per-CPU counters: lowering one wraps back. */
static long events_added[NR_VM_EVENT_ITEMS];
static struct page *stray_page;
static unsigned long last_pfn;
/* mlock_count changes to undo at unload, per PFN. */
#define MAX_RAISED 16
static struct {
	unsigned long pfn;
	int by;
} raised[MAX_RAISED];

/*
 * The interrupt-side NR_MLOCK writer; irq_writes is written by its
 * kthread only and read once it is stopped.
 */
static struct task_struct *irq_writer;
static struct zone *irq_zone;
static unsigned int irq_cpu, irq_period_us;
static unsigned long irq_writes;

/* A page of our own, for a zone to put stray NR_MLOCK changes in. */
static struct page *zone_page;

static struct zone *first_zone(void)
{
	return page_zone(zone_page);
}

/*
 * folio_lruvec() without root_mem_cgroup, which is not exported: NULL
 * for a folio that is not charged to a memcg while memcg is enabled.
 */
static struct lruvec *lruvec_of(struct folio *folio)
{
	struct pglist_data *pgdat = folio_pgdat(folio);
	struct mem_cgroup *memcg;

	if (mem_cgroup_disabled())
		return &pgdat->__lruvec;
	memcg = folio_memcg(folio);
	return memcg ? &memcg->nodeinfo[pgdat->node_id]->lruvec : NULL;
}

static int event_item(const char *name, enum vm_event_item *item)
{
	static const struct {
		const char *name;
		enum vm_event_item item;
	} events[] = {
#define MW_EVENT(id, name) { #name, UNEVICTABLE_PG##id },
#include <mlockwatch/events.h>
#undef MW_EVENT
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(events); i++)
		if (!strcmp(name, events[i].name)) {
			*item = events[i].item;
			return 0;
		}
	return -EINVAL;
}

/* The folio mapped at @addr in current's mm, with a reference. */
static struct folio *user_folio(unsigned long addr)
{
	struct page *page;

	if (get_user_pages_fast(addr, 1, 0, &page) != 1)
		return NULL;
	return page_folio(page);
}

static int do_clear(unsigned long addr)
{
	struct folio *folio = user_folio(addr);
	long nr;

	if (!folio)
		return -EFAULT;
	nr = folio_nr_pages(folio);
	last_pfn = folio_pfn(folio);
	if (folio_test_clear_mlocked(folio)) {
		mod_zone_page_state(folio_zone(folio), NR_MLOCK, -nr);
		count_vm_events(UNEVICTABLE_PGMUNLOCKED, nr);
	}
	folio_put(folio);
	return 0;
}

static int do_set(unsigned long addr)
{
	struct folio *folio = user_folio(addr);
	long nr;

	if (!folio)
		return -EFAULT;
	nr = folio_nr_pages(folio);
	last_pfn = folio_pfn(folio);
	if (!folio_test_set_mlocked(folio)) {
		mod_zone_page_state(folio_zone(folio), NR_MLOCK, nr);
		count_vm_events(UNEVICTABLE_PGMLOCKED, nr);
	}
	folio_put(folio);
	return 0;
}

/* Adds @n to the count of the folio at @pfn if it is in its window. */
static int raise_pfn(struct folio *folio, int n)
{
	struct lruvec *lruvec;
	int err = -EBUSY;

	rcu_read_lock();
	lruvec = lruvec_of(folio);
	if (!lruvec) {
		rcu_read_unlock();
		return -ENOENT;
	}
	spin_lock_irq(&lruvec->lru_lock);
	if (lruvec == lruvec_of(folio) && !folio_test_large(folio) &&
	    folio_test_lru(folio) && folio_test_unevictable(folio) &&
	    folio_test_mlocked(folio) && (int)folio->mlock_count + n >= 0) {
		folio->mlock_count += n;
		err = 0;
	}
	spin_unlock_irq(&lruvec->lru_lock);
	rcu_read_unlock();
	return err;
}

static int do_raise(unsigned long addr, int n)
{
	struct folio *folio = user_folio(addr);
	unsigned int i;
	int err;

	if (!folio)
		return -EFAULT;
	last_pfn = folio_pfn(folio);
	for (i = 0; i < MAX_RAISED; i++)
		if (!raised[i].by || raised[i].pfn == last_pfn)
			break;
	err = i < MAX_RAISED ? raise_pfn(folio, n) : -ENOSPC;
	if (!err) {
		raised[i].pfn = last_pfn;
		raised[i].by += n;
	}
	folio_put(folio);
	return err;
}

static int do_stray(void)
{
	struct folio *folio;

	if (stray_page)
		return -EBUSY;
	stray_page = alloc_page(GFP_KERNEL);
	if (!stray_page)
		return -ENOMEM;
	folio = page_folio(stray_page);
	folio_set_mlocked(folio);
	mod_zone_page_state(folio_zone(folio), NR_MLOCK, 1);
	count_vm_event(UNEVICTABLE_PGMLOCKED);
	last_pfn = page_to_pfn(stray_page);
	return 0;
}

static void undo_stray(void)
{
	struct folio *folio;

	if (!stray_page)
		return;
	folio = page_folio(stray_page);
	if (folio_test_clear_mlocked(folio)) {
		mod_zone_page_state(folio_zone(folio), NR_MLOCK, -1);
		count_vm_event(UNEVICTABLE_PGMUNLOCKED);
	}
	__free_page(stray_page);
	stray_page = NULL;
}

static void irq_write(void *unused)
{
	mod_zone_page_state(irq_zone, NR_MLOCK, 1);
}

/*
 * Each +1 is taken back from this CPU, where nothing writes NR_MLOCK
 * unsafely: a +1 that a writer on irq_cpu overwrote is a -1 that stays,
 * one a lost update.
 */
static int irq_writer_fn(void *unused)
{
	while (!kthread_should_stop()) {
		if (!smp_call_function_single(irq_cpu, irq_write, NULL, 1)) {
			mod_zone_page_state(irq_zone, NR_MLOCK, -1);
			irq_writes++;
		}
		if (irq_period_us)
			usleep_range(irq_period_us, irq_period_us + 10);
		else
			cond_resched();
	}
	return 0;
}

static void irq_writer_stop(void)
{
	if (!irq_writer)
		return;
	kthread_stop(irq_writer);
	irq_writer = NULL;
}

/*
 * The zone user pages come from (movable allocations): the one whose
 * per-CPU NR_MLOCK diff a munlock of the stress's pages writes.
 */
static int irq_writer_start(unsigned int cpu, unsigned int us)
{
	struct page *page;
	unsigned int from;

	if (irq_writer || !cpu_online(cpu) || us > 10000)
		return -EINVAL;
	from = cpumask_any_but(cpu_online_mask, cpu);
	if (from >= nr_cpu_ids)
		return -EINVAL;
	page = alloc_page(GFP_HIGHUSER_MOVABLE);
	if (!page)
		return -ENOMEM;
	irq_zone = page_zone(page);
	__free_page(page);
	irq_cpu = cpu;
	irq_period_us = us;
	irq_writes = 0;
	irq_writer = kthread_create(irq_writer_fn, NULL, "mlockinject-irq");
	if (IS_ERR(irq_writer)) {
		int err = PTR_ERR(irq_writer);

		irq_writer = NULL;
		return err;
	}
	kthread_bind(irq_writer, from);
	wake_up_process(irq_writer);
	return 0;
}

static int run(char *cmd)
{
	char *verb = strsep(&cmd, " "), *a1 = strsep(&cmd, " ");
	char *a2 = strsep(&cmd, " ");
	enum vm_event_item item;
	unsigned int cpu, us;
	unsigned long addr;
	long n;

	if (!strcmp(verb, "nr_mlock") && a1 && !kstrtol(a1, 0, &n)) {
		mod_zone_page_state(first_zone(), NR_MLOCK, n);
		nr_mlock_added += n;
		return 0;
	}
	if (!strcmp(verb, "event") && a1 && a2 && !event_item(a1, &item) &&
	    !kstrtol(a2, 0, &n) && n > 0) {
		count_vm_events(item, n);
		events_added[item] += n;
		return 0;
	}
	if (!strcmp(verb, "stray") && !a1)
		return do_stray();
	if (!strcmp(verb, "clear") && a1 && !kstrtoul(a1, 0, &addr))
		return do_clear(addr);
	if (!strcmp(verb, "set") && a1 && !kstrtoul(a1, 0, &addr))
		return do_set(addr);
	if (!strcmp(verb, "locked_vm") && a1 && !kstrtol(a1, 0, &n) && n &&
	    n > -(1L << 20) && n < (1L << 20) && current->mm)
		return account_locked_vm(current->mm, abs(n), n > 0);
	if (!strcmp(verb, "irq_nr_mlock") && a1 && !strcmp(a1, "off") && !a2) {
		irq_writer_stop();
		return 0;
	}
	if (!strcmp(verb, "irq_nr_mlock") && a1 && a2 &&
	    !kstrtouint(a1, 0, &cpu) && cpu < nr_cpu_ids &&
	    !kstrtouint(a2, 0, &us))
		return irq_writer_start(cpu, us);
	if (!strcmp(verb, "raise") && a1 && a2 && !kstrtoul(a1, 0, &addr) &&
	    !kstrtol(a2, 0, &n) && n && n > -1000 && n < 1000)
		return do_raise(addr, n);
	return -EINVAL;
}

static ssize_t inject_write(struct file *file, const char __user *ubuf,
			    size_t len, loff_t *ppos)
{
	char buf[96];
	int err;

	if (!len || len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';
	strim(buf);
	mutex_lock(&inject_lock);
	err = run(buf);
	mutex_unlock(&inject_lock);
	return err ?: len;
}

static ssize_t inject_read(struct file *file, char __user *ubuf, size_t len,
			   loff_t *ppos)
{
	char buf[80];
	int n;

	mutex_lock(&inject_lock);
	n = scnprintf(buf, sizeof(buf), "pfn: %lu\nirq_writes: %lu\n", last_pfn,
		      irq_writer ? 0 : irq_writes);
	mutex_unlock(&inject_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations inject_fops = {
	.owner = THIS_MODULE,
	.open = simple_open,
	.read = inject_read,
	.write = inject_write,
};

static int __init mlockinject_init(void)
{
	zone_page = alloc_page(GFP_KERNEL);
	if (!zone_page)
		return -ENOMEM;
	inject_dir = debugfs_create_dir("mlockinject", NULL);
	if (IS_ERR(inject_dir)) {
		__free_page(zone_page);
		return PTR_ERR(inject_dir);
	}
	debugfs_create_file("inject", 0600, inject_dir, NULL, &inject_fops);
	return 0;
}

static void __exit mlockinject_exit(void)
{
	unsigned int i;

	debugfs_remove(inject_dir);
	irq_writer_stop();
	if (nr_mlock_added)
		mod_zone_page_state(first_zone(), NR_MLOCK, -nr_mlock_added);
	for (i = 0; i < NR_VM_EVENT_ITEMS; i++)
		if (events_added[i])
			count_vm_events(i, -events_added[i]);
	undo_stray();
	for (i = 0; i < MAX_RAISED; i++) {
		struct page *page = raised[i].by ?
				    pfn_to_online_page(raised[i].pfn) : NULL;
		struct folio *folio = page ? page_folio(page) : NULL;

		if (!folio || !folio_try_get(folio))
			continue;
		if (raise_pfn(folio, -raised[i].by))
			pr_info("left mlock_count of PFN %lu changed by %d: out of its window\n",
				raised[i].pfn, raised[i].by);
		folio_put(folio);
	}
	__free_page(zone_page);
}

module_init(mlockinject_init);
module_exit(mlockinject_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test-only corruption of mlock accounting, for mlockwatch's tests");
