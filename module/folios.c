// SPDX-License-Identifier: GPL-2.0
/*
 * The folios and mismatches views: one line per table entry, with the
 * folio's state read now and its verdict (include/mlockwatch/format.h).
 * mismatches shows only the entries whose verdict is an error, and
 * folios.bin is folios as fixed-size records, for tools that read many.
 *
 * The table is walked a chunk of entries at a time, copied under the
 * bucket locks; each folio is then read with a reference of its own, so
 * nothing is held across the seq_file's user copy. Entries found resolved
 * (unlocked, and the kernel agrees) are dropped on the way.
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include <mlockwatch/format.h>

#include "folios.h"
#include "table.h"
#include "judge.h"

#define MW_FOLIOS_CHUNK	64

/* folios.bin's layout is a contract: format.h, tools/mlockfolios. */
static_assert(sizeof(struct mw_folio_record) == 32);
static_assert(sizeof(struct mw_folios_bin_header) == 32);
static_assert(MW_NR_VERDICTS <= U8_MAX && MW_NR_STATES <= U8_MAX);

struct mw_folios_iter {
	bool errors_only;
	unsigned long walk_pos;	/* mw_table_walk()'s cursor */
	loff_t idx;		/* seq_file index of buf[i] */
	unsigned int n, i;
	struct mw_entry_view buf[MW_FOLIOS_CHUNK];
};

static void *mw_folios_cur(struct mw_folios_iter *it)
{
	return it->i < it->n ? &it->buf[it->i] : NULL;
}

static void *mw_folios_advance(struct mw_folios_iter *it)
{
	it->idx++;
	if (++it->i >= it->n) {
		it->n = mw_table_walk(&it->walk_pos, it->buf, MW_FOLIOS_CHUNK);
		it->i = 0;
	}
	return mw_folios_cur(it);
}

/* Index 0 is the header; entries follow. Seeking elsewhere reads nothing. */
static void *mw_folios_start(struct seq_file *m, loff_t *pos)
{
	struct mw_folios_iter *it = m->private;

	if (!*pos) {
		it->walk_pos = 0;
		it->idx = 0;
		it->n = 0;
		it->i = 0;
		return SEQ_START_TOKEN;
	}
	if (*pos == it->idx)
		return mw_folios_cur(it);
	if (*pos == it->idx + 1)
		return mw_folios_advance(it);
	return NULL;
}

static void *mw_folios_next(struct seq_file *m, void *v, loff_t *pos)
{
	(*pos)++;
	return mw_folios_advance(m->private);
}

static void mw_folios_stop(struct seq_file *m, void *v)
{
}

static const char *const mw_mms[MW_NR_MMS_MAX + 1] = { "0", "1", "2", "3+" };

static int mw_folios_show(struct seq_file *m, void *v)
{
	struct mw_folios_iter *it = m->private;
	struct mw_entry_view *e = v;
	struct mw_folio_now f;
	enum mw_verdict verdict;

	if (v == SEQ_START_TOKEN) {
		seq_printf(m, "format: %d\n", MLOCKWATCH_FOLIOS_FORMAT);
		seq_puts(m, "# pfn order nr_pages shadow kernel_count mlocked unevictable lru mapcount last_pid locking_mms state verdict\n");
		return 0;
	}
	verdict = mw_judge(e, &f);
	if (verdict == MW_V_RESOLVED ||
	    (it->errors_only && !mw_verdict_is_error(verdict)))
		return SEQ_SKIP;
	/*
	 * seq_put_decimal_*() rather than seq_printf(): vsnprintf's format
	 * parsing was 60% of reading this file, one line per folio.
	 */
	seq_put_decimal_ull(m, "", e->pfn);
	seq_put_decimal_ull(m, " ", e->order);
	seq_put_decimal_ull(m, " ", 1UL << e->order);
	seq_put_decimal_ll(m, " ", e->shadow);
	if (f.kcount >= 0)
		seq_put_decimal_ll(m, " ", f.kcount);
	else
		seq_puts(m, " -");
	seq_put_decimal_ull(m, " ", f.mlocked);
	seq_put_decimal_ull(m, " ", f.unevictable);
	seq_put_decimal_ull(m, " ", f.lru);
	seq_put_decimal_ll(m, " ", f.present ? f.mapcount : -1);
	seq_put_decimal_ll(m, " ", e->last_pid);
	seq_putc(m, ' ');
	seq_puts(m, mw_mms[min_t(u8, e->nr_mms, MW_NR_MMS_MAX)]);
	seq_putc(m, ' ');
	seq_puts(m, mw_state_name(e->state));
	seq_putc(m, ' ');
	seq_puts(m, mw_verdict_name(verdict));
	seq_putc(m, '\n');
	return 0;
}

