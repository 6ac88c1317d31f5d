# SPDX-License-Identifier: ISC
# Turns the option column of `duct --help` into the rows of _duct_globals:
# NAME CLASS, where a long option that takes a value ends in "=" and CLASS
# is path (complete files), val (anything) or none.
/^Address kinds:/ { exit }
/^  +-/ {
	head = $0
	sub(/^ +/, "", head)
	sub(/   +.*$/, "", head)
	n = split(head, f, /[ ,]+/)
	for (i = 1; i <= n; i++) {
		w = f[i]
		if (w !~ /^-/)
			continue
		sub(/\[.*$/, "", w)
		# -dN stands for -d0 to -d4: no name to complete.
		if (w !~ /^--/ && length(w) > 2 && w ~ /[A-Z]$/)
			continue
		if (w ~ /=/) {
			v = w
			sub(/^[^=]*=/, "", v)
			sub(/=.*$/, "=", w)
			print w, (v == "PATH" ? "path" : "val")
		} else if (f[i + 1] ~ /^[A-Z]+$/) {
			print w, (f[i + 1] == "PATH" ? "path" : "val")
		} else {
			print w, "none"
		}
	}
}
