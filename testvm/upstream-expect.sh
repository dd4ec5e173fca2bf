#!/usr/bin/env bash
# Regenerate selftests/upstream/expectations from the last VM logs.
# Usage: upstream-expect.sh [-w] [-s] [kernel...]
#   (default: every kernel with a log in .cache/logs; per kernel the newer
#    of <kernel>-test.log and <kernel>-upstream.log that ran upstream's tests)
#   -w  write the file (default: print it to stdout)
#   -s  print only a short per-group count of what the logs say
# What comes out:
#   - the file's leading comment block and its "listed" blocks, unchanged;
#   - every upstream case that failed or skipped in those logs and is not
#     "listed" for that kernel, as "pending", on "all" kernels when it failed
#     on every kernel whose log ran its program, else on those that failed;
#     grouped by the call its first failed assertion names (the reason says
#     which: edit it when it should say more);
#   - the current "pending" lines that none of those logs could judge (their
#     program did not run there, or a filtered run skipped them), unchanged.
# Cases that passed drop out: that is how the pending list shrinks.
set -euo pipefail
LOG_TAG=upstream-expect
# shellcheck source=testvm/lib.sh
. "$(dirname "$0")/lib.sh"

write=0 short=0
while getopts ws opt; do
	case $opt in
	w) write=1 ;;
	s) short=1 ;;
	*) die "usage: upstream-expect.sh [-w] [-s] [kernel...]" ;;
	esac
