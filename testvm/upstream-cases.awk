# Classify upstream kselftest cases in a VM console log (CR-stripped)
# against selftests/upstream/expectations. Used by parse-log.sh and
# upstream-expect.sh.
#
#   awk -v kernel=cloud-6.12 -v expect=FILE [-v allctx=1] -f upstream-cases.awk console.log
#
# Input: the part of the console between "@@URUN <prog> ..." and
# "@@URESULT <prog> <rc> <secs>" lines is the TAP of upstream program <prog>.
# Output, tab-separated, one record per line:
#   CASE  prog  status  name  reason
#         status: pass | fail | pending | listed (an expected failure or skip)
#                 | xpass-pending | xpass-listed (expected to fail, passed)
#   CTX   prog  name  line        harness lines of an unexpected failure
#                                 (allctx=1: of every failed or skipped case)
#   PROG  prog  rc  secs  plan  seen  has_totals
#         rc: exit code, "none" (no @@URESULT), "notime" (not started: no
#         time left before the VM deadline)
#   STALE entry                   an expectation that matched no case of a
#                                 program that ran to its end
#   BAD   line-number  text       an expectations line that cannot be read
#
# Expectations file: blocks. A header "[<status> <kernels>] <reason>" with
# status "pending" or "listed" and kernels "all" or a comma-separated list of
# kernel names, then one "<prog>/<case>" per line; <case> is the harness'
# name (fixture.variant.test, or fixture.test) and may use * and ?. The first
# matching "listed" line wins, else the first matching "pending" line. Lines
# starting with # are comments.

function glob2re(g,    r) {
	r = g
	gsub(/[.+^$(){}|\\]/, "\\\\&", r)
	gsub(/\[/, "\\[", r)
	gsub(/\]/, "\\]", r)
	gsub(/\*/, ".*", r)
	gsub(/\?/, ".", r)
	return "^" r "$"
}

function trim(s) {
	sub(/^[ \t]+/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

BEGIN {
	OFS = "\t"
	n_exp = 0
	cur_status = ""
	ln = 0
	if (expect != "") {
		while ((getline line < expect) > 0) {
			ln++
			if (line ~ /^[ \t]*(#|$)/)
				continue
			line = trim(line)
			if (line ~ /^\[/) {
				if (!match(line, /^\[[a-z]+ [A-Za-z0-9.,_-]+\]/)) {
					print "BAD", ln, line
					cur_status = "?"
					continue
				}
				hdr = substr(line, 2, RLENGTH - 2)
				split(hdr, hw, " ")
				cur_status = hw[1]
				cur_kernels = hw[2]
				cur_reason = trim(substr(line, RLENGTH + 1))
				if (cur_status != "pending" && cur_status != "listed") {
					print "BAD", ln, line
					cur_status = "?"
				}
				cur_applies = (cur_kernels == "all" || index("," cur_kernels ",", "," kernel ","))
				continue
			}
			if (cur_status == "" || line !~ /^[A-Za-z0-9_]+\/[^ \t\/]+$/) {
				print "BAD", ln, line
				continue
			}
			if (cur_status == "?" || !cur_applies)
				continue
			n_exp++
			slash = index(line, "/")
			e_prog[n_exp] = substr(line, 1, slash - 1)
			e_re[n_exp] = glob2re(substr(line, slash + 1))
			e_status[n_exp] = cur_status
			e_reason[n_exp] = cur_reason
			e_text[n_exp] = line
			e_hits[n_exp] = 0
		}
		close(expect)
	}
	prog = ""
	np = 0
}

# A "listed" line wins over a "pending" one; else the first match.
function lookup(p, name,    i, pass) {
	for (pass = 1; pass <= 2; pass++)
		for (i = 1; i <= n_exp; i++)
			if (e_prog[i] == p && (pass == 2 || e_status[i] == "listed") && name ~ e_re[i]) {
				e_hits[i]++
				return i
			}
	return 0
}

function start_prog(p) {
	if (!(p in ran)) {
		ran[p] = 1
		order[++np] = p
		rc[p] = "none"
		secs[p] = 0
		plan[p] = 0
		seen[p] = 0
		totals[p] = 0
	}
}

/^@@URUN / { start_prog($2); prog = $2; nctx = 0; next }
/^@@URESULT / {
	start_prog($2)
	rc[$2] = $3
	secs[$2] = ($4 == "" ? 0 : $4)
	prog = ""
	next
}
/^@@/ { prog = ""; next }
prog == "" { next }
/^1\.\.[0-9]+$/ { plan[prog] = substr($0, 4) + 0; next }
/^# Totals: / { totals[prog] = 1 }
/^# +RUN / { nctx = 0 }
{ if (nctx < 40) ctx[nctx++] = $0 }
/^(not )?ok [0-9]+ / {
	if ($1 == "ok") {
		name = $3
		passed = ($0 !~ /# SKIP/)
	} else {
		name = $4
		passed = 0
	}
	seen[prog]++
	e = lookup(prog, name)
	if (passed)
		st = e ? "xpass-" e_status[e] : "pass"
	else
		st = e ? e_status[e] : "fail"
	print "CASE", prog, st, name, (e ? e_reason[e] : "")
	if (st == "fail" || (allctx && !passed))
		for (i = 0; i < nctx - 1; i++)
			print "CTX", prog, name, ctx[i]
	nctx = 0
}

END {
	for (i = 1; i <= np; i++) {
		p = order[i]
		print "PROG", p, rc[p], secs[p], plan[p], seen[p], totals[p]
	}
	for (i = 1; i <= n_exp; i++)
		if (e_hits[i] == 0 && (e_prog[i] in ran) && totals[e_prog[i]])
			print "STALE", e_text[i] " [" e_status[i] "]"
}
