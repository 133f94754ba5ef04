// SPDX-License-Identifier: GPL-2.0
/*
 * runas: run a command with less privilege, for the least-privilege tests.
 *
 *   runas nobody CMD [ARGS...]   as uid and gid 65534, no supplementary
 *                                groups (so no capability at all)
 *   runas nocap CMD [ARGS...]    as root, without CAP_SYS_ADMIN: dropped
 *                                from the bounding set first (else exec
 *                                would give root it back), then from the
 *                                permitted, effective and inheritable sets
 *
 * Exit status: CMD's, or 126 when the privileges cannot be dropped or
 * CMD cannot be run.
 */
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <linux/capability.h>

static int drop_sys_admin(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	unsigned int i = CAP_TO_INDEX(CAP_SYS_ADMIN);
	unsigned int mask = CAP_TO_MASK(CAP_SYS_ADMIN);

	if (prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0)) {
		perror("runas: PR_CAPBSET_DROP");
		return -1;
	}
	if (syscall(SYS_capget, &hdr, data)) {
		perror("runas: capget");
		return -1;
	}
	data[i].effective &= ~mask;
	data[i].permitted &= ~mask;
	data[i].inheritable &= ~mask;
	if (syscall(SYS_capset, &hdr, data)) {
		perror("runas: capset");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: runas nobody|nocap CMD [ARGS...]\n");
		return 126;
	}
	if (!strcmp(argv[1], "nobody")) {
		if (setgroups(0, NULL) || setgid(65534) || setuid(65534)) {
			perror("runas: dropping to uid 65534");
			return 126;
		}
	} else if (!strcmp(argv[1], "nocap")) {
		if (drop_sys_admin())
			return 126;
	} else {
		fprintf(stderr, "runas: unknown mode '%s'\n", argv[1]);
		return 126;
	}
	execvp(argv[2], argv + 2);
	perror(argv[2]);
	return 126;
}
