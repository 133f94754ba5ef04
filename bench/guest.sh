#!/bin/sh
# bench/guest.sh main|scale: the guest side of `make bench` (scripts/bench
# boots the VM and writes bench/results.md). Every result is one line
# starting with "BENCH ", so that the host can pick it off the console.
#
# main (a 2 GiB guest): the microbenchmarks in every variant, alternated
#   over ROUNDS rounds; memory per tracked folio; listing speed.
# scale (a larger guest): per-event cost of the module's hooks with 10k,
#   100k and 1M folios tracked in a table of fixed size.
KO=/mw/mlockwatch.ko
B=/mw/mlockbench
MW=/sys/kernel/debug/mlockwatch
T=/sys/kernel/tracing
ROUNDS=${ROUNDS:-7}
say() { echo "BENCH $*"; }
info() { echo "bench: $*" >&2; }

drain() {
	echo 0 > /proc/sys/vm/compact_unevictable_allowed
	echo 1 > /proc/sys/vm/compact_memory
}

# hold MIB: lock MIB of small pages in a background process; unhold ends it.
hold() {
	rm -f /tmp/hold.in /tmp/hold.out
	mkfifo /tmp/hold.in /tmp/hold.out
	"$B" hold "$1" < /tmp/hold.in > /tmp/hold.out &
	HOLD_PID=$!
	exec 7> /tmp/hold.in
	read -r r < /tmp/hold.out
	[ "$r" = ready ] || { info "hold $1 MiB failed"; exit 1; }
}
unhold() {
	exec 7>&-
	wait "$HOLD_PID"
}

# The functions the module hooks on this kernel (active hooks only), for
# the tracefs kprobe events that stand for perf-probe/bpftrace.
insmod "$KO" || exit 1
HOOKED=$(awk 'NR > 2 && $5 == "active" && $3 != "tracepoint" { print $2 }' "$MW/hooks")
RETPROBED=$(awk 'NR > 2 && $5 == "active" && $3 == "kretprobe" { print $2 }' "$MW/hooks")
rmmod mlockwatch
mount -t tracefs none "$T" 2>/dev/null

# overrun: events the ring buffer dropped because trace_pipe's reader
# fell behind. A dropped event skips the copy into the buffer, so a run
# that dropped any is cheaper than the tracing it stands for: the host
# counts it as a failed run of the kprobes variant, not as a time.
overrun() { cat "$T"/per_cpu/cpu*/stats | awk '$1 == "overrun:" { s += $2 } END { print s + 0 }'; }
# Guest time counts both vCPUs' instructions, so a reader still draining
# the last run's events would be charged to the next run: wait until the
# backlog stops shrinking. Not until it is empty: these very polls (and
# anything else freeing pages) keep adding events.
backlog() { cat "$T"/per_cpu/cpu*/stats | awk '$1 == "entries:" { s += $2 } END { print s + 0 }'; }
drained() {
	local i=0 e prev
	prev=$(backlog)
	while [ $i -lt 300 ]; do
		sleep 0.1
		e=$(backlog)
		[ "$e" -le 4096 ] || [ "$e" -ge "$prev" ] && return 0
		prev=$e
		i=$((i + 1))
	done
	info "trace_pipe's reader did not drain"
}
# KPROBE_BUF_KB: the ring buffer per CPU while the kprobes variant runs.
# The kernel's default (1408 KiB) overflows within every microbenchmark
# here; 64 MiB holds a whole run's events even when the reader falls
# behind, as a tracer that wants every event would be set up. 0: the
# kernel's default.
KPROBE_BUF_KB=${KPROBE_BUF_KB:-65536}
buf_kb() { awk '{ v = $1 } /expanded/ { v = $3; sub(/[)]/, "", v) } END { print v }' "$T/buffer_size_kb"; }
kprobes_on() {
	local want=0
	KBUF0=$(buf_kb)
	[ "$KPROBE_BUF_KB" = 0 ] || echo "$KPROBE_BUF_KB" > "$T/buffer_size_kb"
	say K buffer_kb "$(buf_kb)"
	for f in $HOOKED; do echo "p:mwbench/$f $f" >> "$T/kprobe_events"; want=$((want + 1)); done
	for f in $RETPROBED; do echo "r:mwbench/${f}_ret $f" >> "$T/kprobe_events"; want=$((want + 1)); done
	[ "$(grep -c . "$T/kprobe_events")" = "$want" ] ||
		say K registered "$(grep -c . "$T/kprobe_events")" of "$want"
	echo 1 > "$T/events/mwbench/enable"
	echo 1 > "$T/events/kmem/mm_page_free/enable"
	echo > "$T/trace"
	cat "$T/trace_pipe" > /dev/null &
	PIPE_PID=$!
}
kprobes_off() {
	echo 0 > "$T/events/kmem/mm_page_free/enable"
	echo 0 > "$T/events/mwbench/enable"
	kill "$PIPE_PID"
	wait "$PIPE_PID" 2>/dev/null
	echo > "$T/kprobe_events"
	echo "$KBUF0" > "$T/buffer_size_kb"
}