/*
 * The text formatting was most of the cost of reading folios: a record
 * is a copy of what the line would print, with no conversion.
 */
static int mw_folios_bin_show(struct seq_file *m, void *v)
{
	static const struct mw_folios_bin_header hdr = {
		.magic = MLOCKWATCH_FOLIOS_BIN_MAGIC,
		.format = MLOCKWATCH_FOLIOS_BIN_FORMAT,
		.header_size = sizeof(struct mw_folios_bin_header),
		.record_size = sizeof(struct mw_folio_record),
	};
	struct mw_entry_view *e = v;
	struct mw_folio_record r = { };
	struct mw_folio_now f;
	enum mw_verdict verdict;

	if (v == SEQ_START_TOKEN) {
		seq_write(m, &hdr, sizeof(hdr));
		return 0;
	}
	verdict = mw_judge(e, &f);
	if (verdict == MW_V_RESOLVED)
		return SEQ_SKIP;
	r.pfn = e->pfn;
	r.shadow = e->shadow;
	r.kernel_count = f.kcount >= 0 ? f.kcount : -1;
	r.mapcount = f.present ? f.mapcount : -1;
	r.last_pid = e->last_pid;
	r.order = e->order;
	r.flags = (f.mlocked ? MW_FOLIO_REC_MLOCKED : 0) |
		  (f.unevictable ? MW_FOLIO_REC_UNEVICTABLE : 0) |
		  (f.lru ? MW_FOLIO_REC_LRU : 0);
	r.locking_mms = min_t(u8, e->nr_mms, MW_NR_MMS_MAX);
	r.state = e->state;
	r.verdict = verdict;
	seq_write(m, &r, sizeof(r));
	return 0;
}

static const struct seq_operations mw_folios_sops = {
	.start = mw_folios_start,
	.next = mw_folios_next,
	.stop = mw_folios_stop,
	.show = mw_folios_show,
};

static const struct seq_operations mw_folios_bin_sops = {
	.start = mw_folios_start,
	.next = mw_folios_next,
	.stop = mw_folios_stop,
	.show = mw_folios_bin_show,
};

/* The views of the table: every entry, only the errors, or as records. */
static const struct mw_folios_view {
	const char *name;
	bool errors_only;
	const struct seq_operations *sops;
} mw_folios_views[] = {
	{ "folios", false, &mw_folios_sops },
	{ "mismatches", true, &mw_folios_sops },
	{ "folios.bin", false, &mw_folios_bin_sops },
};

static int mw_folios_open(struct inode *inode, struct file *file)
{
	const struct mw_folios_view *view = inode->i_private;
	struct mw_folios_iter *it;

	it = __seq_open_private(file, view->sops, sizeof(*it));
	if (!it)
		return -ENOMEM;
	it->errors_only = view->errors_only;
	return 0;
}

static const struct file_operations mw_folios_fops = {
	.owner = THIS_MODULE,
	.open = mw_folios_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

void mw_folios_create(struct dentry *dir)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(mw_folios_views); i++)
		debugfs_create_file(mw_folios_views[i].name, 0400, dir,
				    (void *)&mw_folios_views[i],
				    &mw_folios_fops);
}
