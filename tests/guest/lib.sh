# Shared helpers for the guest tests, on top of the kernel's own
# kselftest KTAP helpers (ktap_helpers.sh, copied from linux-source).
# Sourced by each test from the directory `make kselftest-install` put
# the suite in, wherever that is: an mlockvm guest or a test box.
. "$(dirname "$0")/ktap_helpers.sh"

# MW_DIR: where the suite's programs (mlockcheck, mlockstress, the
# helpers and reproducers) and modules are: beside the tests, as
# kselftest installs them. Scripts outside the suite that share these
# helpers (tests/inject/cell.sh) set it first.
MW_DIR=${MW_DIR:-$(cd "$(dirname "$0")" && pwd)}
MW_DEBUGFS=/sys/kernel/debug/mlockwatch
# The module built with the suite for this kernel, when there is one;
# otherwise mw_load falls back to the one installed for the running
# kernel (DKMS), by modprobe.
MW_KO=$MW_DIR/mlockwatch.ko

# A test that can harm the machine it runs on says why in a line of its
# own before it sources lib.sh ("# destructive: REASON"), and runs only
# with MW_DESTRUCTIVE=1: every mlockvm guest, which is thrown away after
# one boot, sets it; on a test box it is a SKIP unless asked for.
MW_DESTRUCTIVE_WHY=$(sed -n 's/^# destructive: *//p' "$0" 2>/dev/null | head -n1)
if [ -n "$MW_DESTRUCTIVE_WHY" ] && [ "${MW_DESTRUCTIVE:-0}" != 1 ]; then
	ktap_print_header
	ktap_skip_all "destructive ($MW_DESTRUCTIVE_WHY): set MW_DESTRUCTIVE=1 to run it"
	exit "$KSFT_SKIP"
fi
# The injector is installed only with the suite for a pinned kernel
# (make kselftest-install KNAME=): on a test box's own kernel a test that
# loads it cannot be made, which is a SKIP, not a failure.
if grep -q 'mlockinject\.ko' "$0" 2>/dev/null && [ ! -f "$MW_DIR/mlockinject.ko" ]; then
	ktap_print_header
	ktap_skip_all "needs the test-only injector mlockinject.ko, which make kselftest-install installs only with KNAME=<pinned kernel>"
	exit "$KSFT_SKIP"
fi

# PAGE_SIZE: the bytes of a base page, as the kernel maps them, so that
# page counts follow from sizes (pages_of) instead of being written out.
PAGE_SIZE=$(awk '/^KernelPageSize:/ { print $2 * 1024; exit }' /proc/self/smaps)

# pages_of MIB: how many base pages MIB MiB hold.
pages_of() {
	echo $(( $1 * 1024 * 1024 / PAGE_SIZE ))
}

# vmstat NAME: the value of NAME in /proc/vmstat.
vmstat() {
	awk -v k="$1" '$1 == k { print $2; found = 1 } END { if (!found) exit 1 }' /proc/vmstat
}

# drain: empty every CPU's mlock and lru_add batches through the kernel's
# own path: the compact_memory handler calls lru_add_drain_all(). Locked
# pages stay where they are because compact_unevictable_allowed is 0
# while it runs.
drain() {
	local old
	old=$(cat /proc/sys/vm/compact_unevictable_allowed)
	echo 0 > /proc/sys/vm/compact_unevictable_allowed
	echo 1 > /proc/sys/vm/compact_memory
	echo "$old" > /proc/sys/vm/compact_unevictable_allowed
}

# stat_refresh: fold every CPU's vmstat diffs into the global counters.
stat_refresh() {
	echo 1 > /proc/sys/vm/stat_refresh
}

# nr_mlock_quiesced: nr_mlock after a drain and a stat_refresh.
nr_mlock_quiesced() {
	drain
	stat_refresh
	vmstat nr_mlock
}

# expect_eq DESCRIPTION EXPECTED ACTUAL: one KTAP result.
expect_eq() {
	if [ "$2" = "$3" ]; then
		ktap_test_pass "$1"
	else
		ktap_print_msg "$1: expected '$2', got '$3'"
		ktap_test_fail "$1"
	fi
}

# mw_emit_json FILE...: the JSON objects of mlockcheck --json output in
# FILEs, each as a "mlockcheck-json: OBJECT" diagnostic line, so that
# tests/run validates the real output on the host as well, from the
# console log, against the contract in the tree it was built from.
mw_emit_json() {
	grep -h '^{' "$@" | while IFS= read -r line; do
		ktap_print_msg "mlockcheck-json: $line"
	done
}

