// SPDX-License-Identifier: GPL-2.0
/*
 * The per-mm side of mlock accounting: mm->locked_vm (VmLck) must equal
 * the pages of the mm's VM_LOCKED VMAs. mlock_fixup(), mmap, brk, stack
 * growth, mremap, munmap, fork and exit keep the two together; a bug in
 * any of them (the mremap DONTUNMAP leaks, the int nr_pages truncation in
 * mlock_fixup()) shows as a difference that never goes away.
 *
 * The "mms" view and the "scan" verb walk every thread group with an mm,
 * in pid order, the way /proc's readdir does: the next pid is found under
 * RCU and the task pinned, then its mm is read under mmap_read_lock with
 * RCU dropped. locked_vm is read before and after the VMA walk; a change
 * (stack growth, or a writer on a kernel that updates it without the
 * write lock) makes the walk retry, and after MW_MMS_TRIES the mm is
 * "transient", never a mismatch.
 *
 * Exception: drivers that pin memory for DMA (VFIO type1, iommufd, FPGA
 * DFL) charge mm->locked_vm through __account_locked_vm() with no
 * VM_LOCKED VMA behind it. A kretprobe counts their net charges since
 * load (which mm they went to is not kept); an excess no larger than
 * that is known-driver-charge, not an error. Charges made before load
 * cannot be seen: such an mm reads as excess.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/debugfs.h>
#include <linux/mm.h>
#include <linux/mmap_lock.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/pid_namespace.h>
#include <linux/sched/mm.h>
#include <linux/sched/task.h>
#include <linux/seq_file.h>

#include <mlockwatch/format.h>

#include "mms.h"

#define MW_MMS_TRIES	3

static DEFINE_MUTEX(mw_mms_lock);
static struct mw_mms_result mw_last_mms;
static atomic_long_t mw_driver_pages = ATOMIC_LONG_INIT(0);

void mw_mms_driver_charge(long pages)
{
	atomic_long_add(pages, &mw_driver_pages);
}

long mw_mms_driver_pages(void)
{
	return atomic_long_read(&mw_driver_pages);
}

/*
 * The thread group leader with the lowest tgid >= *nr, pinned, and *nr
 * moved past it; NULL when there is none.
 */
static struct task_struct *mw_next_tgid(pid_t *nr)
{
	struct task_struct *task = NULL;
	struct pid *pid;

	rcu_read_lock();
	while (!task && (pid = find_ge_pid(*nr, &init_pid_ns))) {
		*nr = pid_nr(pid) + 1;
		task = pid_task(pid, PIDTYPE_TGID);
		if (task)
			get_task_struct(task);
	}
	rcu_read_unlock();
	return task;
}

/* A comm is one word in the views: blanks and controls become '_'. */
static void mw_comm_word(char *comm)
{
	for (; *comm; comm++)
		if (isspace(*comm) || iscntrl(*comm))
			*comm = '_';
}

/**
 * mw_mm_read() - one mm's locked_vm against its VM_LOCKED VMAs
 * @task: a pinned thread group leader
 * @r: filled in with what was read and its verdict
 *
 * Process context; takes the mm's mmap_lock for read and may sleep.
 *
 * Return: false when @task has no mm (a kernel thread, or it is exiting).
 */
static bool mw_mm_read(struct task_struct *task, struct mw_mm *r)
{
	struct mm_struct *mm = get_task_mm(task);
	bool stable = false;
	int try;

	if (!mm)
		return false;
	memset(r, 0, sizeof(*r));
	r->pid = task_tgid_nr(task);
	get_task_comm(r->comm, task);
	mw_comm_word(r->comm);
	for (try = 0; try < MW_MMS_TRIES && !stable; try++) {
		VMA_ITERATOR(vmi, mm, 0);
		struct vm_area_struct *vma;
		unsigned long before;

		if (mmap_read_lock_killable(mm))
			break;
		before = READ_ONCE(mm->locked_vm);
		r->vm_locked = 0;
		for_each_vma(vmi, vma)
			if (vma->vm_flags & VM_LOCKED)
				r->vm_locked += vma_pages(vma);
		r->locked_vm = READ_ONCE(mm->locked_vm);
		mmap_read_unlock(mm);
		stable = r->locked_vm == before;
		if (stable)
			r->delta = (long)(r->locked_vm - r->vm_locked);
		else
			cond_resched();
	}
	r->verdict = mw_mm_verdict_of(stable, r->delta, mw_mms_driver_pages());
	mmput(mm);
	return true;
}