done
shift $((OPTIND - 1))
kernels=("$@")
((${#kernels[@]})) || kernels=(cloud-6.12 cloud-6.1 debug-6.12)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
touch "$tmp/records"
used=()
for k in "${kernels[@]}"; do
	best=''
	for m in test upstream; do
		f=$CACHE/logs/$k-$m.log
		if [[ ! -f $f ]] || ! grep -q '^@@UPSTREAM' "$f"; then continue; fi
		if [[ -z $best || $f -nt $best ]]; then best=$f; fi
	done
	if [[ -z $best ]]; then
		log "$k: no log with an upstream run, left out"
		continue
	fi
	used+=("$k: $(basename "$best") ($(date -r "$best" '+%F %T'))")
	tr -d '\r' <"$best" >"$tmp/clean"
	awk -v kernel="$k" -v expect="$UPSTREAM_EXPECT" -v allctx=1 \
		-f "$TOP/testvm/upstream-cases.awk" "$tmp/clean" |
		sed "s/^/$k\t/" >>"$tmp/records"
done
((${#used[@]})) || die "no VM log with an upstream run (run testvm/run-vm.sh <kernel> upstream)"

[[ -f $UPSTREAM_EXPECT ]] || touch "$tmp/empty"
exp=$UPSTREAM_EXPECT
[[ -f $exp ]] || exp=$tmp/empty

awk -v short="$short" -F '\t' '
function glob2re(g,    r) {
	r = g
	gsub(/[.+^$(){}|\\]/, "\\\\&", r)
	gsub(/\*/, ".*", r)
	gsub(/\?/, ".", r)
	return "^" r "$"
}
# The call the first failed assertion of a case names, as its group: the
# harness prints "file:line:test:Expected <want> (<v>) == <seen> (<v>)".
function key_of(line,    k, expr, at, want, got, i) {
	at = ""
	if (match(line, /^# [^ ]*:[0-9]+:/)) {
		at = substr(line, 3, RLENGTH - 3)
		sub(/^.*\//, "", at)
	}
	expr = line
	sub(/^# [^ ]*:[0-9]+:[^:]*:/, "", expr)
	sub(/^Expected /, "", expr)
	want = expr
	got = ""
	if ((i = index(expr, " == ")) || (i = index(expr, " != ")) || (i = index(expr, " < ")) || (i = index(expr, " > "))) {
		want = substr(expr, 1, i - 1)
		got = substr(expr, i + 4)
	}
	if (got ~ /^errno \([0-9]+\)/ && match(want, /\([0-9]+\)/))
		return "errno " substr(got, 8, index(got, ")") - 8) " where " substr(want, RSTART + 1, RLENGTH - 2) " was expected, at " at
	# iommufd_fail_nth: each case runs its sequence once with no fault
	# injected, then once per injection point.
	if (got ~ /^test_nth_[a-z0-9_]+\(/)
		return "the fail_nth sequence fails with no fault injected"
	if (got ~ /^test_result /)
		return "the fail_nth sequence fails after an injected fault"
	for (i = 1; i <= 2; i++) {
		expr = (i == 1 ? got : want)
		if (match(expr, /IOMMU_TEST_OP_[A-Z0-9_]+/))
			return "IOMMU_TEST_CMD " substr(expr, RSTART + 14, RLENGTH - 14)
		if (match(expr, /_?test_(cmd|ioctl)_[a-z0-9_]+/)) {
			k = substr(expr, RSTART, RLENGTH)
			sub(/^_/, "", k)
			return k "()"
		}
		if (match(expr, /(IOMMU|VFIO)_[A-Z0-9_]+/))
			return substr(expr, RSTART, RLENGTH)
	}
	if (at != "")
		return "an assertion at " at
	return ""
}
# File 1: the current expectations.
FILENAME == ARGV[1] {
	raw[++nraw] = $0
	next
}
# File 2: records "kernel<TAB>kind<TAB>...".
$2 == "PROG" {
	# A program that reported no case (not started, died at once) did
	# not run there.
	if ($7 == 0) next
	ran[$3, $1] = 1
	if (!(($3, "k") in progk)) { progk[$3, "k"] = 1; progs[$3] = "" }
	progs[$3] = progs[$3] "," $1
	complete[$3, $1] = ($8 == 1 && $7 == $6)
	next
}
$2 == "CASE" {
	c = $3 "/" $5
	if (!(c in seen)) order[++ncase] = c
	seen[c] = 1
	seenk[c, $1] = 1
	if ($4 == "fail" || $4 == "pending")
		failk[c] = failk[c] "," $1
	next
}
$2 == "CTX" {
	c = $3 "/" $4
	if (!(c in first) && $5 ~ /^# [^ ]*:[0-9]+:/)
		first[c] = $5
	if ($5 ~ /^# +RUN /)
		lastctx[c] = ""
	else if ($5 !~ /^# +(FAIL|OK|SKIP) /)
		lastctx[c] = $5
	next
}
END {
	# The leading comments and the listed blocks, as they are; the pending
	# lines, for their reasons and to keep those no log judged.
	head = 1
	inlisted = 0
	npe = 0
	for (i = 1; i <= nraw; i++) {
		l = raw[i]
		if (l ~ /^\[/) {
			head = 0
			inlisted = (l ~ /^\[listed /)
			cur_hdr = l
			cur_reason = l
			sub(/^\[[^\]]*\] */, "", cur_reason)
			cur_key = ""
			if (inlisted) listed_out = listed_out "\n" l "\n"
			continue
		}
		if (head) { header = header l "\n"; continue }
		if (inlisted) { if (l !~ /^[ \t]*$/) listed_out = listed_out l "\n"; continue }
		if (l ~ /^# first failure: /) { cur_key = substr(l, 18); continue }
		if (l ~ /^[ \t]*(#|$)/) continue
		s = index(l, "/")
		npe++
		pe_prog[npe] = substr(l, 1, s - 1)
		pe_re[npe] = glob2re(substr(l, s + 1))
		pe_reason[npe] = cur_reason
		pe_key[npe] = cur_key
		judged = 0
		for (j = 1; j <= ncase; j++) {
			split(order[j], pc, "/")
			if (pc[1] == pe_prog[npe] && pc[2] ~ pe_re[npe]) { judged = 1; break }
		}
		if (!judged) {
			if (!(cur_hdr in kept)) { kept_order[++nkept] = cur_hdr; kept_key[cur_hdr] = cur_key }
			kept[cur_hdr] = kept[cur_hdr] l "\n"
		}
	}
	# Failed cases into groups (kernels, reason, first failing call). A case
	# keeps the reason of its pending line while it still fails first at
	# the same call.
	ngroup = 0
	for (j = 1; j <= ncase; j++) {
		c = order[j]
		if (!(c in failk)) continue
		split(c, pc, "/")
		nk = split(substr(progs[pc[1]], 2), ks, ",")
		all = 1
		for (q = 1; q <= nk; q++)
			if (index(failk[c] ",", "," ks[q] ",") == 0) all = 0
		kern = all ? "all" : substr(failk[c], 2)
		key = key_of(first[c])
		if (key == "") key = (lastctx[c] != "" ? "no assertion; last line: " lastctx[c] : "no assertion message")
		reason = "first failure: " key
		for (e = 1; e <= npe; e++)
			if (pe_prog[e] == pc[1] && pc[2] ~ pe_re[e]) {
				if (pe_key[e] == key) reason = pe_reason[e]
				break
			}
		g = kern SUBSEP reason SUBSEP key
		if (!(g in gmembers)) { gorder[++ngroup] = g; gk[g] = kern; gkey[g] = key; greason[g] = reason }
		gmembers[g] = gmembers[g] c "\n"
		gcount[g]++
		total++
	}
	if (short) {
		for (i = 1; i <= ngroup; i++) {
			g = gorder[i]
			printf "%5d  [%s] %s\n", gcount[g], gk[g], greason[g]
		}
		printf "%5d  pending in total\n", total
		exit
	}
	sub(/\n+$/, "\n", header)
	printf "%s", header
	printf "%s", listed_out
	for (i = 1; i <= ngroup; i++) {
		g = gorder[i]
		printf "\n[pending %s] %s\n# first failure: %s\n%s", gk[g], greason[g], gkey[g], gmembers[g]
	}
	for (i = 1; i <= nkept; i++) {
		h = kept_order[i]
		printf "\n%s\n", h
		if (kept_key[h] != "") printf "# first failure: %s\n", kept_key[h]
		printf "%s", kept[h]
	}
}' "$exp" "$tmp/records" >"$tmp/out"

if ((short)); then
	cat "$tmp/out"
elif ((write)); then
	cp "$tmp/out" "$UPSTREAM_EXPECT"
	log "wrote $UPSTREAM_EXPECT from: ${used[*]}"
	git -C "$TOP" diff --stat -- "$UPSTREAM_EXPECT" >&2 || true
else
	cat "$tmp/out"
	log "from: ${used[*]}"
fi
