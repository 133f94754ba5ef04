// SPDX-License-Identifier: GPL-2.0
/*
 * Threads racing on the same ranges, where only the VMAs themselves (in
 * smaps) can tell what is locked.
 */
#include "mlockstress.h"

/*
 * Threads lock, unlock, fault and split the same ranges at once.  Our
 * per-page bookkeeping cannot follow them, so at each round's barrier
 * VmLck is held against the VM_LOCKED VMAs in smaps instead.
 */
#define THREAD_ROUND	32

struct tshared {
	char *anon, *file;
	size_t anon_pages, file_pages;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_barrier_t bar;
	unsigned int rounds;		/* with --ops */
	bool go, finish, failed;
	bool exec_ok;
};

struct tctx {
	struct ctx c;
	struct tshared *ts;
	unsigned int id;
};

static int thread_op(struct ctx *c, struct tshared *ts)
{
	bool file = rnd(c, 3) == 0;
	size_t np = file ? ts->file_pages : ts->anon_pages, i, n, k;
	char *a, *base = file ? ts->file : ts->anon;
	int prot;

	pick_range(c, np, 1, &i, &n);
	a = base + i * page_size;
	switch (rnd(c, 8)) {
	case 0: case 1:
		count(c, OP_MLOCK);
		if (mlock(a, n * page_size))
			return lock_failed(c, "mlock", a, n * page_size, errno);
		break;
	case 2:
		count(c, OP_MLOCK_ONFAULT);
		if (mlock2(a, n * page_size, MLOCK_ONFAULT))
			return lock_failed(c, "mlock2(MLOCK_ONFAULT)", a,
					   n * page_size, errno);
		break;
	case 3: case 4:
		count(c, OP_MUNLOCK);
		if (munlock(a, n * page_size))
			return surprise(c, "munlock", errno, "%p", a);
		break;
	case 5:
		count(c, OP_TOUCH);
		for (k = 0; k < n; k++)
			((volatile char *)a)[k * page_size]++;
		break;
	case 6:
		/*
		 * Flip VM_EXEC rather than write permission: it splits and
		 * merges VMAs without making a racing write fault.
		 */
		count(c, OP_MPROTECT);
		if (!__atomic_load_n(&ts->exec_ok, __ATOMIC_RELAXED))
			break;
		prot = PROT_READ | PROT_WRITE | (rnd(c, 2) ? PROT_EXEC : 0);
		if (mprotect(a, n * page_size, prot)) {
			if (errno != EACCES)
				return surprise(c, "mprotect", errno, "%p", a);
			__atomic_store_n(&ts->exec_ok, false,
					 __ATOMIC_RELAXED);
			refused(c);
		}
		break;
	case 7:
		/* may meet a VMA another thread just locked */
		count(c, OP_MADV_DONTNEED);
		if (madvise(a, n * page_size, MADV_DONTNEED)) {
			if (errno != EINVAL)
				return surprise(c, "madvise(MADV_DONTNEED)",
						errno, "%p", a);
			refused(c);
		}
		break;
	}
	return 0;
}

static void *thread_main(void *arg)
{
	struct tctx *t = arg;
	struct tshared *ts = t->ts;
	struct ctx *c = &t->c;
	unsigned int round = 0;

	/* no thread starts before all exist and the barrier is sized */
	pthread_mutex_lock(&ts->mu);
	while (!ts->go)
		pthread_cond_wait(&ts->cv, &ts->mu);
	pthread_mutex_unlock(&ts->mu);
	while (!ts->finish) {
		unsigned long k;

		for (k = 0; k < THREAD_ROUND && c->done < c->budget &&
		     !c->failed && !stop_requested &&
		     (c->o->ops || now() < c->deadline); k++) {
			step(c);
			if (thread_op(c, ts))
				break;
		}
		if (c->failed)
			__atomic_store_n(&ts->failed, true, __ATOMIC_RELAXED);
		pthread_barrier_wait(&ts->bar);
		/* the first thread checks and decides while the rest wait */
		if (t->id == 0) {
			if (!ts->failed && check_vmlck_vs_smaps(c, "barrier"))
				ts->failed = true;
			ts->finish = ts->failed || stop_requested ||
				     (c->o->ops ? ++round >= ts->rounds :
				      now() >= c->deadline);
		}
		pthread_barrier_wait(&ts->bar);
	}
	return NULL;
}