void mw_mms_scan(void)
{
	struct mw_mms_result s = { };
	struct task_struct *task;
	pid_t nr = 1;
	struct mw_mm r;

	mutex_lock(&mw_mms_lock);
	while ((task = mw_next_tgid(&nr))) {
		if (mw_mm_read(task, &r)) {
			s.mms++;
			s.locked_vm += r.locked_vm;
			s.vm_locked += r.vm_locked;
			if (r.verdict == MW_MM_TRANSIENT) {
				s.transient++;
			} else if (r.verdict == MW_MM_KNOWN_DRIVER_CHARGE) {
				s.driver_charged++;
			} else if (r.verdict != MW_MM_OK) {
				if (!s.mismatched++)
					s.first = r;
				if (r.delta > 0)
					s.excess += r.delta;
				else
					s.deficit -= r.delta;
			}
		}
		put_task_struct(task);
		cond_resched();
	}
	mw_last_mms = s;
	mutex_unlock(&mw_mms_lock);
	if (s.mismatched)
		pr_warn("scan: %lu mm(s) whose locked_vm is not the pages of their VM_LOCKED VMAs, first pid %d (%s): locked_vm %lu, VM_LOCKED %lu\n",
			s.mismatched, s.first.pid, s.first.comm,
			s.first.locked_vm, s.first.vm_locked);
}

void mw_mms_show_summary(struct seq_file *m)
{
	struct mw_mms_result s;

	mutex_lock(&mw_mms_lock);
	s = mw_last_mms;
	mutex_unlock(&mw_mms_lock);
	seq_printf(m, "scan_mms: %lu\n", s.mms);
	seq_printf(m, "scan_mms_mismatched: %lu\n", s.mismatched);
	seq_printf(m, "scan_mms_transient: %lu\n", s.transient);
	seq_printf(m, "scan_mms_driver_charged: %lu\n", s.driver_charged);
	seq_printf(m, "scan_mms_locked_vm_pages: %lu\n", s.locked_vm);
	seq_printf(m, "scan_mms_vm_locked_pages: %lu\n", s.vm_locked);
	seq_printf(m, "scan_mms_excess_pages: %lu\n", s.excess);
	seq_printf(m, "scan_mms_deficit_pages: %lu\n", s.deficit);
	seq_printf(m, "driver_locked_vm_pages: %ld\n", mw_mms_driver_pages());
	if (s.mismatched)
		seq_printf(m, "scan_mms_first: %d %s %lu %lu %ld %s\n",
			   s.first.pid, s.first.comm, s.first.locked_vm,
			   s.first.vm_locked, s.first.delta,
			   mw_mm_verdict_name(s.first.verdict));
	else
		seq_puts(m, "scan_mms_first: none\n");
}

/*
 * The seq_file position is the next tgid to look at (0: the header), so a
 * read that resumes after a full buffer finds its place again by pid.
 */
static void *mw_mms_start(struct seq_file *m, loff_t *pos)
{
	pid_t nr = *pos;

	if (!*pos)
		return SEQ_START_TOKEN;
	if (*pos > PID_MAX_LIMIT)
		return NULL;
	return mw_next_tgid(&nr);
}

static void *mw_mms_next(struct seq_file *m, void *v, loff_t *pos)
{
	pid_t nr = 1;

	if (v != SEQ_START_TOKEN) {
		nr = task_tgid_nr(v) + 1;
		put_task_struct(v);
	}
	*pos = nr;
	return mw_next_tgid(&nr);
}

static void mw_mms_stop(struct seq_file *m, void *v)
{
	if (v && v != SEQ_START_TOKEN)
		put_task_struct(v);
}

static int mw_mms_show(struct seq_file *m, void *v)
{
	struct mw_mm r;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "format: %d\n", MLOCKWATCH_MMS_FORMAT);
		seq_puts(m, "# PID COMM LOCKED_VM VM_LOCKED_PAGES DELTA VERDICT\n");
		return 0;
	}
	if (mw_mm_read(v, &r))
		seq_printf(m, "%d %s %lu %lu %ld %s\n", r.pid, r.comm,
			   r.locked_vm, r.vm_locked, r.delta,
			   mw_mm_verdict_name(r.verdict));
	return 0;
}

static const struct seq_operations mw_mms_sops = {
	.start = mw_mms_start,
	.next = mw_mms_next,
	.stop = mw_mms_stop,
	.show = mw_mms_show,
};
DEFINE_SEQ_ATTRIBUTE(mw_mms);

void mw_mms_create(struct dentry *dir)
{
	debugfs_create_file("mms", 0400, dir, NULL, &mw_mms_fops);
}
