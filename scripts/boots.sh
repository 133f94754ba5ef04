# boots.sh: sourced by scripts/detection-matrix and scripts/bug-corpus,
# which boot many short guests: the throttle that runs them two at a
# time, and the report of a boot that failed.

boots_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# boot_slot: wait until fewer than two boots run in the background of
# this shell. Each boot is single-threaded TCG (--tcg-single): one host
# thread, so two of them use the two cores.
boot_slot() {
	while [ "$(jobs -rp | wc -l)" -ge 2 ]; do
		wait -n || true
	done
}

# boot_failure_report LOG: what a failed boot left, for a CI log that
# outlives the build tree: mlockvm's stderr (LOG with .err for .log) and
# the kernel's report from the console (scripts/console-verdict).
boot_failure_report() {
	sed 's/^/    /' "${1%.log}.err" 2>/dev/null
	"$boots_dir/console-verdict" --report < "$1" 2>/dev/null | sed 's/^/    | /'
}
