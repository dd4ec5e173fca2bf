#!/usr/bin/env bash
# Judge one VM console log written by run-vm.sh.
# Usage: parse-log.sh <kernel> <test|upstream|demo|qemu> <console.log>
# Prints every problem with the log lines behind it, then one summary line:
#   <kernel>: P passed, F failed[, K skipped] (<per suite>); <gates>
# and writes "passed=P failed=F gates=G skipped=K" to <console.log>.result,
# where G counts failed gates (boot, programs, splat, rmmod, kmemleak), each
# at most once.
# Exit code: 0 only if F == 0 and G == 0.
#
# The project's selftests: cases come from the kselftest harness' TAP, its
# "# Totals:" line per program; a skipped case is never a pass. A program
# with no Totals line, or a non-zero exit code without any failed case,
# fails the "programs" gate.
# Upstream's kselftests (@@URUN/@@URESULT blocks): every harness case
# counts. A case that fails (or skips) and is listed in
# selftests/upstream/expectations for this kernel, as "listed" or "pending",
# counts as skipped (K); one that passes counts as passed and is reported as
# an unexpected pass. Any other failed or skipped case is failed; cases a
# program never reached (crash, wall-clock bound) are failed too.
# PARSE_ALL_CASES=1 prints one line per upstream case.
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
elif ! grep -q '^@@MODULE-LOADED' "$clean" || grep -q '^@@INSMOD [^0]' "$clean"; then
	problem "boot: module did not load ($(grep -m1 '^@@INSMOD [^0]' "$clean" || echo 'no @@INSMOD line')):"
	sed -n '/^@@LOADING-MODULE/,$p' "$clean" | grep -A 22 -m 1 '^@@INSMOD [^0]' | show
	gates+=(boot)
elif ! grep -q '^@@DONE' "$clean"; then
	problem "boot: VM did not finish ($(grep -m1 '^@@TIMEOUT' "$clean" || echo 'crashed or reset early')); last console lines:"
	tail -n 25 "$clean" | show
	gates+=(boot)
fi
if grep -q '^@@NODEV' "$clean"; then
	problem "module loaded but $(grep -m1 '^@@NODEV' "$clean" | cut -d' ' -f2) is missing:"
	sed -n '/^@@NODEV/,/^@@\(RUN\|URUN\|RMMOD\|DEMO\)/p' "$clean" | head -n 20 | show
fi

