// SPDX-License-Identifier: GPL-2.0
/*
 * ctlwrite: hostile writes to a file (mlockwatch's control), one
 * open(2), with each write's outcome printed as one word: "ok" or the
 * errno's name (EINVAL, EPERM...), space-separated, on one line.
 *
 *   ctlwrite [-o OFF] [-s AT] FILE DATA...  each DATA one write(2), in
 *                                       order, on the same descriptor
 *   ctlwrite -R N [-S SEED] FILE        N writes of random bytes
 *
 * DATA takes C escapes: \n, \t, \r, \0, \\ and \xHH; "@PATH" writes the
 * whole of PATH in one write; "" is an empty write. -o OFF writes with
 * pwrite(2) at OFF; -s AT writes with writev(2), split into two iovecs
 * after AT bytes.
 *
 * -R N: each round writes bytes from /dev/urandom of a random kind: 1-48
 * random bytes, a valid verb followed by 1-16 random bytes (never just
 * "\n"), or up to 70000 random bytes. It prints "accepted A" and each
 * errno's count, e.g. "accepted 0 EINVAL 200", and for any accepted write
 * its bytes in hex on stderr. Exit status 0, or 2 on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>

static long offset = -1, split = -1;

static size_t unescape(const char *s, char *out)
{
	size_t n = 0;

	while (*s) {
		if (*s != '\\' || !s[1]) {
			out[n++] = *s++;
			continue;
		}
		s++;
		switch (*s) {
		case 'n': out[n++] = '\n'; s++; break;
		case 't': out[n++] = '\t'; s++; break;
		case 'r': out[n++] = '\r'; s++; break;
		case '0': out[n++] = '\0'; s++; break;
		case 'x': {
			char hex[3] = { 0 };

			strncpy(hex, s + 1, 2);
			out[n++] = (char)strtoul(hex, NULL, 16);
			s += 1 + strlen(hex);
			break;
		}
		default: out[n++] = *s++; break;
		}
	}
	return n;
}

static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		perror(path);
		exit(2);
	}
	buf = malloc(st.st_size + 1);
	if (!buf || read(fd, buf, st.st_size) != st.st_size) {
		perror(path);
		exit(2);
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

/* One write of @len bytes; returns 0 or the errno. */
static int one_write(int fd, const char *buf, size_t len)
{
	ssize_t n;

	if (offset >= 0) {
		n = pwrite(fd, buf, len, offset);
	} else if (split >= 0 && (size_t)split <= len) {
		struct iovec iov[2] = {
			{ (void *)buf, split },
			{ (void *)(buf + split), len - split },
		};

		n = writev(fd, iov, 2);
	} else {
		n = write(fd, buf, len);
	}
	if (n < 0)
		return errno;
	/* A short count: part of the write was taken. */
	return (size_t)n == len ? 0 : -1;
}

static const char *outcome(int err)
{
	if (err < 0)
		return "short";
	if (!err)
		return "ok";
	return strerrorname_np(err) ?: "E?";
}

static int randomized(int fd, long rounds, unsigned int seed)
{
	static const char *const verbs[] = { "reset", "drain", "selftest", "scan" };
	static char buf[70001];
	int errs[256] = { 0 }, ufd, e;
	long r, accepted = 0;
	size_t len, i, v;

	ufd = open("/dev/urandom", O_RDONLY);
	if (ufd < 0) {
		perror("/dev/urandom");
		return 2;
	}
	srand(seed);
	for (r = 0; r < rounds; r++) {
		switch (rand() % 3) {
		case 0:
			len = 1 + rand() % 48;
			v = 0;
			break;
		case 1:
			v = strlen(strcpy(buf, verbs[rand() % 4]));
			len = v + 1 + rand() % 16;
			break;
		default:
			len = 1 + rand() % (sizeof(buf) - 1);
			v = 0;
			break;
		}
		if (read(ufd, buf + v, len - v) != (ssize_t)(len - v)) {
			perror("/dev/urandom");
			return 2;
		}
		/* verb + "\n" alone is valid; anything longer is not. */
		if (v && len == v + 1 && buf[v] == '\n')
			buf[v] = 'x';
		e = one_write(fd, buf, len);
		if (!e || e < 0 || e > 255) {
			accepted++;
			fprintf(stderr, "accepted (%s, %zu bytes):", outcome(e), len);
			for (i = 0; i < len && i < 64; i++)
				fprintf(stderr, " %02x", (unsigned char)buf[i]);
			fputc('\n', stderr);
			continue;
		}
		errs[e]++;
	}
	printf("accepted %ld", accepted);
	for (e = 0; e < 256; e++)
		if (errs[e])
			printf(" %s %d", outcome(e), errs[e]);
	putchar('\n');
	return 0;
}

int main(int argc, char **argv)
{
	static char buf[1 << 17];
	long rounds = 0;
	unsigned int seed = 1;
	const char *path;
	int opt, fd, i;

	while ((opt = getopt(argc, argv, "o:s:R:S:")) != -1) {
		switch (opt) {
		case 'o': offset = atol(optarg); break;
		case 's': split = atol(optarg); break;
		case 'R': rounds = atol(optarg); break;
		case 'S': seed = strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: ctlwrite [-o OFF] [-s AT] FILE DATA... | -R N [-S SEED] FILE\n");
			return 2;
		}
	}
	if (optind >= argc || (!rounds && optind + 1 >= argc)) {
		fprintf(stderr, "ctlwrite: a file and some data, or -R N\n");
		return 2;
	}
	path = argv[optind++];
	fd = open(path, O_WRONLY);
	if (fd < 0) {
		printf("open:%s\n", outcome(errno));
		return 0;
	}
	if (rounds)
		return randomized(fd, rounds, seed);
	for (i = optind; i < argc; i++) {
		const char *d = argv[i];
		char *data = buf;
		size_t len;

		if (d[0] == '@')
			data = slurp(d + 1, &len);
		else
			len = unescape(d, buf);
		printf("%s%s", i > optind ? " " : "", outcome(one_write(fd, data, len)));
		if (data != buf)
			free(data);
	}
	putchar('\n');
	close(fd);
	return 0;
}
