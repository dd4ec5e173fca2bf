#!/usr/bin/env bash
# Judge one VM console log written by run-vm.sh.
# Usage: parse-log.sh <kernel> <test|demo> <console.log>
# Prints every problem with the log lines behind it, then one summary line:
#   <kernel>: P passed, F failed[ (S skipped, counted as failed)][; failed gates: ...]
# and writes "passed=P failed=F gates=G" to <console.log>.result, where G counts
# failed gates (boot, programs, splat, rmmod, kmemleak), each at most once.
# Exit code: 0 only if F == 0 and G == 0.
#
# Test cases come from the kselftest harness' TAP: its "# Totals:" line per
# program; a skipped test is never a pass. A program with no Totals line, or a
# non-zero exit code without any failed case, fails the "programs" gate.
set -euo pipefail
kernel=${1:?} mode=${2:?} log=${3:?}
LOG_TAG="parse $kernel"
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

[[ -f $log ]] || die "no log $log"
clean=$(mktemp)
trap 'rm -f "$clean"' EXIT
# Serial consoles end lines with CR LF.
tr -d '\r' <"$log" >"$clean"

gates=()
problem() { printf '  PROBLEM [%s] %s\n' "$kernel" "$*"; }
show() { sed 's/^/    | /'; }

# --- boot: the VM must reach the module-load marker and finish ----------
if ! grep -q '^@@BOOTED' "$clean"; then
	problem "boot: init never ran (no @@BOOTED); last console lines:"
	tail -n 25 "$clean" | show
	gates+=(boot)
elif ! grep -q '^@@MODULE-LOADED' "$clean"; then
	problem "boot: module did not load ($(grep -m1 '^@@INSMOD' "$clean" || echo 'no @@INSMOD line')):"
	sed -n '/^@@LOADING-MODULE/,$p' "$clean" | tail -n 25 | show
	gates+=(boot)
elif ! grep -q '^@@DONE' "$clean"; then
	problem "boot: VM did not finish ($(grep -m1 '^@@TIMEOUT' "$clean" || echo 'crashed or reset early')); last console lines:"
	tail -n 25 "$clean" | show
	gates+=(boot)
fi
if grep -q '^@@NODEV' "$clean"; then
	problem "module loaded but /dev/iommufd-mock is missing:"
	sed -n '/^@@NODEV/,/^@@\(RUN\|RMMOD\|DEMO\)/p' "$clean" | head -n 20 | show
fi

