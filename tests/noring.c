/* noring: run a command where io_uring_setup(2) fails, as under a
 * container's seccomp profile.
 *
 *   noring EPERM|ENOSYS|EINVAL COMMAND [ARG...]
 *
 * A seccomp filter makes every io_uring_setup call fail with the given
 * errno; every other system call goes through.  The filter is inherited
 * across fork and exec, so the command and all its children are covered. */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define ARCH AUDIT_ARCH_AARCH64
#else
#error "noring: add this architecture's AUDIT_ARCH"
#endif

int main(int argc, char **argv)
{
	int err;

	if (argc < 3) {
		fprintf(stderr, "usage: noring EPERM|ENOSYS|EINVAL COMMAND [ARG...]\n");
		return 2;
	}
	if (strcmp(argv[1], "EPERM") == 0)
		err = EPERM;
	else if (strcmp(argv[1], "ENOSYS") == 0)
		err = ENOSYS;
	else if (strcmp(argv[1], "EINVAL") == 0)
		err = EINVAL;
	else {
		fprintf(stderr, "noring: unknown errno '%s'\n", argv[1]);
		return 2;
	}

	struct sock_filter prog[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ARCH, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = { .len = sizeof prog / sizeof *prog, .filter = prog };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog) < 0) {
		fprintf(stderr, "noring: cannot install the filter: %s\n", strerror(errno));
		return 2;
	}
	execvp(argv[2], argv + 2);
	fprintf(stderr, "noring: cannot run '%s': %s\n", argv[2], strerror(errno));
	return 127;
}