VARIANTS="baseline nohooks hooks writers mlockcheck kprobes"
setup() {
	case "$1" in
	nohooks) insmod "$KO" rmap_hooks=0 ;;
	hooks) insmod "$KO" ;;
	writers) insmod "$KO" attribute_writers=1 ;;
	mlockcheck)
		insmod "$KO"
		/mw/mlockcheck -i 1 > /tmp/mlockcheck.bench 2>&1 &
		MC_PID=$!
		# Until its BPF programs are attached: the header is printed then.
		for i in 1 2 3 4 5 6 7 8 9 10; do
			grep -q . /tmp/mlockcheck.bench && break
			sleep 1
		done ;;
	kprobes) kprobes_on ;;
	esac
}
teardown() {
	case "$1" in
	nohooks|hooks|writers) rmmod mlockwatch ;;
	mlockcheck) kill -INT "$MC_PID"; wait "$MC_PID" 2>/dev/null; rmmod mlockwatch ;;
	kprobes) kprobes_off ;;
	esac
}

MIX="anon,file,shared,onfault,mlockall,fork-cow,vma-split,threads"

# The microbenchmarks: NAME:MLOCKBENCH-ARGS, ":" for spaces. 4k and thp
# each pin the region's page size (bench/mlockbench.c). BENCH_MIB scales
# the regions (256 and 64 MiB at 1) for a run that must be shorter.
BENCH_MIB=${BENCH_MIB:-1}
BIG=$(( 256 * BENCH_MIB )) SMALL=$(( 64 * BENCH_MIB ))
BENCHES="mlock-munlock-4k:-p:4k:mlock-munlock:$BIG:2 mlock-munlock-thp:-p:thp:mlock-munlock:$BIG:2
fault-locked-4k:-p:4k:fault-locked:$SMALL:2 fault-locked-thp:-p:thp:fault-locked:$SMALL:2
munmap-locked-4k:-p:4k:munmap-locked:$SMALL:2 munmap-locked-thp:-p:thp:munmap-locked:$SMALL:2
stress-mix:exec:/mw/mlockstress:--seed:1:--ops:40:--scenario:$MIX"
say G bench_mib "$BENCH_MIB"

# run NAME VARIANT ROUND ARGS...: one timed run. With the module loaded,
# mlockbench reads its counters right around the timed region, so that
# setting the region up, tearing it down and this shell's own work stay
# out of the hook counts (C lines; Z: the same reads around nothing).
# Under kprobes, the ring buffer's drops during this run (K lines).
run() {
	local name=$1 v=$2 r=$3 out o0 c=
	shift 3
	case "$v" in nohooks|hooks|writers|mlockcheck) c="-c $MW" ;; esac
	[ "$v" = kprobes ] && drained && o0=$(overrun)
	out=$("$B" $c "$@" 2>/dev/null)
	say R "$name" "$v" "$r" "$(echo "$out" | tail -n1)"
	[ "$v" = kprobes ] && say K overrun "$name" "$r" $(( $(overrun) - o0 ))
	echo "$out" | awk -v p="BENCH T $name $v $r" '$1 == "huge_pct" { print p, $2 }'
	[ -n "$c" ] || return 0
	say C "$name" "$v" "$r" $(echo "$out" | awk '$1 == "hook" { printf "%s=%s ", $2, $3 }')
	say Z "$name" "$v" "$r" $(echo "$out" | awk '$1 == "empty-hook" { printf "%s=%s ", $2, $3 }')
	say W "$name" "$v" "$r" $(echo "$out" | awk '$1 == "summary" { printf "%s=%s ", $2, $3 }')
}
main() {
	r=1
	while [ $r -le "$ROUNDS" ]; do
		# Rotate the order, so that no variant always runs first.
		order=$(echo $VARIANTS | awk -v r=$r '{ for (i = 0; i < NF; i++) printf "%s ", $(((i + r) % NF) + 1) }')
		for v in $order; do
			setup $v
			for b in $BENCHES; do
				run $(echo "$b" | tr : ' ' | sed "s/ / $v $r /")
			done
			teardown $v
		done
		info "round $r of $ROUNDS done"
		r=$((r + 1))
	done

	# Memory: 1 GiB of small pages locked with the module loaded.
	insmod "$KO"
	hold 1024
	drain
	entries=$(awk '$1 == "table_entries:" { print $2 }' "$MW/summary")
	set -- $(grep '^mlockwatch_entry ' /proc/slabinfo)
	# name active num objsize perslab pagesperslab : tunables ... : slabdata active num shared
	slab=$(( ${15} * $6 * 4096 ))
	say M tracked_folios "$entries"
	say M entry_object_bytes "$4"
	say M slab_bytes "$slab"
	say M buckets_bytes $(( $(awk '$1 == "table_buckets:" { print $2 }' "$MW/summary") * 8 ))
	say M module_bytes "$(awk '$1 == "mlockwatch" { print $2 }' /proc/modules)"
	unhold
	rmmod mlockwatch

	# Listing: 256 MiB locked; the module's view against a kpageflags scan.
	insmod "$KO"
	hold 256
	drain
	for i in 1 2 3 4 5; do
		say L cat-folios $i $("$B" exec sh -c "cat $MW/folios > /dev/null")
		say L cat-folios-bin $i $("$B" exec sh -c "cat $MW/folios.bin > /dev/null")
		say L mlockfolios-count $i $("$B" exec sh -c "/mw/mlockfolios -c > /dev/null")
		say L mlockfolios $i $("$B" exec sh -c "/mw/mlockfolios > /dev/null")
		say L page-types $i $("$B" exec sh -c "/mw/page-types -r -b mlocked > /dev/null")
	done
	say L folios_lines "$(awk 'NR > 2' "$MW/folios" | wc -l)"
	say L folios_bin_records "$(( ($(wc -c < "$MW/folios.bin") - 32) / 32 ))"
	say L page_types_mlocked "$(/mw/page-types -r -b mlocked | awk '$1 == "total" { print $2 }')"
	unhold
	rmmod mlockwatch
	profile
}