# region_start MIB [FLAGS]: start mlock_region in the background, driven
# through fifos; region_cmd CMD sends it one command and waits for "ok".
region_start() {
	rm -f /tmp/region.in /tmp/region.out
	mkfifo /tmp/region.in /tmp/region.out
	"$MW_DIR/mlock_region" "$@" < /tmp/region.in > /tmp/region.out &
	REGION_PID=$!
	exec 3> /tmp/region.in 4< /tmp/region.out
}

region_cmd() {
	local reply
	echo "$1" >&3
	read -r reply <&4 || reply="(mlock_region died)"
	[ "$reply" = ok ] || { ktap_print_msg "mlock_region $1: $reply"; return 1; }
}

region_stop() {
	echo exit >&3
	exec 3>&- 4<&-
	wait "$REGION_PID"
}

# have_module: true when mw_load has a module to load.
have_module() {
	[ -f "$MW_KO" ] || modinfo mlockwatch > /dev/null 2>&1
}

mw_load() {
	if [ -f "$MW_KO" ]; then
		insmod "$MW_KO" "$@"
	else
		modprobe mlockwatch "$@"
	fi
}

mw_unload() {
	rmmod mlockwatch
}

# need_module: skip the whole test when there is no mlockwatch module for
# this kernel: none installed with the suite (for a pinned kernel whose
# headers the mirror does not serve, kernels.conf's "noheaders", the
# reason is in NO-MODULE) and none that modprobe finds.
need_module() {
	have_module && return 0
	ktap_skip_all "no mlockwatch module for this kernel: $(cat "$MW_DIR/NO-MODULE" 2>/dev/null ||
		echo "none beside the tests and none that modprobe finds (make kselftest-install KNAME=, or the DKMS package)")"
	exit "$KSFT_SKIP"
}

# uptime_cs: the guest's uptime in centiseconds (times to detection).
uptime_cs() {
	tr -d . < /proc/uptime | cut -d' ' -f1
}

# secs_since T0: seconds, to the hundredth, from uptime_cs T0 to now.
secs_since() {
	awk -v a="$1" -v b="$(uptime_cs)" 'BEGIN { printf "%.2f", (b - a) / 100 }'
}

# mc_final_delta INVARIANT FILE: the deltas (comma-separated) of
# INVARIANT's findings in the final object of mlockcheck --json output in
# FILE; empty when it found nothing.
mc_final_delta() {
	grep '"final":true' "$2" |
		grep -o "\"invariant\":\"$1\",\"expected\":-*[0-9]*,\"actual\":-*[0-9]*,\"delta\":-*[0-9]*" |
		sed 's/.*"delta":\(-*[0-9]*\)/\1/' | paste -sd, -
}

# mms_of PID: "DELTA VERDICT" of PID's line in the module's mms view.
mms_of() {
	awk -v p="$1" '$1 == p { print $5, $6 }' $MW_DEBUGFS/mms
}

# The test-only injector's command file (tests/inject/mlockinject.c), and
# the PFN its last command touched.
INJ=/sys/kernel/debug/mlockinject/inject
injected_pfn() { awk '/^pfn:/ { print $2 }' $INJ; }

# mw_summary KEY: the value of KEY in the module's summary.
mw_summary() {
	awk -v k="$1:" '$1 == k { sub(/^[^:]*: /, ""); print; found = 1 } END { if (!found) exit 1 }' \
		"$MW_DEBUGFS/summary"
}

# mw_control VERB: write VERB to the control file; fails as the write does.
mw_control() {
	echo "$1" > "$MW_DEBUGFS/control"
}

# mw_event_delta NAME: how much the unevictable_pgs_NAME event moved since
# the module's baseline.
mw_event_delta() {
	echo $(( $(mw_summary "unevictable_pgs_$1") - $(mw_summary "unevictable_pgs_$1_at_load") ))
}