/*
 * Starts the threads; with --ops each gets its share of the steps, in
 * rounds of THREAD_ROUND, else they go round until the deadline.
 */
static int threads_run(struct ctx *c, struct tshared *ts, struct tctx *t,
		       pthread_t *tid, unsigned int nt)
{
	unsigned long left = c->budget, most = 0;
	unsigned int j, started = 0;

	for (j = 0; j < nt; j++) {
		int err;

		t[j].c = *c;
		t[j].c.rng = rng_seed(c->o->seed, c->name, j + 1);
		t[j].c.done = 0;
		t[j].c.budget = c->o->ops ? left / nt + (j < left % nt) :
				ULONG_MAX;
		if (t[j].c.budget > most)
			most = t[j].c.budget;
		t[j].ts = ts;
		t[j].id = j;
		err = pthread_create(&tid[j], NULL, thread_main, &t[j]);
		if (err) {
			surprise(c, "pthread_create", err, "thread %u", j);
			break;
		}
		started++;
	}
	ts->rounds = (most + THREAD_ROUND - 1) / THREAD_ROUND;
	/* a thread that could not start would leave the barrier shut */
	ts->finish = c->failed;
	if (started)
		pthread_barrier_init(&ts->bar, NULL, started);
	pthread_mutex_lock(&ts->mu);
	ts->go = true;
	pthread_cond_broadcast(&ts->cv);
	pthread_mutex_unlock(&ts->mu);
	for (j = 0; j < started; j++) {
		pthread_join(tid[j], NULL);
		c->done += t[j].c.done;
		c->failed |= t[j].c.failed;
	}
	if (started)
		pthread_barrier_destroy(&ts->bar);
	if (ts->failed)
		c->failed = true;
	return c->failed ? -1 : 0;
}

int sc_threads(struct ctx *c)
{
	unsigned int nt = c->o->threads;
	struct tshared ts = {
		.mu = PTHREAD_MUTEX_INITIALIZER,
		.cv = PTHREAD_COND_INITIALIZER,
		.exec_ok = true,
	};
	struct tctx *t = calloc(nt, sizeof(*t));
	pthread_t *tid = calloc(nt, sizeof(*tid));
	struct sfile f;
	int ret = -1;

	sfile_init(&f);
	ts.anon = ts.file = MAP_FAILED;
	if (!t || !tid) {
		surprise(c, "calloc", ENOMEM, "");
		goto out;
	}
	ts.anon_pages = size_pages(c, 2);
	ts.file_pages = size_pages(c, 2);
	count(c, OP_MMAP);
	ts.anon = mmap(NULL, ts.anon_pages * page_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ts.anon == MAP_FAILED) {
		surprise(c, "mmap", errno, "");
		goto out;
	}
	if (sfile_open(c, &f, NULL, ts.file_pages * page_size))
		goto out;
	count(c, OP_MMAP);
	ts.file = mmap(NULL, ts.file_pages * page_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, f.fd, 0);
	if (ts.file == MAP_FAILED) {
		surprise(c, "mmap", errno, "");
		goto out;
	}
	threads_run(c, &ts, t, tid, nt);
	if (!c->failed) {
		count(c, OP_MUNLOCK);
		count(c, OP_MUNLOCK);
		if (munlock(ts.anon, ts.anon_pages * page_size) ||
		    munlock(ts.file, ts.file_pages * page_size))
			surprise(c, "munlock", errno, "all");
		else
			check_vmlck(c, "munlock");
	}
	ret = c->failed ? -1 : 0;
out:
	if (ts.anon != MAP_FAILED)
		munmap(ts.anon, ts.anon_pages * page_size);
	if (ts.file != MAP_FAILED)
		munmap(ts.file, ts.file_pages * page_size);
	sfile_close(c, &f);
	free(t);
	free(tid);
	return c->failed ? -1 : ret;
}