# --- upstream's kselftests ------------------------------------------------
up_passed=0 up_failed=0 up_pending=0 up_listed=0 up_xpass=0
up_summary=()
upstream_section() {
	local kind a b c d e f
	local -A c_pass=() c_fail=() c_pend=() c_list=() c_xp=()
	local xpass=() stale=() failed_names=() lasts="" details=""
	[[ -f $UPSTREAM_EXPECT ]] || problem "upstream: no expectations file $UPSTREAM_EXPECT (every failure counts)"
	if grep -q '^@@HUGEPAGES none' "$clean"; then
		echo "  note: $(grep -m1 '^@@HUGEPAGES' "$clean" | cut -c3-)"
	fi
	while IFS=$'\t' read -r kind a b c d e f; do
		case $kind in
		BAD)
			problem "upstream: expectations line $a cannot be read: $b"
			prog_bad=1
			;;
		CASE)
			[[ ${PARSE_ALL_CASES:-0} == 1 ]] && printf '  %-14s %s: %s%s\n' "${b^^}" "$a" "$c" "${d:+  ($d)}"
			case $b in
			pass) c_pass[$a]=$((${c_pass[$a]:-0} + 1)) ;;
			fail)
				c_fail[$a]=$((${c_fail[$a]:-0} + 1))
				failed_names+=("$a: $c")
				;;
			pending) c_pend[$a]=$((${c_pend[$a]:-0} + 1)) ;;
			listed) c_list[$a]=$((${c_list[$a]:-0} + 1)) ;;
			xpass-*)
				c_pass[$a]=$((${c_pass[$a]:-0} + 1))
				c_xp[$a]=$((${c_xp[$a]:-0} + 1))
				xpass+=("$a/$c (${b#xpass-}: $d)")
				;;
			esac
			;;
		CTX)
			if [[ $lasts != "$a/$b" ]]; then
				details+="  FAILED  upstream $a: $b"$'\n'
				lasts="$a/$b"
			fi
			details+="    | $c"$'\n'
			;;
		STALE) stale+=("$a") ;;
		PROG)
			# a=prog b=rc c=secs d=plan e=seen f=has_totals
			local p=$a rc=$b secs=$c plan=$d seen=$e missing=0
			local pf=$((${c_fail[$p]:-0} + ${c_pend[$p]:-0} + ${c_list[$p]:-0}))
			if [[ $rc == notime ]]; then
				problem "upstream $p: not started, no time left before the VM deadline"
				prog_bad=1
			elif [[ $rc == none ]]; then
				problem "upstream $p: never finished (no @@URESULT: the VM died or hung)"
				prog_bad=1
			elif [[ $f != 1 ]]; then
				problem "upstream $p: no '# Totals:' line (exit code $rc$( ((rc == 137)) && echo ": killed by the wall-clock bound")); its last lines:"
				awk -v n="$p" '$1 == "@@URUN" && $2 == n {on=1; next} on && /^@@/ {exit} on' "$clean" | tail -n 15 | show
				prog_bad=1
			elif [[ $rc != 0 ]] && ((pf == 0)); then
				problem "upstream $p: exit code $rc with no failed test case"
				prog_bad=1
			fi
			if ((plan == 0)) && [[ $rc != notime ]]; then
				problem "upstream $p: no TAP plan line (1..N): its cases cannot be counted"
				prog_bad=1
			elif ((seen < plan)); then
				missing=$((plan - seen))
				problem "upstream $p: $missing of $plan cases never reported (counted as failed)"
			fi
			c_fail[$p]=$((${c_fail[$p]:-0} + missing))
			up_passed=$((up_passed + ${c_pass[$p]:-0}))
			up_failed=$((up_failed + ${c_fail[$p]:-0}))
			up_pending=$((up_pending + ${c_pend[$p]:-0}))
			up_listed=$((up_listed + ${c_list[$p]:-0}))
			up_xpass=$((up_xpass + ${c_xp[$p]:-0}))
			up_summary+=("upstream $p: ${c_pass[$p]:-0} passed, ${c_fail[$p]:-0} failed, ${c_pend[$p]:-0} pending, ${c_list[$p]:-0} listed (of $plan, ${secs}s)")
			;;
		esac
	done < <(awk -v kernel="$kernel" -v expect="$UPSTREAM_EXPECT" -f "$TOP/testvm/upstream-cases.awk" "$clean")
	printf '%s' "$details"
	if ((${#failed_names[@]})); then
		problem "upstream: ${#failed_names[@]} case(s) failed that the expectations do not list (FAILED above)"
	fi
	if ((${#xpass[@]})); then
		echo "  !!! UNEXPECTED PASS: remove from selftests/upstream/expectations (${#xpass[@]}):"
		printf '  !!!   %s\n' "${xpass[@]}"
	fi
	if ((${#stale[@]})); then
		echo "  note: ${#stale[@]} expectations line(s) match no case on $kernel:"
		printf '    %s\n' "${stale[@]:0:10}"
	fi
}

# --- test cases -----------------------------------------------------------
passed=0 failed=0 skipped=0
prog_bad=0
if [[ $mode == test || $mode == upstream || $mode == qemu ]]; then
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
		/^@@(RMMOD|DONE|UPSTREAM)/ { flush(); name = "" }
		END { flush() }' "$clean")

	if [[ $mode == test || $mode == qemu ]] && ! grep -q '^@@RUN ' "$clean" && grep -q '^@@MODULE-LOADED' "$clean"; then
		problem "no test program ran (empty /tests?)"
		prog_bad=1
	fi
	# Name the failed and skipped cases.
	# With the harness' lines of that case (from its "#  RUN" line on).
	awk '/^@@UPSTREAM/ { exit }
		/^@@RUN / { p = $2 }
		/^# +RUN / { n = 0 }
		{ if (n < 30) buf[n++] = $0 }
		/^not ok [0-9]+ / {
			print "  FAILED  " p ": " $0
			for (i = 0; i < n - 1; i++) print "    | " buf[i]
		}
		/^ok [0-9]+ .*# SKIP/ {
			print "  SKIPPED (counted as failed)  " p ": " $0
			for (i = 0; i < n - 1; i++) if (buf[i] ~ /SKIP/) print "    | " buf[i]
		}
		# Programs without "#  RUN" lines (tools/qtest): context starts
		# after the previous result.
		/^@@RUN / || /^(not )?ok [0-9]+ / { n = 0 }' "$clean"

	# Upstream's kselftests, case by case, against the expectations.
	if grep -q '^@@UPSTREAM' "$clean"; then
		upstream_section
	elif [[ $mode == upstream ]]; then
		problem "upstream: the run never started (no @@UPSTREAM)"
		prog_bad=1
	fi
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

# --- qemu mode: the sid root mounted, the bare qtest probe answered -------
if [[ $mode == qemu ]]; then
	if ! grep -q '^@@SID-MOUNTED' "$clean"; then
		problem "sid root: not mounted in the VM:"
		grep -A 20 -E '^@@(SIDMOD|SID-MOUNT-FAILED)' "$clean" | head -n 30 | show
		gates+=(sid-root)
	elif ! grep -q '^@@QEMU-PROBE OK' "$clean"; then
		problem "QEMU probe (-qtest stdio, readl 0x0) did not answer OK:"
		sed -n '/^@@QEMU-PROBE/,/^@@/p' "$clean" | head -n 20 | show
		gates+=(qemu-probe)
	fi
	grep -m 1 '^@@QEMU-VERSION' "$clean" | sed 's/^@@QEMU-VERSION /  note: /' || true
	grep -m 1 '^@@QEMU-PROBE OK' "$clean" | sed 's/^@@QEMU-PROBE OK /  note: probe /' || true
fi

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

# --- rmmod: after every load ---------------------------------------------
loads=$(grep -c '^@@MODULE-LOADED' "$clean" || true)
if ((loads)); then
	rm_bad=$(grep -E '^@@RMMOD' "$clean" | grep -vx '@@RMMOD 0' || true)
	rm_n=$(grep -c '^@@RMMOD' "$clean" || true)
	if [[ -n $rm_bad ]] || ((rm_n < loads)); then
		problem "rmmod iommufd_mock: ${rm_bad:-$rm_n unload(s) for $loads load(s)}"
		grep -A 5 -E '^@@RMMOD [^0]' "$clean" | show
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

own="own selftests: $passed passed, $failed failed"
((skipped)) && own+=" ($skipped skipped, counted as failed)"
[[ $mode == upstream ]] && own=""
[[ $mode == demo ]] && own="demo: $passed passed, $failed failed"
[[ $mode == qemu ]] && own="qemu (qtest programs): $passed passed, $failed failed"
((up_xpass)) && up_summary+=("$up_xpass unexpected pass(es)")
parts=$own
for u in "${up_summary[@]}"; do parts+="${parts:+; }$u"; done
passed=$((passed + up_passed))
failed=$((failed + up_failed))
up_skipped=$((up_pending + up_listed))
summary="$kernel: $passed passed, $failed failed"
((up_skipped)) && summary+=", $up_skipped skipped"
summary+=" ($parts)"
if ((${#gates[@]})); then
	summary+="; failed gates: ${gates[*]}"
else
	summary+="; boot, splat, rmmod ok, $kml_state"
fi
echo "$summary"
echo "passed=$passed failed=$failed gates=${#gates[@]} skipped=$up_skipped" >"$log.result"
((failed == 0 && ${#gates[@]} == 0))