# Where the time goes (perf in the guest, cpu-clock samples: TCG has no
# PMU): mlock+munlock with the hooks and with mlockcheck, and cat folios.
# Interrupts are off inside the table's bucket locks and the kernel's
# lruvec locks, so samples taken there land on the unlock that re-enables
# them: callers of _raw_spin_unlock_irq* are reported for that reason.
PERF="/mw/perf/ld-linux-x86-64.so.2 --library-path /mw/perf /mw/perf/perf"
prof() { # NAME COMM CMD...: record CMD, print its top symbols
	local name=$1 comm=$2
	shift 2
	$PERF record -q -g -e cpu-clock -F 2000 -o /tmp/perf.data -- "$@" > /dev/null 2>&1 ||
		{ info "perf record $name failed"; return; }
	# self time, then time in the hooks' and mlockwatch's own frames
	$PERF report -i /tmp/perf.data --comms "$comm" --stdio --no-children --sort sym \
		--percent-limit 1.5 -g none 2> /dev/null |
		awk -v n="$name" '$1 ~ /%$/ { print "BENCH P " n " self " $1, $NF }' | head -n 14
	$PERF report -i /tmp/perf.data --comms "$comm" --stdio --children --sort sym \
		--percent-limit 1 -g none 2> /dev/null |
		awk -v n="$name" '$1 ~ /%$/ && $NF ~ /^(mw_|ftrace_|kprobe|arch_rethook|rethook|bpf_|__bpf|trace_call_bpf|mlock_folio|munlock|mlock_pagevec|mlock_folio_batch|mod_zone|__mod_zone)/ { print "BENCH P " n " total " $1, $NF }' | head -n 24
	$PERF report -i /tmp/perf.data --comms "$comm" --stdio --no-children --sort sym \
		--symbols _raw_spin_unlock_irqrestore,_raw_spin_unlock_irq -g caller,0.5,callee,function,percent 2> /dev/null |
		awk -v n="$name" '/^ *\|?--[0-9.]+%--/ { s = $0; sub(/^ *\|?--/, "", s); split(s, a, "--"); print "BENCH P " n " irq-off-in " a[1], a[2] }' |
		head -n 8
}
profile() {
	[ -x /mw/perf/perf ] || { info "no perf bundle: no profile"; return; }
	echo 0 > /proc/sys/kernel/kptr_restrict
	echo -1 > /proc/sys/kernel/perf_event_paranoid
	for v in baseline hooks mlockcheck; do
		setup $v
		prof $v mlockbench "$B" mlock-munlock 256 2
		teardown $v
	done
	insmod "$KO"
	hold 256
	drain
	prof cat-folios cat cat "$MW/folios"
	unhold
	rmmod mlockwatch
}

# Per-event cost: a 16 MiB mlock/munlock loop, without the module and
# with it while N other folios are tracked; hook hits from the module.
hits() { awk 'NR > 2 { s += $6 } END { print s }' "$MW/hooks"; }
# Small pages: a THP region would be 8 folios. mlockbench's last line is
# the time (the one before it, huge_pct).
loop3() { for i in 1 2 3; do "$B" -p 4k mlock-munlock 16 8 | tail -n1; done | sort -n | sed -n 2p; }
scale() {
	say S base 0 "$(loop3)" 0
	insmod "$KO" max_folios=2097152 || exit 1
	for n in 10000 100000 1000000; do
		hold $(( n * 4096 / 1048576 ))
		drain
		tracked=$(awk '$1 == "table_entries:" { print $2 }' "$MW/summary")
		h0=$(hits)
		t=$(loop3)
		say S tracked "$tracked" "$t" $(( ($(hits) - h0) / 3 ))
		unhold
	done
	rmmod mlockwatch
}

case "$1" in
main) main ;;
scale) scale ;;
*) echo "usage: guest.sh main|scale" >&2; exit 2 ;;
esac
echo "BENCH done"
