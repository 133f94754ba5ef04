// SPDX-License-Identifier: GPL-2.0
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "argp_err.h"

struct argp_err {
	const char *prefix;
	size_t pos;		/* characters of the line that matched so far */
	bool keep, drop;	/* decided for the rest of the line */
};

static ssize_t argp_err_write(void *cookie, const char *buf, size_t len)
{
	struct argp_err *f = cookie;
	size_t i, from = 0;

	for (i = 0; i < len; i++) {
		/* A line may arrive in pieces: match the prefix across calls. */
		if (!f->keep && !f->drop) {
			if (buf[i] == f->prefix[f->pos]) {
				if (!f->prefix[++f->pos]) {
					fputs(f->prefix, stderr);
					f->keep = true;
					from = i + 1;
				}
				continue;
			}
			f->drop = true;
		}
		if (buf[i] == '\n') {
			if (f->keep)
				fwrite(buf + from, 1, i + 1 - from, stderr);
			*f = (struct argp_err){ .prefix = f->prefix };
			from = i + 1;
		}
	}
	if (f->keep && from < len)
		fwrite(buf + from, 1, len - from, stderr);
	return len;
}

FILE *argp_err_stream(const char *prefix)
{
	static struct argp_err f;
	FILE *stream;

	f = (struct argp_err){ .prefix = prefix };
	stream = fopencookie(&f, "w", (cookie_io_functions_t){
		.write = argp_err_write,
	});
	if (!stream)
		return stderr;
	/* Line buffered, so that nothing waits for exit() to be seen. */
	setvbuf(stream, NULL, _IOLBF, 0);
	return stream;
}
