#!/bin/bash
# man-pages.sh: the man pages in man/ cannot drift. The OPTIONS of
# mlockcheck(8), mlockstress(8), mlockfolios(8) and mlockvm(1) are exactly the options
# their --help lists, both ways, with the same short letters;
# mlockwatch(4) says everything include/mlockwatch/format.h defines (each
# view and its format version, every verdict and state name, every
# summary key, every control verb) and names every module parameter;
# every page has the usual sections and lints clean with groff.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "${KTAP_HELPERS:?set by tests/run}"
BUILD=${BUILD:-$top/build}
man=$top/man
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ktap_print_header
ktap_set_plan 17

# plain: a page's text without the markup: macro names, font escapes and
# quotes; \- is -.
plain() {
	sed -e 's/^\.[A-Za-z][A-Za-z]*[[:space:]]*//' -e 's/\\f[BIRP]//g' \
	    -e 's/\\-/-/g' -e 's/\\(aq/'"'"'/g' -e 's/\\c$//' -e 's/\\(>=/>=/g' -e 's/"//g'
}
# section PAGE .SH|.SS NAME: that section's lines (an .SS ends at the
# next .SS or .SH, an .SH at the next .SH).
section() {
	awk -v kind="$2" -v name="$3" '
		$1 == ".SH" || $1 == ".SS" {
			h = $0; sub(/^\.S[HS][ \t]+/, "", h); gsub(/"/, "", h)
			if ($1 == kind) on = (h == name)
			else if ($1 == ".SH") on = 0
			next
		}
		on' "$1"
}
# has WORD: WORD is in stdin as a word of its own (- and _ are letters).
has() {
	grep -q -- "\(^\|[^a-z0-9_-]\)$1\([^a-z0-9_-]\|\$\)"
}

# ---- OPTIONS against --help ---------------------------------------------

# help_opts: "LONG SHORT" (SHORT "-" when it has none) for each option
# of a --help text on stdin: every --word in it, with the short letter of
# an argp line "  -x, --word".
help_opts() {
	local text
	text=$(cat)
	echo "$text" | grep -o -- '--[a-z][a-z0-9-]*' | sort -u | while read -r long; do
		short=$(echo "$text" | sed -n "s/^[[:space:]]*\(-[^-[:space:]]\), $long\([=[[:space:]]\|\$\).*/\1/p" | head -n1)
		echo "$long ${short:--}"
	done
}
# page_opts PAGE: the same for the tags of the page's OPTIONS (the line
# after each .TP).
page_opts() {
	section "$1" .SH OPTIONS | awk 'tp { print; tp = 0 } $1 == ".TP" { tp = 1 }' | plain |
	while read -r tag; do
		longs=$(echo "$tag" | grep -o -- '--[a-z][a-z0-9-]*')
		short=$(echo "$tag" | grep -o -- '\(^\|[[:space:],]\)-[A-Za-z?]\([[:space:],=]\|$\)' | tr -d ' ,=' | head -n1)
		for long in $longs; do echo "$long ${short:--}"; done
		[ -z "$longs" ] && [ -n "$short" ] && echo "(none) $short"
	done | sort -u
}
# compare_opts TOOL PAGE HELP-COMMAND...: one KTAP result.
compare_opts() {
	local tool=$1 page=$2 bad=0
	shift 2
	if ! "$@" --help > "$tmp/help" 2>&1; then
		ktap_print_msg "'$* --help' failed: $(head -n1 "$tmp/help")"
		ktap_test_fail "man/$page OPTIONS: $tool --help runs"
		return
	fi
	help_opts < "$tmp/help" > "$tmp/h"
	page_opts "$man/$page" > "$tmp/p"
	while read -r long short; do
		pshort=$(awk -v l="$long" '$1 == l { print $2 }' "$tmp/p")
		if [ -z "$pshort" ]; then
			ktap_print_msg "$long is in '$tool --help' but missing from man/$page's OPTIONS"
			bad=1
		elif [ "$pshort" != "$short" ]; then
			ktap_print_msg "$long is '$short' in '$tool --help' but '$pshort' in man/$page's OPTIONS ('-': no short option)"
			bad=1
		fi
	done < "$tmp/h"
	while read -r long short; do
		if [ "$long" = "(none)" ]; then
			ktap_print_msg "man/$page's OPTIONS has a tag with $short and no long option"
			bad=1
		elif ! awk -v l="$long" '$1 == l { f = 1 } END { exit !f }' "$tmp/h"; then
			ktap_print_msg "$long is in man/$page's OPTIONS but '$tool --help' does not list it"
			bad=1
		fi
	done < "$tmp/p"
	n=$(wc -l < "$tmp/h")
	[ "$bad" = 0 ] && [ "$n" -gt 0 ] &&
		ktap_test_pass "man/$page OPTIONS lists exactly the $n options of '$tool --help'" ||
		ktap_test_fail "man/$page OPTIONS lists exactly the options of '$tool --help'"
}

# exit_meanings: "N WORD" lines, one per status of stdin's "N meaning"
# pairs (one paragraph): WORD is the meaning's first word that is not
# "a", "an", "the", "on", "if" or "or", lower case.
exit_meanings() {
	perl -0777 -ne '
		s/\s+/ /g;
		while (/\b(\d+) ([^,;.(]+)/g) {
			my $n = $1; my @w = grep { !/^(a|an|the|on|if|or)$/i } split " ", $2;
			print "$n ", lc($w[0] // ""), "\n" if @w && $w[0] =~ /^[a-z]/i;
		}'
}

# compare_exit TOOL PAGE: the statuses of the "Exit status:" paragraph of
# the --help compare_opts saved are the page's EXIT STATUS entries
# (".B N" lines), both ways, and each entry's text has the first word of
# the meaning --help gives that status, so that two swapped meanings
# fail as a missing status does.
compare_exit() {
	local tool=$1 page=$2 h p n w bad=0
	sed -n '/^Exit status:/,/^$/p' "$tmp/help" | sed 's/^Exit status://' | exit_meanings > "$tmp/meanings"
	h=$(cut -d' ' -f1 "$tmp/meanings" | sort -un | tr '\n' ' ')
	section "$man/$page" .SH "EXIT STATUS" > "$tmp/exit"
	p=$(sed -n 's/^\.B \([0-9][0-9]*\)$/\1/p' "$tmp/exit" | sort -un | tr '\n' ' ')
	while read -r n w; do
		# The entry: the lines after ".B N" up to the next .TP or .B.
		if ! awk -v n="$n" '$0 == ".B " n { on = 1; next } on && /^\.(TP|B [0-9])/ { on = 0 } on' \
		     "$tmp/exit" | plain | tr 'A-Z' 'a-z' | has "$w"; then
			ktap_print_msg "'$tool --help' says $n is '$w...'; man/$page's entry for $n does not"
			bad=1
		fi
	done < "$tmp/meanings"
	if [ -n "$h" ] && [ "$h" = "$p" ] && [ "$bad" = 0 ]; then
		ktap_test_pass "man/$page EXIT STATUS has the statuses of '$tool --help', with their meanings: $h"
	else
		[ "$h" = "$p" ] || ktap_print_msg "'$tool --help' gives exit statuses '$h', man/$page's EXIT STATUS '$p'"
		ktap_test_fail "man/$page EXIT STATUS has the statuses of '$tool --help', with their meanings"
	fi
}

if [ -x "$BUILD/tools/mlockcheck" ] && [ -x "$BUILD/tools/mlockstress" ] &&
   [ -x "$BUILD/tools/mlockfolios" ]; then
	compare_opts mlockcheck mlockcheck.8 "$BUILD/tools/mlockcheck"
	compare_exit mlockcheck mlockcheck.8
	compare_opts mlockstress mlockstress.8 "$BUILD/tools/mlockstress"
	compare_exit mlockstress mlockstress.8
	compare_opts mlockfolios mlockfolios.8 "$BUILD/tools/mlockfolios"
	compare_exit mlockfolios mlockfolios.8
else
	for t in mlockcheck mlockstress mlockfolios; do
		ktap_test_fail "man/$t.8 OPTIONS: build/tools/$t is not built (make tools)"
		ktap_test_fail "man/$t.8 EXIT STATUS: build/tools/$t is not built (make tools)"
	done
fi
compare_opts mlockvm mlockvm.1 "$top/tools/mlockvm"
compare_exit mlockvm mlockvm.1

# ---- mlockwatch(4) against format.h and the module's parameters ---------

# What format.h defines, one fact a line (format.h's own layout, which
# its comments keep: a view's paragraph starts "NAME: ", list entries are
# three spaces in, a "Verdicts"/"Errors" list runs to the comment's end):
#   file NAME VERSION   a view and its format (-: control, write-only)
#   name VIEW WORD      a verdict or state that VIEW prints
#   key WORD            a summary key
#   verb WORD           a control verb
#   error TEXT          an entry this cannot read
cat > "$tmp/contract.pl" <<'PL'
use strict;
use warnings;

my (@blocks, $cur);
while (<STDIN>) {
	if (m{^/\*}) { $cur = []; next; }
	if (defined $cur && m{^ \*/}) { push @blocks, { lines => $cur }; undef $cur; next; }
	if (defined $cur) { chomp; s/^ \*//; push @$cur, $_; next; }
	push @blocks, { version => $1 } if /^#define MLOCKWATCH_\w+_FORMAT\s+(\d+)/;
}
my (%version, @pending, %seen, @files, %states);
for my $b (@blocks) {
	if (exists $b->{version}) {
		$version{$_} //= $b->{version} for @pending;
		@pending = ();
		next;
	}
	my @l = @{$b->{lines}};
	my $text = join ' ', map { s/^\s+//r } @l;
	my $first;
	for (@l) {
		if (/^ ([a-z][a-z.]*): / || /^ ([a-z]+) \(write/) {
			push @files, $1 unless $seen{$1}++;
			$first //= $1;
			push @pending, $1 unless / \(write/;
		}
		if (/^ control\b/) { print "verb $_\n" for /"([a-z]+)"/g; }
	}
	my $in = 0;
	for (@l) {
		$in = 1 if /^ (Verdicts|Errors)\b/;
		print "name $first $1\n" if $in && /^   ([a-z][a-z0-9-]*)(\s{2,}|$)/;
	}
	if ($text =~ /STATE: [^.]*?one of ([a-z, -]+?)\./) {
		print "name $first $_\n" for grep { length } split /,\s*|\s+or\s+/, $1;
		$states{$first}++;
	}
	if ($text =~ /(?:^|[.;] )STATE ([^;:]+);/) {
		(my $s = $1) =~ s/\([^)]*\)//g;
		print "name $first $_\n" for grep { length } map { s/^\s+|\s+$//gr } split /,|\bor\b/, $s;
		$states{$first}++;
	}
	next unless ($first // '') eq 'summary' || $text =~ /^summary, appended/;
	for (my $i = 0; $i < @l; $i++) {
		next unless $l[$i] =~ /^   (\S.*)$/;
		my $k = $1 =~ s/\s{2,}.*//r;
		while (($k =~ /,$/ || ($k =~ tr/{//) > ($k =~ tr/}//)) && $i + 1 < @l) {
			$k .= $l[++$i] =~ s/^\s+//r =~ s/\s{2,}.*//r;
		}
		$k =~ s/ \(.*//;
		my $suffix = $k =~ s/ and each one's (_\w+)$// ? $1 : undef;
		for my $w (split /,\s*(?![^{]*\})/, $k) {
			my @w = ($w);
			if ($w =~ /^(\w*)\{([\w,]+)\}(\w*)$/) {
				my ($a, $m, $z) = ($1, $2, $3);
				@w = map { "$a$_$z" } split /,/, $m;
			} elsif ($w =~ m{^(\w+?)(_[a-z]+)/(_[a-z]+)$}) {
				@w = ("$1$2", "$1$3");
			}
			for (@w) {
				if (!/^[a-z][a-z0-9_]*$/) { print "error '$w'\n"; next; }
				print "key $_\n";
				print "key $_$suffix\n" if defined $suffix;
			}
		}
	}
}
print "file $_ ", $version{$_} // '-', "\n" for @files;
# The views with a STATE column: a reworded list must not vanish unseen.
$states{$_} or print "nameerror no STATE list for $_ (\"STATE: ... one of a, b or c.\" or \"STATE a, b or c;\")\n"
	for qw(folios hooks);
PL
page=$man/mlockwatch.4
perl "$tmp/contract.pl" < "$top/include/mlockwatch/format.h" > "$tmp/contract"

# Each view: an .SS of its own, saying its format version.
bad=0 n=0
while read -r _ view version; do
	n=$((n + 1))
	section "$page" .SS "$view" | plain > "$tmp/s"
	if [ ! -s "$tmp/s" ]; then
		ktap_print_msg "format.h's view '$view' has no '.SS $view' in man/mlockwatch.4"
		bad=1
	elif [ "$version" != - ] && ! grep -q "format: $version\([^0-9]\|\$\)" "$tmp/s"; then
		ktap_print_msg "man/mlockwatch.4's '.SS $view' does not say 'format: $version' (format.h's version of $view)"
		bad=1
	fi
done < <(grep '^file ' "$tmp/contract")
[ "$bad" = 0 ] && [ "$n" -ge 5 ] &&
	ktap_test_pass "man/mlockwatch.4 has a section for each of format.h's $n files, with its format version" ||
	ktap_test_fail "man/mlockwatch.4 has a section for each of format.h's files, with its format version"

# Verdicts and states, in the section of the view that prints them.
bad=0 n=0
while read -r what view word; do
	if [ "$what" = nameerror ]; then
		ktap_print_msg "cannot read format.h: $view $word"
		bad=1
		continue
	fi
	n=$((n + 1))
	section "$page" .SS "$view" | plain | has "$word" || {
		ktap_print_msg "format.h's $view verdict or state '$word' is missing from man/mlockwatch.4's '.SS $view'"
		bad=1
	}
done < <(grep '^name\(error\)\? ' "$tmp/contract" | sort -u)
[ "$bad" = 0 ] && [ "$n" -ge 20 ] &&
	ktap_test_pass "man/mlockwatch.4 names every one of format.h's $n verdicts and states, in its view's section" ||
	ktap_test_fail "man/mlockwatch.4 names every verdict and state of format.h, in its view's section"

# Summary keys, in the summary section.
bad=0 n=0
section "$page" .SS summary | plain > "$tmp/s"
while read -r what word; do
	if [ "$what" = error ]; then
		ktap_print_msg "cannot read a summary key list entry of format.h: $word"
		bad=1
		continue
	fi
	n=$((n + 1))
	has "$word" < "$tmp/s" || {
		ktap_print_msg "format.h's summary key '$word' is missing from man/mlockwatch.4's '.SS summary'"
		bad=1
	}
done < <(grep '^\(key\|error\) ' "$tmp/contract" | sort -u)
[ "$bad" = 0 ] && [ "$n" -ge 50 ] &&
	ktap_test_pass "man/mlockwatch.4's summary section names every one of format.h's $n summary keys" ||
	ktap_test_fail "man/mlockwatch.4's summary section names every summary key of format.h"

# Control verbs: a tag each in the control section, and no other.
section "$page" .SS control | awk 'tp { print; tp = 0 } $1 == ".TP" { tp = 1 }' | plain | sort -u > "$tmp/tags"
sed -n 's/^verb //p' "$tmp/contract" | sort -u > "$tmp/verbs"
expect_verbs=$(tr '\n' ' ' < "$tmp/verbs")
got_verbs=$(tr '\n' ' ' < "$tmp/tags")
if [ -n "$expect_verbs" ] && [ "$expect_verbs" = "$got_verbs" ]; then
	ktap_test_pass "man/mlockwatch.4's control section has a tag for each of format.h's verbs ($expect_verbs)"
else
	ktap_print_msg "format.h's control verbs: '$expect_verbs'; man/mlockwatch.4's control tags: '$got_verbs'"
	ktap_test_fail "man/mlockwatch.4's control section has a tag for each of format.h's verbs, and no other"
fi

# Module parameters: the module's module_param*() names, both ways.
grep -ho 'module_param[a-z_]*([a-z_]*' "$top"/module/*.c | sed 's/.*(//' | sort -u > "$tmp/params"
section "$page" .SH "MODULE PARAMETERS" | awk 'tp { print; tp = 0 } $1 == ".TP" { tp = 1 }' | plain |
	sed -n 's/^\([a-z_]*\)=.*/\1/p' | sort -u > "$tmp/pparams"
if [ -s "$tmp/params" ] && cmp -s "$tmp/params" "$tmp/pparams"; then
	ktap_test_pass "man/mlockwatch.4's MODULE PARAMETERS are the module's: $(tr '\n' ' ' < "$tmp/params")"
else
	while read -r p; do ktap_print_msg "module parameter $p is missing from man/mlockwatch.4's MODULE PARAMETERS"; done < <(comm -23 "$tmp/params" "$tmp/pparams")
	while read -r p; do ktap_print_msg "man/mlockwatch.4 documents a parameter $p that module/*.c does not define"; done < <(comm -13 "$tmp/params" "$tmp/pparams")
	ktap_test_fail "man/mlockwatch.4's MODULE PARAMETERS are the module's"
fi

# ---- every page ----------------------------------------------------------

bad=0
for f in "$man"/*.[1-8]; do
	name=$(basename "$f")
	want="NAME SYNOPSIS DESCRIPTION FILES EXAMPLES SEE_ALSO"
	case $name in mlockwatch.4) ;; *) want="$want OPTIONS EXIT_STATUS" ;; esac
	for s in $want; do
		grep -q "^\.SH \"\?${s//_/ }\"\?\$" "$f" || { ktap_print_msg "man/$name has no .SH ${s//_/ }"; bad=1; }
	done
	sec=${name##*.}
	grep -q "^\.TH [A-Z0-9]* $sec " "$f" || { ktap_print_msg "man/$name: its .TH does not give section $sec"; bad=1; }
done
[ "$bad" = 0 ] && ktap_test_pass "every page has a .TH of its section and the usual sections" ||
	ktap_test_fail "every page has a .TH of its section and the usual sections"

# The version in each .TH footer is the module's (module/mlockwatch.h),
# which the tools' --version and dkms.conf repeat.
version=$(sed -n 's/^#define MLOCKWATCH_VERSION[[:space:]]*"\(.*\)"/\1/p' "$top/module/mlockwatch.h")
bad=$(grep -L "^\.TH [A-Z0-9]* [1-8] [0-9-]* \"mlockwatch $version\" " "$man"/*.[1-8] | sed "s|$man/|man/|" | tr '\n' ' ')
[ -n "$version" ] && [ -z "$bad" ] &&
	ktap_test_pass "every page's .TH says mlockwatch $version, module/mlockwatch.h's version" ||
	ktap_test_fail "every page's .TH says mlockwatch ${version:-?}, module/mlockwatch.h's version (not: $bad)"

if command -v groff > /dev/null; then
	: > "$tmp/lint"
	for f in "$man"/*.[1-8]; do
		groff -man -ww -z "$f" > "$tmp/l" 2>&1 || echo "groff exit $?" >> "$tmp/l"
		sed "s|^|man/$(basename "$f"): |" "$tmp/l" >> "$tmp/lint"
	done
	if [ -s "$tmp/lint" ]; then
		sed 's/^/# /' "$tmp/lint"
		ktap_test_fail "groff -man -ww -z warns on no page"
	else
		ktap_test_pass "groff -man -ww -z warns on no page ($(ls "$man"/*.[1-8] | wc -l) pages)"
	fi
else
	ktap_test_fail "groff -man -ww -z warns on no page: groff is not installed (scripts/install-deps: groff-base)"
fi

# folios.bin's numbers: STATE and VERDICT as verdicts.h orders them (the
# internal "resolved" is never written, and the page says so).
list() { # MACRO: "N name, N name..." in verdicts.h's order
	sed -n "s/^$1(\([A-Z_]*\), \([a-z-]*\))\$/\2/p" "$top/include/mlockwatch/verdicts.h" |
		awk '$0 != "resolved" { printf("%s%d %s", (NR > 1 ? ", " : ""), NR - 1, $0) }'
}
section "$page" .SS folios.bin | plain | tr '\n' ' ' | tr -s ' ' > "$tmp/bin"
bad=0
for m in MW_STATE MW_VERDICT; do
	want=$(list $m)
	if [ -z "$want" ] || ! grep -qF -- "$want" "$tmp/bin"; then
		ktap_print_msg "man/mlockwatch.4's '.SS folios.bin' does not number ${m#MW_} as verdicts.h does: $want"
		bad=1
	fi
done
[ "$bad" = 0 ] &&
	ktap_test_pass "man/mlockwatch.4's folios.bin numbers the states and verdicts as include/mlockwatch/verdicts.h does" ||
	ktap_test_fail "man/mlockwatch.4's folios.bin numbers the states and verdicts as include/mlockwatch/verdicts.h does"
ktap_finished