# --- test cases -----------------------------------------------------------
passed=0 failed=0 skipped=0
prog_bad=0
if [[ $mode == test ]]; then
	# One record per program: name rc totals(pass fail xfail xpass skip error)
	# plus counts of ok / not ok / SKIP lines as a cross-check.
	while read -r name rc has_totals tp tf txf txp ts te n_ok n_notok n_skip; do
		if [[ $has_totals == 1 ]]; then
			passed=$((passed + tp + txf))
			failed=$((failed + tf + txp + ts + te))
			skipped=$((skipped + ts))
			pf=$((tf + txp + ts + te))
		else
			# No Totals line: the program died or is no harness test.
			passed=$((passed + n_ok - n_skip))
			failed=$((failed + n_notok + n_skip))
			skipped=$((skipped + n_skip))
			pf=$((n_notok + n_skip))
			problem "program $name: no '# Totals:' line (rc $rc); its last lines:"
			awk -v n="$name" '$0 == "@@RUN " n {on=1; next} on && /^@@RESULT / {exit} on' "$clean" | tail -n 15 | show
			prog_bad=1
		fi
		if [[ $rc == none ]]; then
			problem "program $name: never finished (no @@RESULT)"
			prog_bad=1
		elif [[ $rc != 0 ]] && ((pf == 0)); then
			problem "program $name: exit code $rc with no failed test case"
			prog_bad=1
		fi
	done < <(awk '
		function flush() {
			if (name != "")
				print name, rc, ht, tp, tf, txf, txp, ts, te, nok, nnot, nskip
		}
		/^@@RUN / { flush(); name = $2; rc = "none"; ht = 0; tp = tf = txf = txp = ts = te = 0; nok = nnot = nskip = 0; next }
		/^@@RESULT / { if ($2 == name) rc = $3; next }
		name == "" { next }
		/^# Totals: / {
			ht = 1
			for (i = 3; i <= NF; i++) {
				split($i, kv, ":")
				if (kv[1] == "pass") tp = kv[2]; else if (kv[1] == "fail") tf = kv[2]
				else if (kv[1] == "xfail") txf = kv[2]; else if (kv[1] == "xpass") txp = kv[2]
				else if (kv[1] == "skip") ts = kv[2]; else if (kv[1] == "error") te = kv[2]
			}
		}
		/^ok [0-9]+ / { nok++; if ($0 ~ /# SKIP/) nskip++ }
		/^not ok [0-9]+ / { nnot++ }
		/^@@(RMMOD|DONE)/ { flush(); name = "" }
		END { flush() }' "$clean")

	if ! grep -q '^@@RUN ' "$clean" && grep -q '^@@MODULE-LOADED' "$clean"; then
		problem "no test program ran (empty /tests?)"
		prog_bad=1
	fi
	# Name the failed and skipped cases.
	# With the harness' lines of that case (from its "#  RUN" line on).
	awk '/^@@RUN / { p = $2 }
		/^# +RUN / { n = 0 }
		{ if (n < 30) buf[n++] = $0 }
		/^not ok [0-9]+ / {
			print "  FAILED  " p ": " $0
			for (i = 0; i < n - 1; i++) print "    | " buf[i]
		}
		/^ok [0-9]+ .*# SKIP/ {
			print "  SKIPPED (counted as failed)  " p ": " $0
			for (i = 0; i < n - 1; i++) if (buf[i] ~ /SKIP/) print "    | " buf[i]
		}' "$clean"
else
	rc=$(sed -n 's/^@@RESULT [^ ]* //p' "$clean" | head -n 1)
	if [[ $rc == 0 ]]; then
		passed=1
	else
		failed=1
		problem "demo: exit code ${rc:-none}"
	fi
fi
((prog_bad)) && gates+=(programs)

# --- kernel splats from the module load on --------------------------------
SPLAT='WARNING:|BUG:|KASAN|UBSAN|lockdep|possible circular locking|possible recursive locking|inconsistent lock state|Oops|Call Trace|[Kk]ernel panic'
splats=$(sed -n '/^@@LOADING-MODULE/,$p' "$clean" | grep -nE "$SPLAT" || true)
if [[ -n $splats ]]; then
	problem "kernel splat after module load ($(wc -l <<<"$splats") matching lines); first lines and context:"
	first=$(head -n 1 <<<"$splats" | cut -d: -f1)
	sed -n '/^@@LOADING-MODULE/,$p' "$clean" | sed -n "$((first > 3 ? first - 3 : 1)),$((first + 40))p" | show
	if (($(wc -l <<<"$splats") > 1)); then
		echo "    all matching lines:"
		head -n 30 <<<"$splats" | cut -d: -f2- | show
	fi
	gates+=(splat)
fi

# --- rmmod ----------------------------------------------------------------
if grep -q '^@@MODULE-LOADED' "$clean"; then
	rm_rc=$(sed -n 's/^@@RMMOD //p' "$clean" | head -n 1)
	if [[ $rm_rc != 0 ]]; then
		problem "rmmod iommufd_mock: ${rm_rc:-never ran}"
		sed -n '/^@@RMMOD/,+5p' "$clean" | show
		gates+=(rmmod)
	fi
fi

# --- kmemleak -------------------------------------------------------------
leaks=$(sed -n '/^@@KMEMLEAK-BEGIN/,/^@@KMEMLEAK-END/p' "$clean")
if grep -q 'unreferenced object' <<<"$leaks"; then
	problem "kmemleak: $(grep -c 'unreferenced object' <<<"$leaks") unreferenced object(s):"
	grep -v '^@@' <<<"$leaks" | head -n 60 | show
	gates+=(kmemleak)
fi
kml_state=$(grep -qx '@@KMEMLEAK unavailable' "$clean" && echo "no kmemleak" || echo "kmemleak checked")

summary="$kernel: $passed passed, $failed failed"
((skipped)) && summary+=" ($skipped skipped, counted as failed)"
if ((${#gates[@]})); then
	summary+="; failed gates: ${gates[*]}"
else
	summary+="; boot, splat, rmmod ok, $kml_state"
fi
echo "$summary"
echo "passed=$passed failed=$failed gates=${#gates[@]}" >"$log.result"
((failed == 0 && ${#gates[@]} == 0))