# kernel_version: the upstream MAJOR.MINOR.PATCH the running kernel was
# built from: Debian's "Debian X.Y.Z-N" in /proc/version when there is
# one (its uname -r says 6.1.0-57 for 6.1.192), else the start of uname -r.
kernel_version() {
	local v
	v=$(echo "${MW_PROC_VERSION:-$(cat /proc/version)}" |
		sed -n 's/.* Debian \([0-9][0-9]*\.[0-9][0-9]*[.0-9]*\).*/\1/p')
	[ -n "$v" ] || v=$(echo "${MW_UNAME_R:-$(uname -r)}" |
		sed -n 's/^\([0-9][0-9]*\.[0-9][0-9]*[.0-9]*\).*/\1/p')
	echo "$v"
}

# version_code X.Y[.Z]: a number that orders versions numerically.
version_code() {
	echo "$1" | awk -F. '{ printf "%d\n", $1 * 1000000 + $2 * 1000 + $3 }'
}

# known_bug NAME: true when tests/known-kernel-bugs gives NAME a version
# range the running kernel is in.
known_bug() {
	local v from fixed name
	v=$(version_code "$(kernel_version)")
	while read -r name from fixed _; do
		case "$name" in ''|'#'*) continue ;; esac
		[ "$name" = "$1" ] || continue
		[ "$v" -ge "$(version_code "$from")" ] || continue
		[ "$fixed" = - ] || [ "$v" -lt "$(version_code "$fixed")" ] || continue
		return 0
	done < "$(dirname "$0")/known-kernel-bugs"
	return 1
}

# repro_ran STATUS: true when a reproducer that exited STATUS ran to a
# verdict (0 right, 1 bug seen); else says why it proves nothing.
repro_ran() {
	case "$1" in
	0|1) return 0 ;;
	"$KSFT_SKIP") ktap_print_msg "the reproducer could not set up (KSFT_SKIP): that proves nothing" ;;
	*) ktap_print_msg "the reproducer could not set up (exit $1): that proves nothing" ;;
	esac
	return 1
}

# expect_ok_unless_known_bug NAME DESCRIPTION STATUS: one KTAP result for
# a reproducer's exit STATUS (0 right, 1 bug seen, anything else: it could
# not set up, KSFT_SKIP included). On a kernel in NAME's range, 1 is
# "# XFAIL" (a pass) and 0 fails as XPASS; elsewhere only 0 passes. A
# reproducer that could not set up fails everywhere.
#
# The only caller of ktap_test_xfail: an XFAIL is a reproducer that saw a
# bug tests/known-kernel-bugs says this kernel has, nothing else, and
# tests/run counts as known bugs reproduced only the XFAILs whose
# description ends as this one's does. When mlockwatch or mlockcheck
# reports a known bug, that is the tool working (a pass that checks the
# report); when a known bug makes a check impossible, that is a SKIP.
expect_ok_unless_known_bug() {
	if ! repro_ran "$3"; then
		ktap_test_fail "$2"
		return
	fi
	if known_bug "$1"; then
		if [ "$3" = 1 ]; then
			ktap_test_xfail "$2 (known kernel bug $1 on $(kernel_version))"
		else
			ktap_print_msg "XPASS: $1 no longer reproduces on $(kernel_version): update tests/known-kernel-bugs"
			ktap_test_fail "$2"
		fi
	else
		expect_eq "$2" 0 "$3"
	fi
}

# probe_start [NAME]: start an mlock_probe (see mlock_probe.c) driven
# through fifos; probe [NAME:]CMD sends one command and fails unless it
# answers "ok"; probe_stop [NAME] ends it. Up to two at once: p1 and p2.
probe_start() {
	local n=${1:-p1} fd_in fd_out
	rm -f "/tmp/$n.in" "/tmp/$n.out"
	mkfifo "/tmp/$n.in" "/tmp/$n.out"
	"$MW_DIR/mlock_probe" < "/tmp/$n.in" > "/tmp/$n.out" &
	eval "PROBE_PID_$n=\$!"
	if [ "$n" = p1 ]; then exec 5> /tmp/p1.in 6< /tmp/p1.out; else exec 7> /tmp/p2.in 8< /tmp/p2.out; fi
}

probe() {
	local n=p1 cmd=$1 reply
	case "$cmd" in p1:*|p2:*) n=${cmd%%:*}; cmd=${cmd#*:} ;; esac
	if [ "$n" = p1 ]; then echo "$cmd" >&5; read -r reply <&6 || reply="(probe died)"
	else echo "$cmd" >&7; read -r reply <&8 || reply="(probe died)"; fi
	[ "$reply" = ok ] || { ktap_print_msg "mlock_probe $n: $cmd: $reply"; return 1; }
}

# probe_ask [NAME:]CMD: like probe, for a command that answers "ok VALUE":
# prints VALUE.
probe_ask() {
	local n=p1 cmd=$1 reply
	case "$cmd" in p1:*|p2:*) n=${cmd%%:*}; cmd=${cmd#*:} ;; esac
	if [ "$n" = p1 ]; then echo "$cmd" >&5; read -r reply <&6 || reply="(probe died)"
	else echo "$cmd" >&7; read -r reply <&8 || reply="(probe died)"; fi
	case "$reply" in "ok "*) echo "${reply#ok }" ;; *) ktap_print_msg "mlock_probe $n: $cmd: $reply" >&2; return 1 ;; esac
}

probe_stop() {
	local n=${1:-p1}
	if [ "$n" = p1 ]; then echo exit >&5; exec 5>&- 6<&-; else echo exit >&7; exec 7>&- 8<&-; fi
	eval "wait \$PROBE_PID_$n"
}

# folios_of PFNFILE: the module's folios lines for folios holding any of
# the PFNs in PFNFILE (one per line, as "probe pfns R FILE" writes them).
folios_of() {
	awk 'NR == FNR { want[$1] = 1; next }
	     FNR <= 2 { next }
	     { for (k = 0; k < $3; k++) if (($1 + k) in want) { print; next } }' \
		"$1" "$MW_DEBUGFS/folios"
}

# count_after_raise PFN N: the kernel's mlock_count that folios should
# show for PFN once the injector has raised it by N: its count now plus N.
# Not 1 + N: mlock may leave a folio it finds isolated at 0, by design.
# Something no count matches when the count cannot be read now.
count_after_raise() {
	local c
	c=$(awk -v p="$1" 'NR > 2 && $1 == p { print $5 }' "$MW_DEBUGFS/folios")
	case "$c" in
	[0-9]*) echo $((c + $2)) ;;
	*) echo "(unreadable before: $c)" ;;
	esac
}

# fsum: a one-line digest of folios lines on stdin, for expect_eq:
#   "FOLIOS PAGES shadow=V:N,... ORDER=V:N,... counts-agree"
# shadow= and order= list the distinct values with how many folios have
# each. The last word is "counts-agree" when every folio's verdict is what
# its kernel count says: ok when the count equals the shadow (or cannot be
# read while PG_mlocked is set), known-undercount when it is lower (or
# PG_mlocked went while the shadow stayed >= 1): the kernel's count may
# undercount by design, never overcount. Otherwise the first folio line
# that disagrees. The kernel counts themselves go to the KTAP log.
fsum() {
	local t
	t=$(mktemp)
	cat > "$t"
	[ -s "$t" ] && ktap_print_msg "  kernel counts $(fsum_col 5 "$t"), verdicts $(fsum_col 13 "$t")" >&2
	printf '%s %s shadow=%s order=%s %s\n' "$(grep -c . "$t")" \
		"$(awk '{ p += $3 } END { print p + 0 }' "$t")" \
		"$(fsum_col 4 "$t")" "$(fsum_col 2 "$t")" \
		"$(awk '{ k = $5; s = $4; v = $13
			 if (k == "-") want = $6 == 1 ? "ok" : "known-undercount"
			 else want = k + 0 == s + 0 ? "ok" : k + 0 < s + 0 ? "known-undercount" : "overcount"
			 if (v != want) { print "DISAGREE: " $0; bad = 1; exit }
		       } END { if (!bad) print "counts-agree" }' "$t")"
	rm -f "$t"
}

fsum_col() {
	awk -v c="$1" '{ print $c }' "$2" | sort | uniq -c |
		awk '{ printf "%s%s:%s", sep, $2, $1; sep = "," }'
}

# only_known_overcount: on a kernel in the known mlock_count overcount's
# range (tests/known-kernel-bugs), the module's mismatches are all that
# bug as it shows: overcount verdicts (at least one) on folios whose
# kernel count is above the shadow's.
only_known_overcount() {
	known_bug mlock-count-overcount &&
		[ "$(awk 'NR > 2 { print $13, ($5 != "-" && $5 + 0 > $4 + 0) ? "high" : "not-high" }' \
			"$MW_DEBUGFS/mismatches" | sort -u)" = "overcount high" ]
}

# known_overcount_note: the words a pass that rests on only_known_overcount
# ends with.
known_overcount_note() {
	echo "as known bug mlock-count-overcount on $(kernel_version) predicts"
}

# mlockcheck_only_known_overcount RC OUTPUT: mlockcheck exited RC (its
# output, text or --json, in OUTPUT) naming nothing but the module's
# verdicts, and those are all the known overcount (only_known_overcount).
mlockcheck_only_known_overcount() {
	local named
	[ "$1" = 1 ] && only_known_overcount || return 1
	if grep -q '"final":true' "$2"; then
		named=$(grep '"final":true' "$2" | grep -o '"invariant":"[a-z-]*"' | cut -d'"' -f4 | sort -u)
	else
		named=$(sed -n 's/^MISMATCH \([a-z-]*\):.*/\1/p' "$2" | sort -u)
	fi
	[ "$named" = module-verdicts ]
}

# expect_no_errors DESCRIPTION: after a drain and a scan, mismatches is
# empty, the scan found nothing and the module is complete. On a kernel
# with the known mlock_count overcount, a workload that races mlocks
# across CPUs can hit it for real: then the module must report it and
# nothing else (only_known_overcount, every mismatch counted by the scan
# as an overcount, no other error, complete), which passes as the module
# doing its job; the verdicts stay in mismatches, printed here.
expect_no_errors() {
	local m n got
	drain
	mw_control scan
	m=$(awk 'NR > 2' "$MW_DEBUGFS/mismatches")
	[ -z "$m" ] || ktap_print_msg "mismatches: $m"
	n=$(echo "$m" | grep -c .)
	got="$n $(mw_summary scan_unwitnessed_set) $(mw_summary scan_unwitnessed_clear) $(mw_summary scan_overcount) $(mw_summary incomplete)"
	if [ "$n" -gt 0 ] && [ "$got" = "$n 0 0 $n 0" ] && only_known_overcount; then
		ktap_test_pass "$1: after a drain and a scan, mlockwatch reports $n overcounted folio(s) and no other error, $(known_overcount_note)"
		return
	fi
	expect_eq "$1: no error verdict after a drain and a scan" "0 0 0 0 0" "$got"
}

# The shadow-table scenarios (50-52) share these.
# check DESCRIPTION EXPECTED PFNFILE: the digest (fsum) of the folios
# holding PFNFILE's pages, after a drain; NONE is the digest of no folio.
NONE="0 0 shadow= order= counts-agree"
check() {
	drain
	expect_eq "$1" "$2" "$(folios_of "$3" | fsum)"
}

# settle [p2:]R: write R's pages, then drain, so that they are on the LRU
# when mlock comes: a folio still in a per-CPU lru_add batch misses its
# mlock_count increment (the designed undercount, known-undercount), and
# the scenarios count exactly.
settle() {
	case "$1" in
	*:*) probe "${1%%:*}:touch ${1#*:}" ;;
	*) probe "touch $1" ;;
	esac && drain
}

# hold_start PATTERN CMD...: run CMD with its stdin on a fifo this shell
# keeps open (fd 3: "echo go >&3" writes it a line), and hold_wait
# PATTERN: a reproducer that holds its state (--hold) until its stdin
# ends. Sets $hold_pid.
HOLD_OUT=/tmp/hold.out
hold_start() {
	local pattern=$1
	shift
	rm -f /tmp/hold.in
	mkfifo /tmp/hold.in
	# Emptied here: the command's own redirection only truncates once
	# its open of the fifo returns, after the wait below has begun, and
	# the last held command's line must not end that wait.
	: > $HOLD_OUT
	"$@" < /tmp/hold.in > $HOLD_OUT 2>&1 &
	hold_pid=$!
	exec 3> /tmp/hold.in
	hold_wait "$pattern"
}

# hold_wait PATTERN: wait (at most $HOLD_TIMEOUT s, default 20) until the
# held command's output, in $HOLD_OUT, has a line matching PATTERN, or it
# has exited.
hold_wait() {
	local i=0
	while ! grep -q "$1" $HOLD_OUT && [ $i -lt $((${HOLD_TIMEOUT:-20} * 10)) ] &&
		kill -0 $hold_pid 2>/dev/null; do
		sleep 0.1
		i=$((i + 1))
	done
}

# hold_end: close the fifo, so that the held command goes on and ends; its
# exit status goes to $hold_rc (not through $(...): a subshell can neither
# close this shell's end of the fifo nor wait for its child).
hold_end() {
	exec 3>&-
	wait $hold_pid
	hold_rc=$?
}
